"""From consultations staff marked as FAQ candidates to ``catalog/faq.yml`` (``ipps faq export``).

The 咨询问答手册 (T/CIPS 007—2024 annex F, table F.1, 服务咨询 b) is catalog data, published
like everything else through a pull request: staff mark answered consultations in the
console (``mark_faq``, which stores ``faq: {at, by}`` on the record); this module appends
those not yet in the handbook to ``faq.yml``, and an editor polishes them before the pull
request is merged.

Reading the store
    Beside a running server: the consultations marked as candidates are read from a
    consistent copy of the embedded store or from PostgreSQL (:mod:`forms_api.storage.offline`).

Personal data
    Only the subject, the message and the reply text are read from a record, with its receipt
    number and the item asked about. The person's name, phone and e-mail are never written;
    they are used only to blank out the person's name and e-mail where the texts repeat them.
    Mobile phone and ID numbers in the texts, and e-mail addresses in the question, are
    blanked out too (:data:`REDACTED`); the editor removes whatever else names the person.

Writing
    New entries are appended as YAML text at the end of the file, so the editor's text and
    comments stay exactly as they were; a file that does not exist yet is created with the
    schema modeline. Before anything is written the result is parsed again and checked: the
    entries that were there are unchanged, the new ones read back as built, and the file
    passes the schema. It is then written to a temporary file beside it, fsynced and renamed
    over it. Consultations already in the file (by ``source``) are skipped, so running the
    export twice adds nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from forms_api.storage.catalog_text import dump_yaml, write_atomically
from forms_api.storage.offline import ReadFailed, read
from forms_api.storage.query import Query
from generator.catalog import check_catalog
from generator.problems import Problem
from generator.schema import FILE_KINDS, FaqFile
from generator.schema.faq import CONSULTATION_RECEIPT, receipt_day
from generator.schema_export import modeline
from generator.validation.messages import translate
from generator.yamlsource import YamlSyntaxError, parse_reference

from .columns import columns_of

FAQ_FILE = "faq.yml"
FAQ_KIND = next(kind for kind in FILE_KINDS if kind.name == "faq")
INDENT = 2
"""Indentation of the list in a new ``faq.yml``."""

REDACTED = "〔已隐去〕"

HEADER = (
    "# 咨询问答手册（T/CIPS 007—2024 附录 F 表 F.1“服务咨询”第 2 项）：从咨询留言中整理出的常见问题和解答。\n"
    "# `ipps faq export` 把工作人员列入常见问题的咨询追加到本文件末尾；发布前请把问题和解答改写通顺，\n"
    "# 删去姓名、电话、单位名称等个人信息，再通过合并请求提交。item 填写事项的文件名，综合问题不填；\n"
    "# 决定不收录的条目不要删除（下次导出会再次添加），把 hidden 设为 true 即不在网站上显示。\n"
)

_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)|(?<!\d)1[3-9]\d[*＊]{4}\d{4}(?!\d)")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-?[2-9]\d{6,7}(?!\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
PERSONAL_PATTERNS = (_MOBILE, _ID_NUMBER, _LANDLINE, _EMAIL)
"""What is blanked out in what the person wrote."""
_IN_ANSWER = (_MOBILE, _ID_NUMBER)
"""…and in the reply, which may rightly give the centre's own landline and e-mail."""
_HONORIFICS = "先生|女士|同志|老师"


class ExportError(Exception):
    """The export cannot be done; the message (Chinese) says why."""


class FaqFileInvalid(ExportError):
    """``faq.yml`` has problems: fix them (``ipps validate``) before exporting."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{FAQ_FILE} 有 {len(problems)} 个问题")
        self.problems = problems


@dataclass(frozen=True)
class Candidate:
    """What the handbook takes from one consultation: nothing that names the person."""

    source: str
    question: str
    answer: str
    item: str | None
    """The item's slug in the catalog, or None for a general question."""
    item_name: str = ""
    lost_item: str = ""
    """The name of the item asked about when it is no longer in the catalog."""
    redactions: int = 0


@dataclass
class ExportResult:
    path: Path
    added: list[Candidate]
    marked: int
    """Consultations marked as FAQ candidates, with a reply."""
    appended: str = ""
    """The YAML text added to the file (also when nothing was written: ``dry_run``)."""
    created: bool = False
    written: bool = False
    redactions: int = 0
    """Places where personal details were blanked out in the added entries."""


# --- the whole export ------------------------------------------------------------------------------


