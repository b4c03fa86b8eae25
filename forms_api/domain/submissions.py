"""What the service does with a submission, apart from HTTP: check it, record it, answer it.

Each ``submit_*`` method takes cleaned form values (and uploads), checks all of them, and
either raises :class:`Invalid` with every problem at once or stores the record and returns
what the applicant is told (receipt number, lookup code, due date).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from anyio.to_thread import run_sync

from forms_api.settings import Settings
from forms_api.storage import filetypes, uploads
from forms_api.storage.blobs import Blobs, blobs_for
from forms_api.storage.crypto import Vault, mask_id, mask_phone, new_lookup_code
from forms_api.storage.embedded import Insert, Store
from forms_api.storage.signing import Signer, signing_key_path
from generator import forms, workdays
from generator.catalog import Catalog
from generator.forms import accepts_applications
from generator.forms.fields import Form, clean, validate
from generator.schema import Item, Material
from generator.schema.tables import SATISFACTION_LEVELS

from . import attestations
from .errors import Conflict, Invalid
from .receipts import Numbers, normalize

SUBMITTED = "已提交"
MB = 1024 * 1024


@dataclass(frozen=True)
class Upload:
    """A file part of a request: which material it is for, the client's name, the bytes."""

    field: str
    filename: str
    data: bytes


@dataclass
class Receipt:
    receipt_no: str
    lookup_code: str
    status: str
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "receipt_no": self.receipt_no,
            "lookup_code": self.lookup_code,
            "status": self.status,
            **self.extra,
        }


def now() -> dt.datetime:
    return dt.datetime.now(workdays.china_tz())


def event(state: str, note: str, at: dt.datetime | None = None) -> dict[str, str]:
    return {"at": (at or now()).isoformat(timespec="seconds"), "state": state, "note": note}


