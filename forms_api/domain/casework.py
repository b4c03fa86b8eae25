"""Taking a workflow action on a stored record: the step between a console form (or an
applicant's correction) and the store.

:func:`forms_api.domain.workflow.apply` decides, purely, what an action changes. :meth:`Casework.act`
does the rest, in this order:

1. Reads the record and refuses to act on one that changed since the person looked at it
   (``revision``: every change raises the record's ``revision`` by one, and the console's
   forms carry the revision they were drawn from), so that two people deciding on the same
   application cannot both act on what they saw: the second is told to look again.
2. Checks any files that come with the action (a result document when completing; the
   corrected materials from the applicant), all problems at once with the entered values.
3. Writes the record's changes and the audit entry in one store write: both or neither
   survive a crash. The audit entry (:func:`audit_entry`) says who, what, when, on which
   record, and the fields before and after.
4. Queues, in that same write, the notice jobs of a status change the applicant is told of
   (:mod:`.jobs.notices`): the notice goes out after the answer, from a worker, and is never
   lost between the two.

Actions on one service are serialized by a lock: reading, checking and writing take a few
milliseconds, and staff actions are few, so no record changes between its check and its write.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from anyio.to_thread import run_sync

from forms_api.storage import filetypes, uploads
from forms_api.storage.embedded import Insert

from . import attestations, workflow
from .audit_labels import AUDIT_LABELS
from .errors import Invalid
from .jobs.notices import notice_jobs
from .jobs.visits import visit_job
from .submissions import Service, Upload, now
from .workflow.rules import COMPLETED, ROLE_LABELS

log = logging.getLogger("ipps.casework")

RESULT_FILE = "document_file"
"""The form field of the result document uploaded when completing."""

RESULT_TYPES = ("pdf", "jpg", "png")
RESULT_MAX_MB = 20

AUDIT_SKIPPED = frozenset({"timeline", "revision"})
"""Fields an audit entry does not repeat: the timeline only grows (the event is in the entry)."""


class NotFound(Exception):
    """No application or consultation has this receipt number."""


class Stale(Exception):
    """The record changed since the form was shown; ``message`` says so in Chinese."""

    message = "该办件在您打开页面后已被其他人更新，请查看最新情况后重新操作"


@dataclass(frozen=True)
class Done:
    record: dict[str, Any]
    notices: int
    """Notice jobs queued with the action (the caller may wake the job runner)."""


class Casework:
    def __init__(self, service: Service) -> None:
        self.service = service
        self._lock = asyncio.Lock()

    # --- reading ------------------------------------------------------------------------------

    async def record(self, receipt_no: str) -> dict[str, Any]:
        record = await self.service.store.get(receipt_no)
        if record is None or record.get("kind") not in workflow.GRAPHS:
            raise NotFound(receipt_no)
        return record

    def rules(self, record: Mapping[str, Any]) -> workflow.ItemRules | None:
        """The item's rules for an application (None for a consultation, or an item that has
        left the catalog — then no action can be taken on it)."""
        if record.get("kind") != "application":
            return None
        found = self.service.items_by_code.get((record.get("item") or {}).get("code", ""))
        return workflow.ItemRules.of(found[1]) if found else None

    # --- acting -------------------------------------------------------------------------------

    async def act(
        self,
        receipt_no: str,
        action: str,
        actor: workflow.Actor,
        payload: Mapping[str, Any],
        *,
        revision: int | None = None,
        files: Sequence[Upload] = (),
    ) -> Done:
        """Take ``action``; raises :class:`NotFound`, :class:`Stale`, ``workflow.Refused`` or
        ``Invalid`` (nothing is stored then)."""
        async with self._lock:
            record = await self.record(receipt_no)
            if revision is not None and revision != record.get("revision", 0):
                raise Stale(Stale.message)
            item = self.rules(record)
            if record["kind"] == "application" and item is None:
                raise workflow.Refused("该办件的事项已不在事项目录中，无法在线办理，请联系管理员")
            moment = now()
            problems: dict[str, str] = {}
            try:
                outcome = workflow.apply(
                    record, action, actor, payload, moment, item, departments=self.service.catalog.departments
                )
            except Invalid as exc:  # told together with the files' problems
                problems = dict(exc.problems)
            received = await self._check_files(record, action, files, problems)
            if problems:
                raise Invalid(problems)
            stored: list[uploads.StoredFile] = []
            try:
                for _, upload in received:
                    stored.append(await run_sync(self.service.blobs.save, upload.data))
                changes = _changes(record, action, outcome, list(zip(received, stored, strict=True)))
                if "result" in changes:  # the result document, signed with what it is (8.2.6 b)
                    changes["result"] = attestations.sign_result(
                        self.service.signer,
                        record,
                        changes["result"],
                        changes.get("completed_at", moment.isoformat(timespec="seconds")),
                        self.service.catalog.platform.name,
                    )
                entry = audit_entry(actor, action, record, changes, outcome.event, moment)
                audit_no = await self.service.numbers.next("audit", moment.date())
                inserts = [Insert("audit", audit_no, {"audit_no": audit_no, **entry})]
                updated = {**record, **changes}
                jobs = notice_jobs(self.service, record, updated, action, moment)
                finished = changes.get("status") == COMPLETED and record["kind"] == "application"
                percent = self.service.catalog.platform.settings.return_visit_sample_percent
                if finished and item and sampled(receipt_no, percent):  # 9.2: visited when due
                    jobs.append(visit_job(receipt_no, moment.date()))
                await self.service.store.write(inserts=inserts, updates=[(receipt_no, changes)], jobs=jobs)
            except BaseException:
                for file in stored:  # nothing is kept of an action that was not stored
                    await run_sync(self.service.blobs.remove, file)
                raise
        return Done(updated, len(jobs))

    async def log_access(
        self, receipt_no: str | None, actor: workflow.Actor, action: str, details: Mapping[str, Any]
    ) -> None:
        """Record in the audit log that ``actor`` looked at something guarded (revealed personal
        data, opened a material, exported a list), without changing the record."""
        moment = now()
        entry = {
            "kind": "audit",
            "at": moment.isoformat(timespec="seconds"),
            "actor": actor.name,
            "role": actor.role,
            "action": action,
            "label": AUDIT_LABELS.get(action, action),
            "record": receipt_no,
            "details": dict(details),
        }
        audit_no = await self.service.numbers.next("audit", moment.date())
        await self.service.store.insert("audit", audit_no, {"audit_no": audit_no, **entry})

    async def retry_job(self, job_id: str, actor: workflow.Actor) -> bool:
        """Queue a failed job again, in one write with its audit entry; False when it is not
        (or no longer) failed."""
        job = await self.service.store.job(job_id)
        if job is None:
            return False
        moment = now()
        audit_no = await self.service.numbers.next("audit", moment.date())
        entry = {
            "audit_no": audit_no,
            "kind": "audit",
            "at": moment.isoformat(timespec="seconds"),
            "actor": actor.name,
            "role": actor.role,
            "role_label": ROLE_LABELS.get(actor.role, actor.role),
            "action": "job_retry",
            "label": AUDIT_LABELS["job_retry"],
            "record": job.record or None,
            "details": {"job": job.id, "task": job.task, "error": job.last_error},
        }
        return await self.service.store.requeue(job_id, moment, inserts=[Insert("audit", audit_no, entry)])

    # --- internals ----------------------------------------------------------------------------

    async def _check_files(
        self, record: Mapping[str, Any], action: str, files: Sequence[Upload], problems: dict[str, str]
    ) -> list[tuple[Any, Upload]]:
        """The files an action takes, each with what it is (a material, or the result document);
        what is wrong with them goes into ``problems``."""
        if action == "receive_correction":
            wanted = {m["id"] for m in (record.get("corrections") or [{}])[-1].get("materials", [])}
            item = self.service.items_by_code[record["item"]["code"]][1]
            return await run_sync(self.service.check_files, item, list(files), problems, wanted)
        chosen = [f for f in files if f.data]
        if action not in ("complete", "accept_and_complete"):
            if chosen:
                problems["files"] = "该操作不需要上传文件"
            return []
        if any(f.field != RESULT_FILE for f in chosen) or len(chosen) > 1:
            problems[RESULT_FILE] = "只能上传一个结果文书文件"
            return []
        if chosen:
            limit = (self.service.settings.max_file_mb or RESULT_MAX_MB) * filetypes.MB
            if message := filetypes.check(chosen[0].data, RESULT_TYPES, limit):
                problems[RESULT_FILE] = f"结果文书：{message}"
                return []
        return [(RESULT_FILE, upload) for upload in chosen]


def sampled(receipt_no: str, percent: int) -> bool:
    """Whether the schedule picks ``receipt_no``: its hash falls in the first ``percent`` of 100."""
    return int(hashlib.sha256(receipt_no.encode()).hexdigest(), 16) % 100 < percent


def audit_entry(
    actor: workflow.Actor,
    action: str,
    record: Mapping[str, Any],
    changes: Mapping[str, Any],
    event: Mapping[str, Any],
    at: dt.datetime,
    *,
    number: str | None = None,
) -> dict[str, Any]:
    """Who did what, when, on which record (``number``, by default its receipt number): the
    changed fields before and after."""
    changed = [name for name in changes if name not in AUDIT_SKIPPED]
    return {
        "kind": "audit",
        "at": at.isoformat(timespec="seconds"),
        "actor": actor.name,
        "role": actor.role,
        "role_label": ROLE_LABELS.get(actor.role, actor.role),
        "action": action,
        "label": AUDIT_LABELS.get(action, action),
        "record": number or record["receipt_no"],
        "before": {name: record.get(name) for name in changed},
        "after": {name: changes[name] for name in changed},
        "note": event.get("note", ""),
    }


def _changes(
    record: Mapping[str, Any],
    action: str,
    outcome: workflow.Outcome,
    files: Sequence[tuple[tuple[Any, Upload], uploads.StoredFile]],
) -> dict[str, Any]:
    """The outcome's changes, with the files saved for it, the new event and revision."""
    changes = dict(outcome.changes)
    if action == "receive_correction" and files:
        round_no = len(record.get("corrections", []))
        added = [
            {"id": material.id, "name": material.name, **_file_entry(upload, file), "correction": round_no}
            for (material, upload), file in files
        ]
        changes["materials"] = [*record.get("materials", []), *added]
    elif files:  # the result document
        ((_, upload), file) = files[0]
        changes["result"] = {**changes["result"], "file": _file_entry(upload, file)}
    changes["timeline"] = [*record.get("timeline", []), outcome.event]
    changes["revision"] = record.get("revision", 0) + 1
    return changes


def _file_entry(upload: Upload, file: uploads.StoredFile) -> dict[str, Any]:
    return {
        "file_name": upload.filename[:200],
        "stored_name": file.stored_name,
        "size": file.size,
        "type": file.type,
        "sha256": file.sha256,
    }