def export(
    store_dir: Path, catalog_dir: Path, *, today: dt.date, dry_run: bool = False, database_url: str = ""
) -> ExportResult:
    """Append the FAQ candidates of the store (at ``store_dir``, or in PostgreSQL at
    ``database_url``) that ``catalog_dir/faq.yml`` does not have yet; with ``dry_run`` only
    work out what would be appended."""
    store_dir, catalog_dir = Path(store_dir), Path(catalog_dir)
    path = catalog_dir / FAQ_FILE
    if not catalog_dir.is_dir():
        raise ExportError(f"目录文件夹 {catalog_dir} 不存在")
    items, existing = _catalog(catalog_dir)
    if not database_url and not store_dir.is_dir():
        raise ExportError(
            f"没有找到办件数据 {store_dir}：还没有咨询留言，或数据目录不对（可用 --data-dir 指定）"
        )
    candidates = read_candidates(store_dir, items, database_url)
    added = [c for c in candidates if c.source not in existing]
    result = ExportResult(path, added, len(candidates), redactions=sum(c.redactions for c in added))
    if not added:
        return result
    old_text = path.read_text(encoding="utf-8") if path.exists() else None
    new_text, result.appended = append_entries(old_text, added, today)
    check_appended(path, old_text, new_text, added, today)
    result.created = old_text is None
    if not dry_run:
        write_atomically(path, new_text)
        result.written = True
    return result


@dataclass(frozen=True)
class Items:
    """The catalog's items as the export finds them: (slug, name) by implementation code and
    by slug (a record whose item's code has changed since is still found by its slug)."""

    by_code: dict[str, tuple[str, str]] = field(default_factory=dict)
    by_slug: dict[str, tuple[str, str]] = field(default_factory=dict)

    def find(self, asked: Mapping[str, Any]) -> tuple[str, str] | None:
        return self.by_code.get(str(asked.get("code", ""))) or self.by_slug.get(str(asked.get("slug", "")))


def _catalog(catalog_dir: Path) -> tuple[Items, set[str]]:
    """The catalog's items, and the sources already in the handbook.

    The catalog is checked as ``ipps validate`` checks it; only problems in ``faq.yml`` stop
    the export (the rest of the catalog may be mid-edit in the working tree)."""
    parts, problems = check_catalog(catalog_dir, display_root=catalog_dir)
    mine = [p for p in problems if p.path == FAQ_FILE]
    if mine:
        raise FaqFileInvalid(mine)
    items = Items()
    for source in parts.of_kind("item"):
        data = source.data if isinstance(source.data, dict) else {}
        found = (source.stem, str(data.get("name") or source.stem))
        items.by_slug[source.stem] = found
        if isinstance(code := data.get("implementation_code"), str):
            items.by_code.setdefault(code, found)
    faq = parts.single("faq")
    return items, {entry.source for entry in faq.faqs} if faq else set()


# --- reading the store ------------------------------------------------------------------------------


def read_candidates(store_dir: Path, items: Items, database_url: str = "") -> list[Candidate]:
    """Every consultation marked as a FAQ candidate that has a reply, by receipt number."""
    try:
        [marked] = read(store_dir, database_url, [Query("consultation", flag=True)], columns=columns_of)
    except ReadFailed as error:
        raise ExportError(str(error)) from None
    return sorted(
        (candidate(record, items) for record in marked if is_candidate(record)), key=lambda c: c.source
    )


def is_candidate(record: Mapping[str, Any]) -> bool:
    """Marked as a FAQ candidate, answered, and with something asked."""
    reply = record.get("reply")
    asked = f"{record.get('subject') or ''}{record.get('message') or ''}"
    return (
        bool(record.get("faq"))
        and bool(asked.strip())
        and isinstance(reply, dict)
        and isinstance(reply.get("text"), str)
        and bool(reply["text"].strip())
        and isinstance(receipt_no := record.get("receipt_no"), str)
        and re.fullmatch(CONSULTATION_RECEIPT, receipt_no) is not None
        and receipt_day(receipt_no) is not None
    )


def candidate(record: Mapping[str, Any], items: Items) -> Candidate:
    """The question and answer of one consultation, with the person's details blanked out."""
    name = str(record.get("name") or "").strip()
    email = str(record.get("email") or "").strip()
    subject = _clean(str(record.get("subject") or ""))
    message = _clean(str(record.get("message") or ""))
    if subject and message and not subject.endswith(tuple("？?。！!：:；;，,")):
        subject += "："
    question, blanked_q = redact(subject + message, name, email, PERSONAL_PATTERNS)
    answer, blanked_a = redact(_clean(str(record["reply"]["text"])), name, email, _IN_ANSWER)
    slug, item_name, lost = None, "", ""
    asked = record.get("item")
    if isinstance(asked, dict):
        if found := items.find(asked):
            slug, item_name = found
        else:
            lost = str(asked.get("name") or asked.get("code") or "")
    return Candidate(
        source=str(record["receipt_no"]),
        question=question,
        answer=answer,
        item=slug,
        item_name=item_name,
        lost_item=lost,
        redactions=blanked_q + blanked_a,
    )