class Service:
    def __init__(
        self,
        settings: Settings,
        catalog: Catalog,
        store: Store,
        vault: Vault,
        blobs: Blobs | None = None,
        signer: Signer | None = None,
    ) -> None:
        self.settings = settings
        self.catalog = catalog
        self.store = store
        self.vault = vault
        self.blobs = blobs or blobs_for(settings)
        """Where uploaded materials and result documents are kept."""
        self.signer = signer or Signer.open(signing_key_path(settings.data_dir))
        """Signs receipts and results (:mod:`.attestations`)."""
        self.numbers = Numbers(store)
        self.items_by_code = {item.implementation_code: (slug, item) for slug, item in catalog.items.items()}

    # --- consultations --------------------------------------------------------------------------

    async def submit_consultation(self, raw: Mapping[str, Any], channel: str) -> Receipt:
        return await self._submit_message(
            "consultation", raw, channel, self.catalog.platform.settings.consultation_reply_days
        )

    # --- complaints and suggestions (9.3 b, c) ---------------------------------------------------

    async def submit_complaint(self, raw: Mapping[str, Any], channel: str) -> Receipt:
        return await self._submit_message(
            "complaint", raw, channel, self.catalog.platform.settings.complaint_reply_days
        )

    async def _submit_message(
        self, kind: str, raw: Mapping[str, Any], channel: str, reply_days: int
    ) -> Receipt:
        """A consultation or a complaint: a person's message, answered within ``reply_days``."""
        form = forms.CONSULTATION if kind == "consultation" else forms.COMPLAINT
        values, problems = self._check(raw, form)
        item = self._item(values.get("item_code", ""), problems, "item_code", for_application=False)
        if problems:
            raise Invalid(problems)
        submitted = now()
        reply_due = workdays.add_working_days(submitted.date(), reply_days)
        code = new_lookup_code()
        receipt_no = await self.numbers.next(kind, submitted.date())
        own = (
            {"type": values["type"], "about_receipt": normalize(values.get("receipt_no", ""))}
            if kind == "complaint"
            else {}
        )
        received = f"收到{values['type']}" if kind == "complaint" else "收到咨询留言"
        record = {
            "kind": kind,
            **own,
            "receipt_no": receipt_no,
            "lookup": self.vault.code_hash(code),
            "status": SUBMITTED,
            "submitted_at": submitted.isoformat(timespec="seconds"),
            "channel": channel,
            "name": values["name"],
            **self._phone(values.get("phone", "")),
            "email": values.get("email", ""),
            "item": item_ref(item),
            "subject": values["subject"],
            "message": values["message"],
            "reply_due": reply_due.date.isoformat(),
            "reply_due_provisional": reply_due.provisional,
            "timeline": [event(SUBMITTED, received, submitted)],
        }
        record["signed"] = self.sign_receipt(record, reply_due.date.isoformat())
        await self.store.insert(kind, receipt_no, record)
        return Receipt(
            receipt_no, code, SUBMITTED, {"reply_due": reply_due.date.isoformat(), **signed_fields(record)}
        )

    # --- applications ---------------------------------------------------------------------------

    def application_form(self, item_code: str) -> tuple[str, Item, Form] | None:
        found = self.items_by_code.get(item_code)
        if found is None or not accepts_applications(found[1]):
            return None
        return found[0], found[1], forms.application_form(found[1])

    async def submit_application(self, raw: Mapping[str, Any], files: list[Upload], channel: str) -> Receipt:
        problems: dict[str, str] = {}
        found = self.application_form(str(raw.get("item_code", "")).strip())
        if found is None:
            self._item(str(raw.get("item_code", "")).strip(), problems, "item_code", for_application=True)
            raise Invalid(problems or {"item_code": "请选择要申请的事项"})
        slug, item, form = found
        values, problems = self._check(raw, form)
        # Sniffing, hashing and fsync wait on the CPU and the disk: off the event loop.
        received = await run_sync(self.check_files, item, files, problems)
        if problems:
            raise Invalid(problems)
        stored: list[uploads.StoredFile] = []
        try:
            for _, upload in received:
                stored.append(await run_sync(self.blobs.save, upload.data))
            submitted = now()
            # An estimate for the receipt: the clock starts at acceptance (workflow.deadlines).
            due = workdays.due_date(submitted.date(), item.promised_time_limit)
            code = new_lookup_code()
            receipt_no = await self.numbers.next("application", submitted.date())
            record = self._application_record(
                receipt_no, code, slug, item, form, values, received, stored, submitted
            )
            record["channel"] = channel
            record["signed"] = self.sign_receipt(record, due.date.isoformat())
            await self.store.insert("application", receipt_no, record)
        except BaseException:
            for file in stored:  # nothing is kept of a submission that was not stored
                await run_sync(self.blobs.remove, file)
            raise
        return Receipt(
            receipt_no,
            code,
            SUBMITTED,
            {
                "due_date": due.date.isoformat(),
                "due_date_provisional": due.provisional,
                "item_name": item.name,
                **signed_fields(record),
            },
        )

    def sign_receipt(self, record: Mapping[str, Any], due: str) -> dict[str, Any]:
        return attestations.sign_receipt(self.signer, record, self.catalog.platform.name, due)

    def check_files(
        self, item: Item, files: list[Upload], problems: dict[str, str], wanted: set[str] | None = None
    ) -> list[tuple[Material, Upload]]:
        """The uploads that may be stored, each with its material; what is wrong with the
        others goes into ``problems`` by material id.

        ``wanted``: the materials asked for in a correction. Only they are taken, and each of
        them is required (the one-shot rule: everything asked for comes at once).
        """
        by_field: dict[str, Upload] = {}
        for upload in files:
            if upload.field in by_field:
                problems[upload.field] = "每份材料只能上传一个文件，请合并为一个 PDF 后上传"
            by_field[upload.field] = upload
        materials = [m for m in item.materials if wanted is None or m.id in wanted]
        known = {m.id for m in materials}
        for name, upload in by_field.items():
            if name not in known and upload.data:
                problems[name] = "本事项没有这份材料" if wanted is None else "这份材料不在补正要求之列"
        received = []
        for material in materials:
            upload = by_field.get(material.id)
            if material.online_exempt:  # handed in at the counter, also when asked again
                continue
            if upload is None or not upload.data:
                if material.required or wanted is not None:
                    problems[material.id] = f"请上传{material.name}"
                continue
            limit = (
                material.max_size_mb
                or self.settings.max_file_mb
                or self.catalog.platform.settings.upload_max_file_mb
            ) * MB
            if message := filetypes.check(upload.data, material.upload_types, limit):
                problems[material.id] = f"{material.name}：{message}"
            else:
                received.append((material, upload))
        return received

    def _application_record(
        self,
        receipt_no: str,
        code: str,
        slug: str,
        item: Item,
        form: Form,
        values: dict[str, str],
        received: list[tuple[Material, Upload]],
        stored: list[uploads.StoredFile],
        submitted: dt.datetime,
    ) -> dict[str, Any]:
        """The 申请受理表 (annex F.2.1): receipt time, applicant, item, materials received."""
        person = values["applicant_type"] == "自然人"
        applicant: dict[str, Any] = {
            "type": values["applicant_type"],
            "name": values["applicant_name"],
            **self._phone(values["phone"]),
            "email": values.get("email", ""),
        }
        if person:
            number = values["id_number"].upper()
            applicant |= {"id_number_enc": self.vault.encrypt(number), "id_number_masked": mask_id(number)}
        else:
            applicant["credit_code"] = values["credit_code"].upper()
        own = {f.id: values.get(f.id, "") for f in item.application_fields}
        return {
            "kind": "application",
            "receipt_no": receipt_no,
            "lookup": self.vault.code_hash(code),
            "status": SUBMITTED,
            "submitted_at": submitted.isoformat(timespec="seconds"),
            "item": item_ref((slug, item)),
            "applicant": applicant,
            "fields": own,
            "materials": [
                {
                    "id": material.id,
                    "name": material.name,
                    "file_name": upload.filename[:200],
                    "stored_name": file.stored_name,
                    "size": file.size,
                    "type": file.type,
                    "sha256": file.sha256,
                }
                for (material, upload), file in zip(received, stored, strict=True)
            ],
            "timeline": [event(SUBMITTED, f"收到网上申请，材料 {len(stored)} 份", submitted)],
        }

    # --- ratings --------------------------------------------------------------------------------

    async def submit_rating(self, raw: Mapping[str, Any], channel: str) -> Receipt:
        values, problems = self._check(raw, forms.RATING)
        target: dict[str, Any] = {}
        unique: tuple[str, ...] = ()
        if values.get("receipt_no") and "receipt_no" not in problems and "lookup_code" not in problems:
            receipt_no = normalize(values["receipt_no"])
            if await self.own_record(receipt_no, values.get("lookup_code", "")) is None:
                problems["receipt_no"] = "办件编号或查询码不正确，请核对回执"
            else:
                target = {"receipt_no": receipt_no}
                unique = (f"rated:{receipt_no}",)
        elif values.get("item_code"):
            item = self._item(values["item_code"], problems, "item_code", for_application=False)
            target = {"item": item_ref(item)}
        if problems:
            raise Invalid(problems)
        submitted = now()
        rating_no = await self.numbers.next("rating", submitted.date())
        level = int(values["level"])
        record = {
            "kind": "rating",
            "rating_no": rating_no,
            "submitted_at": submitted.isoformat(timespec="seconds"),
            "channel": channel,
            "level": level,
            "bad": level >= 4,
            "sub": {name: int(values[name]) for name, _ in forms.SUB_INDICATORS if values.get(name)},
            "comment": values.get("comment", ""),
            **target,
        }
        inserts = [Insert("rating", rating_no, record, unique)]
        extra: dict[str, Any] = {"bad": record["bad"]}
        if record["bad"]:  # 差评: a case for the responsible department, in the same write
            case = await self._bad_rating_case(record, submitted)
            inserts.append(Insert("case", case["receipt_no"], case))
            extra["case_due"] = case["due_date"]
        try:
            await self.store.write(inserts=inserts)
        except KeyError:
            raise Conflict("这项服务已经评价过了，每个办件只能评价一次") from None
        return Receipt(rating_no, "", "已评价", extra)

    async def _bad_rating_case(self, rating: dict[str, Any], at: dt.datetime) -> dict[str, Any]:
        """The case a 差评 opens (9.2, 9.3): due in the platform's ``bad_rating_days`` working
        days, with the department responsible for what was rated. A rating of a receipt is
        named (the person can be visited); a rating of a guide page is anonymous."""
        rated = await self.store.get(rating["receipt_no"]) if rating.get("receipt_no") else None
        item_ref = (rated or rating).get("item")
        found = self.items_by_code.get((item_ref or {}).get("code", ""))
        if rated is not None and rated["kind"] == "consultation" and rated.get("department"):
            department = rated["department"]  # the department that answered
        else:
            department = found[1].department if found else ""  # none: the supervisors take it
        due = workdays.add_working_days(at.date(), self.catalog.platform.settings.bad_rating_days)
        case_no = await self.numbers.next("case", at.date())
        note = f"收到差评（{SATISFACTION_LEVELS.entries[str(rating['level'])]}）"
        return {
            "kind": "case",
            "receipt_no": case_no,
            "rating_no": rating["rating_no"],
            "rated_receipt": rating.get("receipt_no", ""),
            "named": rated is not None,
            "item": item_ref,
            "department": department,
            "level": rating["level"],
            "comment": rating["comment"],
            "channel": rating["channel"],
            "status": "待处理",
            "submitted_at": rating["submitted_at"],
            "due_date": due.date.isoformat(),
            "due_date_provisional": due.provisional,
            "timeline": [event("待处理", note + (f"：{rating['comment']}" if rating["comment"] else ""), at)],
        }

    # --- lookup ---------------------------------------------------------------------------------

    async def lookup(self, receipt_no: str, code: str) -> dict[str, Any] | None:
        """What the submitter may see of their own submission, or None (unknown receipt and
        wrong code alike)."""
        record = await self.own_record(normalize(receipt_no), code)
        if record is None:
            return None
        return public_view(record, rated=await self.store.contains(f"rated:{record['receipt_no']}"))

    async def own_record(
        self, receipt_no: str, code: str, kinds: Collection[str] | None = None
    ) -> dict[str, Any] | None:
        """The record of one of ``kinds`` with this number if ``code`` is its lookup code, else
        None (an unknown number and a wrong code take the same work and give the same answer).
        ``kinds``: by default what a submitter looks up (:data:`PUBLIC_KINDS`)."""
        record = await self.store.get(receipt_no)
        if record is None or record.get("kind") not in (PUBLIC_KINDS if kinds is None else kinds):
            self.vault.code_matches(code, "0" * 64)  # the same work as a real check: no timing hint
            return None
        return record if self.vault.code_matches(code, record["lookup"]) else None

    # --- helpers ------------------------------------------------------------------------------

    def _check(self, raw: Mapping[str, Any], form: Form) -> tuple[dict[str, str], dict[str, str]]:
        values, problems = clean(raw, form)
        return values, validate(values, form, problems)

    def _item(
        self, code: str, problems: dict[str, str], field_name: str, *, for_application: bool
    ) -> tuple[str, Item] | None:
        if not code:
            return None
        found = self.items_by_code.get(code)
        if found is None:
            problems[field_name] = "找不到这个事项，请从事项页面进入"
        elif found[1].status.state == "取消":
            problems[field_name] = f"事项“{found[1].name}”已取消，不再受理"
        elif for_application and not accepts_applications(found[1]):
            problems[field_name] = f"事项“{found[1].name}”目前不接受网上申请"
        return found

    def _phone(self, phone: str) -> dict[str, str]:
        phone = phone.replace(" ", "")
        if not phone:
            return {}
        return {"phone_enc": self.vault.encrypt(phone), "phone_masked": mask_phone(phone)}


