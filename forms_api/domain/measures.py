"""改进措施 (T/CIPS 007—2024 9.3 a, d): what the centre does about what ratings, complaints,
return visits and the evaluation report found, followed until it is done.

Supervisors and administrators record the measures in the console
(:mod:`forms_api.console.measures`); the evaluation report reads them
(:func:`forms_api.domain.evaluation.report._measure_rows`), so the field names of a stored measure
are fixed:

``kind`` ("measure"), ``measure_no`` (``GJ20261124-000001``, the store's key), ``title``,
``problem``, ``source`` (one of :data:`SOURCES`), ``source_no`` (the receipt number of the
rating, case, complaint, visit, application or consultation it comes from, or empty),
``item`` (``{code, slug, name}`` or None), ``owner`` (a department id), ``due_date``
(ISO date), ``status`` (one of :data:`STATUSES`), ``effect``, ``public`` (bool: shown on the
public results page), ``created_at``, ``created_by``, ``updated_at``, ``completed_at``
(while 已完成), ``revision`` and ``timeline`` (``{at, actor, note}`` per change).

A measure marked public must not carry personal data in its texts: the patterns the FAQ
export blanks out (:data:`forms_api.domain.faq.PERSONAL_PATTERNS`) are refused at their field.

Like :class:`forms_api.domain.casework.Casework`, every create and update writes the measure and its
audit entry in one store write, under a lock, and an update drawn from an older revision is
refused (:class:`Stale`). Measures are never looked up by the public (:data:`PUBLIC_KINDS`
of the service leaves them out) nor opened as records of the workflow.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from forms_api.storage.embedded import Insert
from forms_api.storage.query import Cursor, Page, Query
from generator.forms.fields import Field, Form, Rule, clean, required_when, validate
from generator.schema.tables import MEASURE_DONE, MEASURE_SOURCES, MEASURE_STATES

from . import casework
from .errors import Invalid
from .faq import PERSONAL_PATTERNS
from .receipts import normalize
from .submissions import Service, item_ref, now
from .workflow import Actor

KIND = "measure"

SOURCES = tuple(MEASURE_SOURCES.entries)
SOURCE_LABELS = tuple(MEASURE_SOURCES.label(source) for source in SOURCES)
STATUSES = tuple(MEASURE_STATES.entries)
"""Sources and states are the catalog's code tables: ``catalog/results.yml`` publishes them."""
PLANNED, DONE = STATUSES[0], MEASURE_DONE
PUBLIC = "yes"
"""The value of the 公开 checkbox when ticked."""

SOURCE_KINDS = frozenset({"case", "rating", "complaint", "visit", "application", "consultation"})
"""What a measure can come from (``source_no``): not an audit entry, not another measure."""
SOURCE_OF_KIND = {"case": "评价", "complaint": "投诉", "visit": "回访"}
"""The source of a measure registered from a record's page in the console."""

MAX_TITLE = 200
MAX_TEXT = 2000
CHECKED_TEXTS = ("title", "problem", "effect")
"""The texts a public measure shows: no personal data in them."""

CREATE, UPDATE = "create_measure", "update_measure"
"""The audit log's actions (labelled in :data:`forms_api.domain.audit_labels.AUDIT_LABELS`)."""


class Stale(casework.Stale):
    message = "该改进措施在您打开页面后已被其他人修改，请查看最新内容后重新修改"


def measure_form(service: Service) -> Form:
    """The form of a measure, with the catalog's items and departments to choose from."""
    departments = service.catalog.departments
    items = sorted(service.items_by_code.items(), key=lambda entry: entry[1][1].name)
    fields = (
        Field("title", "措施", max_length=MAX_TITLE, help="采取的改进措施，一句话写清做什么"),
        Field("problem", "发现的问题", kind="textarea", max_length=MAX_TEXT),
        Field("source", "来源", kind="radio", options=SOURCES, option_labels=SOURCE_LABELS),
        Field(
            "source_no",
            "来源编号",
            required=False,
            max_length=32,
            help="措施针对的差评、评价、投诉建议、回访或办件编号，例如 CP20261124-000001；来自评价报告的可不填",
        ),
        Field(
            "item",
            "涉及的事项",
            kind="select",
            required=False,
            options=tuple(code for code, _ in items),
            option_labels=tuple(item.name for _, (_, item) in items),
        ),
        Field(
            "owner",
            "责任部门",
            kind="select",
            options=tuple(departments),
            option_labels=tuple(d.name for d in departments.values()),
        ),
        Field("due_date", "完成期限", kind="date", max_length=10),
        Field("status", "进展", kind="radio", options=STATUSES),
        Field(
            "effect",
            "观察到的效果",
            kind="textarea",
            required=False,
            max_length=MAX_TEXT,
            help="措施完成后的效果，例如差评、投诉是否减少；进展为已完成时必填",
        ),
        Field(
            "public",
            "公开",
            kind="checkboxes",
            required=False,
            options=(PUBLIC,),
            option_labels=("在评价结果公开页面上公开这项措施",),
            help="公开的措施、发现的问题和效果中不能含有个人信息（姓名、手机号码、身份证号码、电话、电子邮箱等）",
        ),
    )
    rules = (
        _real_date("due_date"),
        required_when("effect", lambda v: v.get("status") == DONE, "进展为已完成时，请填写观察到的效果"),
        _no_personal_data,
    )
    return Form("measure", fields, rules)


