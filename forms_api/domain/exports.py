"""Lists of applications and consultations for supervisors, as CSV and XLSX files.

Functions of stored records (:mod:`forms_api.domain.submissions` writes them):
:func:`iter_rows` makes the table's rows one at a time, :func:`write_csv` and
:func:`write_xlsx` stream them into a file that also says what it holds (:class:`About`: the
list, when and by whom, the filters, masked or not, and the number of rows), so an export of
any size takes bounded memory and never stops short without saying so. The console decides
who may export what, runs the writing in a worker thread and sends the file
(:data:`MEDIA_TYPES`, :func:`filename`).

Personal data is masked unless asked for: names as on the staff pages (林晓 → 林*, an
organisation's name stays), the phone and ID number as stored masked beside their encrypted
form, the e-mail address to its first character and domain. Given ``reveal`` (the vault's
``decrypt``), :func:`rows` writes them whole, decrypting ``phone_enc`` and ``id_number_enc``.

Cells are text. A CSV cell that a spreadsheet would take for a formula (starting with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return) gets a leading apostrophe; XLSX cells are
written as strings, which spreadsheets never evaluate. Excel reads a CSV's long digit strings
as numbers (an 18-digit ID number loses its last digits), so a list with ID numbers revealed
is best downloaded as XLSX.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, BinaryIO

import xlsxwriter

from generator.workdays import china_tz

from .masking import mask_email, mask_name
from .workflow.deadlines import NONE, OVERDUE, deadline_state

APPLICATION, CONSULTATION = "application", "consultation"

COLUMNS: Mapping[str, tuple[tuple[str, str], ...]] = MappingProxyType(
    {
        APPLICATION: (
            ("receipt_no", "办件编号"),
            ("item", "事项"),
            ("item_code", "事项编码"),
            ("applicant_type", "申请人类型"),
            ("applicant", "申请人"),
            ("id_number", "证件号码"),
            ("phone", "联系电话"),
            ("email", "电子邮箱"),
            ("submitted_at", "提交时间"),
            ("status", "状态"),
            ("accepted_at", "受理时间"),
            ("due_date", "办结期限"),
            ("completed_at", "办结时间"),
            ("late", "是否超期"),
            ("result", "办理结果"),
        ),
        CONSULTATION: (
            ("receipt_no", "留言编号"),
            ("item", "事项"),
            ("subject", "主题"),
            ("name", "留言人"),
            ("phone", "联系电话"),
            ("email", "电子邮箱"),
            ("submitted_at", "提交时间"),
            ("status", "状态"),
            ("department", "承办部门"),
            ("reply_due", "答复期限"),
            ("replied_at", "答复时间"),
        ),
    }
)
"""Per kind of record, its columns: (key, heading)."""

TITLES: Mapping[str, str] = MappingProxyType({APPLICATION: "网上办件", CONSULTATION: "咨询留言"})
"""Per kind, the name of the list (the XLSX sheet's name)."""

MEDIA_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
)

_FILE_STEMS = {APPLICATION: "applications", CONSULTATION: "consultations"}

Reveal = Callable[[str], str]
"""Turns an encrypted value of a record back into the value (``Vault.decrypt``)."""


def headings(kind: str) -> list[str]:
    return [heading for _, heading in _columns(kind)]


def rows(
    kind: str,
    records: Iterable[Mapping[str, Any]],
    *,
    reveal: Reveal | None = None,
    departments: Mapping[str, str] | None = None,
    today: dt.date | None = None,
) -> list[list[str]]:
    """:func:`iter_rows` as a list."""
    return list(iter_rows(kind, records, reveal=reveal, departments=departments, today=today))


def iter_rows(
    kind: str,
    records: Iterable[Mapping[str, Any]],
    *,
    reveal: Reveal | None = None,
    departments: Mapping[str, str] | None = None,
    today: dt.date | None = None,
) -> Iterator[list[str]]:
    """One row of text per record of ``kind`` (``application`` or ``consultation``), in the
    order of :data:`COLUMNS`, made as they are read (an export of any size in bounded memory).

    ``reveal``: write names, phone and ID numbers and e-mail addresses whole (decrypting with
    it; what it raises is not caught). ``departments``: department names by id, for 承办部门
    (an unknown id is written as it is). ``today`` (a date in China): whether an application
    still being handled is past its due date (是否超期); without it the column says so only
    for completed applications.
    """
    columns = _columns(kind)
    cells = _application if kind == APPLICATION else _consultation
    for record in records:
        if record.get("kind", kind) != kind:
            raise ValueError(
                f"记录 {record.get('receipt_no', '')} 的类型为 {record.get('kind')}，不是 {kind}"
            )
        values = cells(record, reveal, departments or {}, today)
        yield [values.get(key, "") for key, _ in columns]