def _clean(text: str) -> str:
    """Line ends normalised, spaces at line ends and blank lines at either end removed."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip()


def redact(text: str, name: str, email: str, patterns: Iterable[re.Pattern[str]]) -> tuple[str, int]:
    """``text`` with the person's name and e-mail and whatever ``patterns`` match blanked out,
    and how many places were."""
    count = 0
    exact = [re.escape(v) for v in (email, name) if len(v) >= 2]
    if len(name) >= 2:  # 张三 -> 张先生, 张女士
        exact.append(re.escape(name[0]) + f"(?:{_HONORIFICS})")
    for pattern in [re.compile("|".join(exact))] if exact else []:
        text, n = pattern.subn(REDACTED, text)
        count += n
    for pattern in patterns:
        text, n = pattern.subn(REDACTED, text)
        count += n
    return text, count


# --- the YAML text -----------------------------------------------------------------------------------


def entry_data(c: Candidate, today: dt.date) -> dict[str, Any]:
    """The entry as ``faq.yml`` holds it (and as it must read back)."""
    data: dict[str, Any] = {"question": c.question, "answer": c.answer}
    if c.item:
        data["item"] = c.item
    data["source"] = c.source
    data["published"] = today
    return data


def entry_text(c: Candidate, today: dt.date, indent: int) -> str:
    """One list entry as YAML lines, indented by ``indent``."""
    dumped = dump_yaml([entry_data(c, today)])
    lines = dumped.splitlines()
    if c.item:  # the item's name beside its file name, for the editor
        lines = [f"{line}  # {c.item_name}" if line == f"  item: {c.item}" else line for line in lines]
    if c.lost_item:
        lines.append(f"  # 咨询时选择的事项「{_one_line(c.lost_item)}」已不在目录中，请确认问题归属")
    pad = " " * indent
    return "".join(f"{pad}{line}\n" if line else "\n" for line in lines)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def append_entries(old_text: str | None, added: list[Candidate], today: dt.date) -> tuple[str, str]:
    """The file with ``added`` appended, and the text appended (see the module docstring)."""
    if old_text is None:
        head = f"{modeline(FAQ_KIND, FAQ_FILE)}\n{HEADER}faqs:\n"
        indent = INDENT
    else:
        head, indent = _open_end(old_text)
    note = f"# 以下 {len(added)} 条由 ipps faq export 于 {today.isoformat()} 从咨询留言导出，发布前请润色并删去个人信息\n"
    appended = " " * indent + note + "".join(entry_text(c, today, indent) for c in added)
    return head + appended, appended


def _open_end(text: str) -> tuple[str, int]:
    """``text`` ready for entries to be appended at its end, and their indentation."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:  # checked by the catalog's reading before; be safe anyway
        raise ExportError(f"{FAQ_FILE} 无法解析：{error}") from None
    if not isinstance(root, yaml.MappingNode) or not root.value:
        raise ExportError(f"{FAQ_FILE} 的内容应为以“faqs:”开头的问答列表")
    key, value = root.value[-1]
    if not isinstance(key, yaml.ScalarNode) or key.value != "faqs":
        raise ExportError(f"{FAQ_FILE} 中 faqs 应是最后一个字段，才能在文件末尾追加问答")
    if not isinstance(value, yaml.SequenceNode):
        raise ExportError(f"{FAQ_FILE} 中的 faqs 应为列表")
    if value.flow_style is True:
        if value.value:
            raise ExportError(
                f"{FAQ_FILE}:{value.start_mark.line + 1}: faqs 写成了方括号形式，无法追加；"
                "请改为每项以“- ”开头、逐行书写的形式后重试"
            )
        # ``faqs: []``: drop the brackets, the entries follow on the next lines
        start, end = value.start_mark.index, value.end_mark.index
        text = text[:start].rstrip(" ") + text[end:]
        indent = INDENT
    else:
        indent = value.start_mark.column
    if not text.endswith("\n"):
        text += "\n"
    return text, indent


def check_appended(
    path: Path, old_text: str | None, new_text: str, added: list[Candidate], today: dt.date
) -> None:
    """Read the new file back: old entries unchanged, new ones as built, the schema satisfied."""
    try:
        new = parse_reference(new_text, path).data
        old = parse_reference(old_text, path).data if old_text is not None else {"faqs": []}
        FaqFile.model_validate(new)
    except YamlSyntaxError as error:
        raise ExportError(f"追加后的 {FAQ_FILE} 未通过检查，未写入：{error.message}") from None
    except ValidationError as error:
        finding = translate(FAQ_FILE, FaqFile, error.errors()[0])
        raise ExportError(f"追加后的 {FAQ_FILE} 未通过检查，未写入：{finding.message}") from None
    expected = old.get("faqs", []) + [_as_read(entry_data(c, today)) for c in added]
    if new.get("faqs") != expected or set(new) != set(old):
        raise ExportError(f"追加后的 {FAQ_FILE} 与预期不符，未写入：请检查文件末尾的写法")


def _as_read(data: dict[str, Any]) -> dict[str, Any]:
    """An entry as the catalog reader gives it back: dates stay text."""
    return {key: value.isoformat() if isinstance(value, dt.date) else value for key, value in data.items()}