def _real_date(name: str) -> Rule:
    def rule(values: Mapping[str, str]) -> dict[str, str]:
        try:
            dt.date.fromisoformat(values.get(name, ""))
        except ValueError:
            return {name: "完成期限不是有效的日期，请按 2026-01-05 的格式填写"} if values.get(name) else {}
        return {}

    return rule


async def _source_problem(service: Service, values: Mapping[str, str]) -> dict[str, str]:
    """The source number, when given, must name a rating, case, complaint, visit, application
    or consultation in the store (a look-up, so it is checked beside the form's own rules)."""
    number = normalize(values.get("source_no", ""))
    if not number:
        return {}
    found = await service.store.get(number)
    if found is None or found.get("kind") not in SOURCE_KINDS:
        return {"source_no": f"找不到编号为 {number} 的差评、评价、投诉建议、回访或办件，请核对"}
    return {}


def _no_personal_data(values: Mapping[str, str]) -> dict[str, str]:
    if values.get("public") != PUBLIC:
        return {}
    problems = {}
    for name in CHECKED_TEXTS:
        found = [m.group() for pattern in PERSONAL_PATTERNS for m in pattern.finditer(values.get(name, ""))]
        if found:
            shown = "」「".join(dict.fromkeys(found))
            problems[name] = f"公开的措施不能含有个人信息，请删去「{shown}」，或不勾选公开"
    return problems


def values_of(record: Mapping[str, Any]) -> dict[str, str]:
    """A stored measure as the form's values (to draw the edit form)."""
    return {
        "title": record.get("title", ""),
        "problem": record.get("problem", ""),
        "source": record.get("source", ""),
        "source_no": record.get("source_no", ""),
        "item": (record.get("item") or {}).get("code", ""),
        "owner": record.get("owner", ""),
        "due_date": record.get("due_date", ""),
        "status": record.get("status", ""),
        "effect": record.get("effect", ""),
        "public": PUBLIC if record.get("public") else "",
    }


def overdue(record: Mapping[str, Any], today: dt.date) -> bool:
    """已逾期: the due date has passed and the measure is not done."""
    return (
        record.get("status") != DONE
        and bool(record.get("due_date"))
        and record["due_date"] < today.isoformat()
    )


def new_link(record: Mapping[str, Any]) -> str | None:
    """Where the console registers a measure about ``record`` (a 差评, complaint or return
    visit), with its source and number filled in; None for other records."""
    source = SOURCE_OF_KIND.get(record.get("kind", ""))
    if source is None:
        return None
    return "/staff/measures/new?" + urlencode({"source": source, "source_no": record["receipt_no"]})