@dataclass(frozen=True)
class About:
    """What an export holds, stated in the file itself: the list, when and by whom it was
    made, the filters (label, value) and whether personal data is masked."""

    kind: str
    made_at: str
    made_by: str
    filters: tuple[tuple[str, str], ...] = ()
    revealed: bool = False

    def lines(self, count: int) -> list[tuple[str, str]]:
        shown = self.filters or (("筛选条件", "无（全部记录）"),)
        return [
            ("清单", TITLES[self.kind]),
            ("导出时间", self.made_at),
            ("导出人", self.made_by),
            *shown,
            ("个人信息", "完整（未遮蔽）" if self.revealed else "已遮蔽"),
            ("记录数", f"{count} 条"),
        ]


def write_csv(kind: str, rows: Iterable[Sequence[str]], target: BinaryIO, about: About) -> int:
    """Write the export to ``target``: what it holds (:class:`About`, with the number of rows),
    an empty line, the heading row and ``rows``. UTF-8 with a byte order mark (Excel then reads
    the Chinese right), CRLF line ends, quoted where needed, formula-like cells defused.

    The rows are written to a temporary file first, so that the count at the top is the
    count of rows below it, in bounded memory. Returns the number of rows."""
    count = 0
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as body:
        writer = csv.writer(body, dialect="excel", lineterminator="\r\n")
        writer.writerow(headings(kind))
        for row in rows:
            writer.writerow([defuse(cell) for cell in row])
            count += 1
        body.seek(0)
        head = io.StringIO(newline="")
        csv.writer(head, dialect="excel", lineterminator="\r\n").writerows(
            [[defuse(label), defuse(value)] for label, value in about.lines(count)] + [[]]
        )
        target.write(head.getvalue().encode("utf-8-sig"))
        while chunk := body.read(1 << 16):
            target.write(chunk.encode("utf-8"))
    return count


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse(cell: str) -> str:
    """``cell`` with a leading apostrophe if a spreadsheet would read it as a formula."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
"""Control characters XML (and so XLSX) cannot hold."""

MIN_WIDTH, MAX_WIDTH = 6, 60


def _xml_safe(value: str) -> str:
    """``value`` without the control characters XML cannot hold (most cells have none, and
    ``isprintable`` tells in C)."""
    return value if value.isprintable() else _ILLEGAL.sub("", value)


WIDTH_SAMPLE = 500
"""Rows read before the columns' widths are set (a streamed sheet cannot widen them later)."""
ABOUT_SHEET = "说明"


def write_xlsx(kind: str, rows: Iterable[Sequence[str]], target: str | Path, about: About) -> int:
    """Write the export to the file ``target``: a sheet of the heading row and ``rows`` (the
    heading bold and frozen, with a filter; columns as wide as the first rows need, within
    limits; every cell text), and a sheet :data:`ABOUT_SHEET` saying what it holds
    (:class:`About`, with the number of rows). Rows are written as they come and flushed to
    disk (XlsxWriter's constant_memory mode). Returns the number of rows."""
    header = headings(kind)
    workbook = xlsxwriter.Workbook(
        str(target),
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    workbook.set_properties({"title": TITLES[kind]})
    sheet = workbook.add_worksheet(TITLES[kind])
    notes = workbook.add_worksheet(ABOUT_SHEET)
    bold = workbook.add_format({"bold": True, "valign": "top", "text_wrap": True, "num_format": "@"})
    text = workbook.add_format({"valign": "top", "text_wrap": True, "num_format": "@"})
    rows = iter(rows)
    first = list(itertools.islice(rows, WIDTH_SAMPLE))
    widths = [_width(heading) for heading in header]
    for row in first:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], _width(value))
    for i, width in enumerate(widths):
        sheet.set_column(i, i, max(MIN_WIDTH, min(MAX_WIDTH, width + 2)), text)
    sheet.freeze_panes(1, 0)
    for i, heading in enumerate(header):
        sheet.write_string(0, i, heading, bold)
    count = 0
    for count, row in enumerate(itertools.chain(first, rows), start=1):
        for i, value in enumerate(row):
            sheet.write_string(count, i, _xml_safe(value), text)  # a string is never a formula
    sheet.autofilter(0, 0, max(count, 1), len(header) - 1)
    notes.set_column(0, 0, 12, bold)
    notes.set_column(1, 1, 60, text)
    for r, (label, value) in enumerate(about.lines(count)):
        notes.write_string(r, 0, label, bold)
        notes.write_string(r, 1, _xml_safe(value), text)
    workbook.close()
    return count


