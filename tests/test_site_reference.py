"""The editor's field reference: every field of every catalog model, generated from the schema."""

from __future__ import annotations

import datetime as dt
import types
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from generator.problems import PROBLEM_CODES
from generator.schema import FILE_KINDS
from generator.schema.base import CatalogModel, field
from generator.schema.tables import SUBJECTS, UPLOAD_TYPES
from generator.schema.types import Money, Subject, Text
from generator.site import urls
from generator.site.pages import reference

from .conftest import html_of


def text(node) -> str:
    return " ".join(node.get_text(" ", strip=True).split())


def _bare(annotation: Any) -> Any:
    """``X | None``, ``Annotated[X, ...]`` and ``list[X]`` down to X."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated or origin is list:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        else:
            return annotation


def walk(model: type[BaseModel], prefix: str = "") -> dict[str, tuple[str, bool, type[BaseModel], str]]:
    """path -> (label, required, owning model, field name), written independently of the page."""
    found = {}
    for name, info in model.model_fields.items():
        path = prefix + name
        found[path] = (info.title, info.is_required(), model, name)
        inner = _bare(info.annotation)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            many = typing.get_origin(_unoptional(info.annotation)) is list
            found |= walk(inner, f"{path}[]." if many else f"{path}.")
    return found


def _unoptional(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return next(a for a in typing.get_args(annotation) if a is not type(None))
    return annotation


def allowed_values(model: type[BaseModel], name: str) -> list[str]:
    """The enum of a field (or of its list entries) in the model's JSON Schema."""
    node = model.model_json_schema()["properties"][name]
    options = [o for o in node.get("anyOf", [node]) if o.get("type") != "null"]
    node = options[0]
    node = node.get("items", node)
    return [str(v) for v in node.get("enum", [])]


@pytest.fixture(scope="module")
def page(built_site: Path):
    return html_of(built_site, urls.EDITOR_REFERENCE)


def rows_of(page, kind_name: str) -> dict[str, Any]:
    section = page.select_one(f'section.ipps-kind[data-kind="{kind_name}"]')
    assert section is not None, kind_name
    return {row["data-field"]: row for row in section.select("table.ipps-fields tbody tr")}


@pytest.mark.parametrize("kind", FILE_KINDS, ids=lambda k: k.name)
def test_every_field_of_every_model_is_listed_with_its_label(page, kind) -> None:
    expected = walk(kind.model)
    rows = rows_of(page, kind.name)
    assert list(rows) == list(expected), "every field, nested ones included, in declaration order"
    for path, (label, required, model, name) in expected.items():
        row = rows[path]
        key = row.select_one("th .ipps-field-key code, th code")
        assert text(key).replace(" ", "") == path
        assert text(row.select_one(".ipps-field-label")) == label
        badge = text(row.select_one(".ipps-field-required .ipps-badge"))
        assert badge == ("必填" if required else "选填"), path
        description = model.model_fields[name].description
        assert description in text(row)
        examples = model.model_fields[name].examples
        if examples and isinstance(examples[0], str):
            assert text(row.select_one(".ipps-field-example code")) == " ".join(examples[0].split())
        values = allowed_values(model, name)
        shown = [text(code) for code in row.select(".ipps-field-type ul.ipps-values code")]
        assert shown == values, path
        assert row["id"] == f"{kind.name}.{path}"


def test_sections_name_each_file_kind_with_its_path(page) -> None:
    for kind in FILE_KINDS:
        heading = page.find("h2", id=kind.name)
        assert heading is not None and text(heading) == kind.label
        section = heading.find_parent("section")
        assert text(section.select_one("code[data-pattern]")) == f"catalog/{kind.pattern}"
    toc = list(
        dict.fromkeys(a["href"] for a in page.select(".md-nav--secondary a"))
    )  # shown twice: sidebar and drawer
    assert toc == [f"#{kind.name}" for kind in FILE_KINDS] + ["#problems"]


def test_nested_upload_types_show_their_allowed_values(page) -> None:
    row = rows_of(page, "item")["materials[].upload_types"]
    assert text(row.select_one(".ipps-field-label")) == "允许上传的文件类型"
    values = {text(li.code): text(li) for li in row.select("ul.ipps-values li")}
    assert list(values) == list(UPLOAD_TYPES.entries)
    for code, meaning in UPLOAD_TYPES.entries.items():
        assert meaning in values[code]
    assert "列表" in text(row.select_one(".ipps-field-type"))
    assert UPLOAD_TYPES.name in text(row.select_one(".ipps-field-type"))
    assert "[pdf]" in text(row.select_one(".ipps-field-required")), "the default is shown"


def test_problem_codes_are_listed(page) -> None:
    rows = page.select("table.ipps-problems tbody tr")
    assert [(text(r.th), text(r.td)) for r in rows] == list(PROBLEM_CODES.items())
    assert "CONTRIBUTING.md" in text(page.select_one("article"))


# --- the reference follows the schema: a new field is documented without touching the page -----


class _Part(CatalogModel):
    size: int = field("大小", "部件的大小。", example=3, ge=1, le=9)


class _Example(CatalogModel):
    title: Text = field("标题", "示例标题。", example="示例")
    subject: Subject = field("客体", "一个服务客体。")
    price: Money = field("价格", "金额。", example=12)
    on: dt.date = field("日期", "某天。", example="2026-01-01")
    flag: bool = field("开关", "是否开启。", default=False)
    parts: list[_Part] = field("部件", "部件列表。", default_factory=list)
    main: _Part | None = field("主部件", "可选的一个部件。", default=None)


def test_a_new_model_is_documented_from_its_declaration() -> None:
    docs = {f.path: f for f in reference.model_fields(_Example)}
    assert list(docs) == [
        "title",
        "subject",
        "price",
        "on",
        "flag",
        "parts",
        "parts[].size",
        "main",
        "main.size",
    ]
    words = {path: doc.type.word for path, doc in docs.items()}
    assert words == {
        "title": "文本",
        "subject": "代码",
        "price": "金额",
        "on": "日期",
        "flag": "是/否",
        "parts": "列表",
        "parts[].size": "整数",
        "main": "对象",
        "main.size": "整数",
    }
    assert [v for v, _ in docs["subject"].type.values] == list(SUBJECTS.entries)
    assert docs["subject"].type.table == "服务客体"
    assert docs["parts"].type.item.word == "对象"
    assert docs["parts[].size"].type.notes == ("取值 1—9",)
    assert docs["flag"].default == "false" and not docs["flag"].required
    assert docs["price"].required and docs["price"].example == "12"