def item_ref(found: tuple[str, Item] | None) -> dict[str, str] | None:
    if found is None:
        return None
    slug, item = found
    return {"code": item.implementation_code, "slug": slug, "name": item.name}


CORRECTION = "需补正"
FINISHED = frozenset({"已办结", "已答复", "不予受理"})
PUBLIC_KINDS = {"consultation": "咨询", "application": "申请", "complaint": "投诉建议"}
"""What a submitter can look up with a receipt and its code, and what the lookup calls it."""
INTERNAL_ACTIONS = frozenset({"assign", "remind", "mark_faq"})
"""Steps of the centre's own work (分派, 催告, FAQ) that the submitter's timeline leaves out."""


def signed_fields(record: Mapping[str, Any]) -> dict[str, str]:
    """What a receipt shows of its signature: the signature and the verification code."""
    signature = record["signed"]["signature"]
    return {"signature": signature, "verify_code": attestations.verification_code(signature)}


def correction_list(record: Mapping[str, Any]) -> list[str]:
    """What the latest correction request asks for, one line each (material: note; free text)."""
    last = (record.get("corrections") or [{}])[-1]
    listed = [m["name"] + (f"：{m['note']}" if m.get("note") else "") for m in last.get("materials", [])]
    return [*listed, *([last["note"]] if last.get("note") else [])]


