"""The ``notice`` task: telling an applicant of a status change, one job per channel.

:func:`notice_jobs` is called by :mod:`forms_api.domain.casework` for every action and gives
the jobs to write with it: one per channel the person left (e-mail, a mobile number), due at
once, with an id made of the receipt number, the record's new revision and the channel, so
that each change is told once. E-mail is queued only when a mail server is configured
(``smtp_host``): without one it could only fail. The payload names the record and the event and carries what
the action decided (the materials to correct, the reason for refusing); the person's contact
details stay in the record, encrypted, and are read when the job runs.

:func:`notice_handler` runs such a job: it reads the record, builds the notice and delivers it
through the :class:`~forms_api.delivery.notifier.Notifier` under the job's id as message id.
The attempt's history line names the channel and the recipient as staff may see it (the
e-mail address and the phone number masked).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from forms_api.delivery.notices import Notice, NoticeError, build_notice
from forms_api.delivery.notifier import DeliveryFailed, Notifier
from forms_api.logs import REQUEST_ID
from forms_api.metrics import NOTICES
from forms_api.storage.crypto import mask_phone
from forms_api.storage.jobs import Job, JobRun

from ..appointments import BOOKED, REMINDER_EVENT
from ..masking import mask_email
from ..submissions import Service
from .runner import Failed, Finished, Handler

TASK = "notice"

EVENTS_OF_ACTIONS = {
    "accept": "accepted",
    "request_correction": "correction",
    "refuse": "rejected",
    "complete": "completed",
    "accept_and_complete": "completed",
    "reply": "replied",
    "answer": "replied",
}
"""Actions whose status change the applicant is told of (``progress`` too, the first time)."""

log = logging.getLogger("ipps.notify")


def event_of(before: Mapping[str, Any], after: Mapping[str, Any], action: str) -> str | None:
    if action == "progress" and before.get("status") != after.get("status"):
        return "in_progress"
    return EVENTS_OF_ACTIONS.get(action)


def _person(record: Mapping[str, Any]) -> Mapping[str, Any]:
    return (record.get("applicant") if record.get("kind") == "application" else record) or {}


def _build(service: Service, record: Mapping[str, Any], payload: Mapping[str, Any], phone: str) -> Notice:
    return build_notice(
        record,
        payload["event"],
        phone=phone,
        problems=payload.get("problems", ()),
        reason=payload.get("reason", ""),
        platform_name=service.catalog.platform.name,
    )


def notice_jobs(
    service: Service, before: Mapping[str, Any], after: Mapping[str, Any], action: str, at: dt.datetime
) -> list[Job]:
    """The notice jobs of ``action`` having turned ``before`` into ``after`` (none when the
    applicant is not told of it, or left no contact)."""
    event = event_of(before, after, action)
    if event is None:
        return []
    payload = {
        "receipt_no": after["receipt_no"],
        "request_id": REQUEST_ID.get(),
        "event": event,
        "problems": problems_of(after) if event == "correction" else [],
        "reason": after.get("refusal_reason", "") if event == "rejected" else "",
    }
    try:  # a notice that cannot be built (a correction with nothing listed) is not queued
        _build(service, after, payload, phone="")
    except NoticeError:
        log.exception("no notice for %s %s", after.get("receipt_no"), action)
        return []
    person = _person(after)
    email = bool(person.get("email")) and bool(service.settings.smtp_host.strip())  # else never sent
    channels = [c for c, has in (("email", email), ("sms", bool(person.get("phone_enc")))) if has]
    revision = after.get("revision", 0)
    return [
        Job(
            f"{TASK}:{after['receipt_no']}:{revision}:{channel}",
            TASK,
            {**payload, "channel": channel},
            at,
            record=after["receipt_no"],
        )
        for channel in channels
    ]


def problems_of(record: Mapping[str, Any]) -> list[str]:
    """What the last correction request lists, as the notice states it."""
    last = (record.get("corrections") or [{}])[-1]
    listed = [m["name"] + (f"（{m['note']}）" if m.get("note") else "") for m in last.get("materials", [])]
    return [*listed, *([last["note"]] if last.get("note") else [])]


def notice_handler(service: Service, notifier: Notifier) -> Handler:
    async def handle(run: JobRun) -> Finished:
        payload, channel = run.payload, run.payload.get("channel", "")
        note = {"channel": channel, "event": payload.get("event", "")}
        record = await service.store.get(payload.get("receipt_no", ""))
        if record is None:
            raise Failed(f"办件 {payload.get('receipt_no')} 不存在", temporary=False, note=note)
        if payload.get("event") == REMINDER_EVENT and record.get("status") != BOOKED:
            return Finished(note={**note, "skipped": f"预约{record.get('status', '')}，不再提醒"})
        person = _person(record)
        phone = ""
        if channel == "sms" and person.get("phone_enc"):
            phone = service.vault.decrypt(person["phone_enc"])
        try:
            notice = _build(service, record, payload, phone)
        except NoticeError as error:
            raise Failed(str(error), temporary=False, note=note) from None
        try:
            to = await notifier.deliver(notice, channel, run.id)
        except DeliveryFailed as failure:
            NOTICES.labels(channel, "failed").inc()
            raise Failed(
                str(failure), temporary=failure.temporary, note={**note, "to": _shown(notice, channel)}
            ) from None
        NOTICES.labels(channel, "sent").inc()
        return Finished(note={**note, "to": mask_email(to) if channel == "email" else to})

    return handle


def _shown(notice: Notice, channel: str) -> str:
    if channel == "email":
        return mask_email(notice.email)
    return mask_phone(notice.phone) if notice.phone else ""
