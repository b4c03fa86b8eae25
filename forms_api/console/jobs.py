"""后台任务: the background jobs staff must know of, and queuing a failed one again.

The page lists the counts of queued, running and failed jobs and every failed job with its
error, its record and a button to queue it again (supervisors and administrators). Acceptors
may queue a failed notice again from the record's page as well. Queuing again is recorded in
the audit log with the error it had, in the same write.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from forms_api.delivery.notices import EVENTS
from forms_api.delivery.notifier import CHANNEL_NAMES
from forms_api.storage.jobs import STATUS_LABELS

from .access import JOB_ROLES, RETRY_ROLES, Staff, bar_context, page
from .display import local_time

SHOWN = 200
"""Failed jobs listed, newest first."""

TASK_LABELS = {"notice": "通知申请人"}


@page(*JOB_ROLES)
async def jobs_page(request: Request, staff: Staff) -> Response:
    service = request.app.state.service
    context = {
        **bar_context(staff, service.catalog),
        "counts": await service.store.job_counts(),
        "failed": await service.store.failed_jobs(SHOWN),
        "status_labels": STATUS_LABELS,
        "task_labels": TASK_LABELS,
        "channel_names": CHANNEL_NAMES,
        "notice_events": EVENTS,
        "local": local_time,
        "done": request.query_params.get("done") == "retry",
        "runner": request.app.state.runs_jobs,
        "mail": bool(service.settings.smtp_host.strip()),
    }
    return request.app.state.pages.page("后台任务", "staff/jobs.html", context)


@page(*RETRY_ROLES)
async def retry(request: Request, staff: Staff) -> Response:
    job_id = request.path_params["job_id"]
    if not await request.app.state.casework.retry_job(job_id, staff.actor):
        return request.app.state.pages.message(
            "无法重试", "该任务不存在或已不是失败状态，请刷新页面查看", 409
        )
    if request.app.state.runs_jobs:
        request.app.state.runner.wake()
    assert staff.form is not None
    back = str(staff.form.get("next") or "")
    if not back.startswith("/staff/") or back.startswith("//"):
        back = "/staff/jobs"
    separator = "&" if "?" in back else "?"
    return RedirectResponse(f"{back}{separator}done=retry", 303)


ROUTES = [
    Route("/jobs", jobs_page, methods=["GET"]),
    Route("/jobs/{job_id}/retry", retry, methods=["POST"]),
]