def filename(kind: str, extension: str, day: dt.date) -> str:
    """``applications-2026-11-24.xlsx``: ASCII, so it needs no encoding in a download's header."""
    _columns(kind)
    return f"{_FILE_STEMS[kind]}-{day.isoformat()}.{extension}"


# --- the cells of one record ---------------------------------------------------------------------


def _application(
    record: Mapping[str, Any], reveal: Reveal | None, departments: Mapping[str, str], today: dt.date | None
) -> dict[str, str]:
    applicant = record.get("applicant") or {}
    item = record.get("item") or {}
    person = applicant.get("type", "自然人") == "自然人"
    name = _text(applicant.get("name"))
    if reveal is not None:
        id_number = _decrypted(reveal, applicant.get("id_number_enc")) or _text(applicant.get("credit_code"))
    else:
        id_number = _text(applicant.get("id_number_masked") or applicant.get("credit_code"))
    result = (record.get("result") or {}).get("text") or ""
    if not result and record.get("refusal_reason"):
        result = f"不予受理：{record['refusal_reason']}"
    return {
        "receipt_no": _text(record.get("receipt_no")),
        "item": _text(item.get("name")),
        "item_code": _text(item.get("code")),
        "applicant_type": _text(applicant.get("type")),
        "applicant": name if reveal is not None or not person else mask_name(name),
        "id_number": id_number,
        "phone": _phone(applicant, reveal),
        "email": _email(applicant, reveal),
        "submitted_at": _time(record.get("submitted_at")),
        "status": _text(record.get("status")),
        "accepted_at": _time(record.get("accepted_at")),
        "due_date": _text(record.get("due_date")),
        "completed_at": _time(record.get("completed_at")),
        "late": _late(record, today),
        "result": _text(result),
    }


def _consultation(
    record: Mapping[str, Any], reveal: Reveal | None, departments: Mapping[str, str], today: dt.date | None
) -> dict[str, str]:
    item = record.get("item") or {}
    name = _text(record.get("name"))
    department = _text(record.get("department"))
    return {
        "receipt_no": _text(record.get("receipt_no")),
        "item": _text(item.get("name")),
        "subject": _text(record.get("subject")),
        "name": name if reveal is not None else mask_name(name),
        "phone": _phone(record, reveal),
        "email": _email(record, reveal),
        "submitted_at": _time(record.get("submitted_at")),
        "status": _text(record.get("status")),
        "department": departments.get(department, department),
        "reply_due": _text(record.get("reply_due")),
        "replied_at": _time(record.get("replied_at")),
    }


def _columns(kind: str) -> tuple[tuple[str, str], ...]:
    try:
        return COLUMNS[kind]
    except KeyError:
        raise ValueError(f"未知的导出类型「{kind}」，应为 {APPLICATION} 或 {CONSULTATION}") from None


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _decrypted(reveal: Reveal, token: Any) -> str:
    return reveal(token) if token else ""


def _phone(person: Mapping[str, Any], reveal: Reveal | None) -> str:
    if reveal is not None and person.get("phone_enc"):
        return _decrypted(reveal, person["phone_enc"])
    return _text(person.get("phone_masked"))


def _email(person: Mapping[str, Any], reveal: Reveal | None) -> str:
    address = _text(person.get("email")).strip()
    return address if reveal is not None else mask_email(address)


def _time(stamp: Any) -> str:
    """A stored ISO time as China's local time, ``2026-11-24 10:00:00``; other text as it is."""
    if not stamp:
        return ""
    try:
        moment = dt.datetime.fromisoformat(str(stamp))
    except ValueError:
        return str(stamp)
    if moment.tzinfo is not None:
        moment = moment.astimezone(china_tz())
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _late(record: Mapping[str, Any], today: dt.date | None) -> str:
    """是 or 否 for a completed application, and with ``today`` for one whose clock runs."""
    if "completed_late" in record:
        return "是" if record["completed_late"] else "否"
    if today is None:
        return ""
    state = deadline_state(record, today).state
    return "" if state == NONE else "是" if state == OVERDUE else "否"


def _width(text: str) -> int:
    """Columns the longest line of ``text`` takes in a spreadsheet: a Chinese character is two."""
    return max((len(line.encode("utf-8")) + len(line)) // 2 for line in text.split("\n"))