def public_view(record: Mapping[str, Any], *, rated: bool) -> dict[str, Any]:
    """What the submitter may see of their submission: states, dates and the texts meant for
    them; never who on the staff did what (names and roles stay in the console)."""
    view: dict[str, Any] = {
        "receipt_no": record["receipt_no"],
        "kind": PUBLIC_KINDS[record["kind"]],
        "status": record["status"],
        "submitted_at": record["submitted_at"],
        "item": record.get("item"),
        "timeline": [
            {"at": step["at"], "state": step["state"], "note": step.get("note", "")}
            for step in record.get("timeline", [])
            if step.get("action") not in INTERNAL_ACTIONS
        ],
        "corrections": correction_list(record) if record["status"] == CORRECTION else [],
        "reply": {"text": record["reply"]["text"], "at": record["reply"]["at"]}
        if record.get("reply")
        else None,
        "rated": rated,
        # F.1.3: once answered or closed, the lookup invites a rating (complaints are not rated)
        "may_rate": not rated and record["kind"] != "complaint" and record["status"] in FINISHED,
    }
    if record["kind"] == "application":
        view["accepted"] = bool(record.get("accepted_at"))
        view["due_date"] = record.get("due_date") if record.get("accepted_at") else None
        view["materials"] = [{"name": m["name"], "size": m["size"]} for m in record.get("materials", [])]
        if record.get("refusal_reason"):
            view["refusal_reason"] = record["refusal_reason"]
        if result := record.get("result"):
            view["result"] = {"text": result["text"], "document": result.get("document", "")}
            if signed := result.get("signed"):
                view["result"]["verify_code"] = attestations.verification_code(signed["signature"])
            if file := result.get("file"):
                view["result"]["file"] = {"name": file["file_name"], "size": file["size"]}
        if record["status"] == CORRECTION:
            view["correction_url"] = f"/api/lookup/{record['receipt_no']}/correction"
    else:
        view["subject"] = record.get("subject")
        view["reply_due"] = record.get("reply_due")
    return view