class Measures:
    def __init__(self, service: Service) -> None:
        self.service = service
        self.form = measure_form(service)
        self._lock = asyncio.Lock()

    # --- reading ------------------------------------------------------------------------------

    async def get(self, measure_no: str) -> dict[str, Any]:
        record = await self.service.store.get(normalize(measure_no))
        if record is None or record.get("kind") != KIND:
            raise casework.NotFound(measure_no)
        return record

    async def page(self, status: str = "", limit: int = 50, **cursors: Cursor | None) -> Page:
        """A page of the measures with ``status`` (any when empty), newest first."""
        query = Query(KIND, status=frozenset({status}) if status else None)
        return await self.service.store.find(query, limit, **cursors)

    async def counts(self) -> dict[str, int]:
        return await self.service.store.tally(
            {status: Query(KIND, status=frozenset({status})) for status in STATUSES}
        )

    async def prefill(self, source: str, source_no: str) -> dict[str, str]:
        """The new form's values from a link on a record's page: the source, its number, and
        the item and department of that record when it names them."""
        values = {"status": PLANNED}
        if source in SOURCES:
            values["source"] = source
        number = normalize(source_no)[:32]
        found = await self.service.store.get(number) if number else None
        if found is None or found.get("kind") not in SOURCE_KINDS:
            return values
        values["source_no"] = number
        if (code := (found.get("item") or {}).get("code")) in self.service.items_by_code:
            values["item"] = code
        if found.get("department") in self.service.catalog.departments:
            values["owner"] = found["department"]
        return values

    # --- checking -----------------------------------------------------------------------------

    async def check(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """The measure's fields from a submitted form; raises :class:`Invalid` with every problem."""
        values, problems = clean(raw, self.form)
        if "source_no" not in problems:
            problems |= await _source_problem(self.service, values)
        problems = validate(values, self.form, problems)
        if problems:
            raise Invalid(problems)
        return {
            "title": values["title"],
            "problem": values["problem"],
            "source": values["source"],
            "source_no": normalize(values["source_no"]),
            "item": item_ref(self.service.items_by_code.get(values["item"])),
            "owner": values["owner"],
            "due_date": values["due_date"],
            "status": values["status"],
            "effect": values["effect"],
            "public": values["public"] == PUBLIC,
        }

    # --- changing -----------------------------------------------------------------------------

    async def create(self, raw: Mapping[str, Any], actor: Actor) -> dict[str, Any]:
        """Store a new measure and its audit entry; raises :class:`Invalid` (nothing stored)."""
        fields = await self.check(raw)
        async with self._lock:
            moment = now()
            at = moment.isoformat(timespec="seconds")
            measure_no = await self.service.numbers.next(KIND, moment.date())
            record = {
                "kind": KIND,
                "measure_no": measure_no,
                **fields,
                "created_at": at,
                "created_by": actor.name,
                "updated_at": at,
                "completed_at": at if fields["status"] == DONE else None,
                "revision": 0,
                "timeline": [{"at": at, "actor": actor.name, "note": f"登记改进措施（{fields['status']}）"}],
            }
            entry = await self._audit(
                actor, CREATE, {"measure_no": measure_no}, fields, record["timeline"][-1], moment
            )
            await self.service.store.write(inserts=[Insert(KIND, measure_no, record), entry])
        return record

    async def update(
        self, measure_no: str, raw: Mapping[str, Any], actor: Actor, *, revision: int
    ) -> dict[str, Any] | None:
        """Change a measure drawn at ``revision``; the new record, or None when nothing changed.
        Raises ``NotFound``, :class:`Stale` or :class:`Invalid` (nothing stored then)."""
        async with self._lock:
            record = await self.get(measure_no)
            if revision != record.get("revision", 0):
                raise Stale(Stale.message)
            fields = await self.check(raw)
            changed = {name: value for name, value in fields.items() if record.get(name) != value}
            if not changed:
                return None
            moment = now()
            at = moment.isoformat(timespec="seconds")
            if (fields["status"] == DONE) != bool(record.get("completed_at")):
                changed["completed_at"] = at if fields["status"] == DONE else None  # done, or reopened
            step = {"at": at, "actor": actor.name, "note": self._note(record, changed)}
            changes = {
                **changed,
                "updated_at": at,
                "revision": record.get("revision", 0) + 1,
                "timeline": [*record.get("timeline", []), step],
            }
            entry = await self._audit(actor, UPDATE, record, changed, step, moment)
            await self.service.store.write(inserts=[entry], updates=[(record["measure_no"], changes)])
        return {**record, **changes}

    # --- internals ----------------------------------------------------------------------------

    async def _audit(
        self,
        actor: Actor,
        action: str,
        record: Mapping[str, Any],
        changes: Mapping[str, Any],
        step: Mapping[str, Any],
        moment: dt.datetime,
    ) -> Insert:
        entry = casework.audit_entry(
            actor, action, record, changes, step, moment, number=record["measure_no"]
        )
        audit_no = await self.service.numbers.next("audit", moment.date())
        return Insert("audit", audit_no, {"audit_no": audit_no, **entry})

    def _note(self, record: Mapping[str, Any], changed: Mapping[str, Any]) -> str:
        """What an update changed, in words: ``修改了措施、进展（计划中 → 进行中）``."""
        labels = {spec.name: spec.label for spec in self.form.fields}
        parts = []
        for name in changed:
            if name == "status":
                parts.append(f"进展（{record.get('status') or '—'} → {changed['status']}）")
            elif name == "public":
                parts.append("设为公开" if changed["public"] else "取消公开")
            elif name in labels:
                parts.append(labels[name])
        return "修改了" + "、".join(parts)
