"""The editor's field reference, generated from the schema (``generator/schema``).

For every kind of catalog file: where its files live, then every field, nested ones included
as dotted paths (``materials[].upload_types``), with its Chinese label, meaning, type, the
allowed values of its code table, whether it is required, its default and an example. Then
the problem codes ``ipps validate`` reports. Nothing here names a particular field: adding a
field to a model adds a row to this page.

Structure (nesting, required, defaults) comes from the pydantic models; the constraints an
editor's YAML plugin sees (code table values, patterns, ranges) come from each model's JSON
Schema, so that this page and the editor's completion never disagree.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from generator.problems import PROBLEM_CODES
from generator.schema import FILE_KINDS, FileKind
from generator.schema import tables as code_tables
from generator.schema_export import SCHEMA_DIR

from .. import urls
from ..page import Section, SitePage
from ..site import Site

CATALOG_DIR = "catalog"

SCALAR_WORDS: dict[type, str] = {
    bool: "是/否",
    int: "整数",
    float: "数值",
    Decimal: "金额",
    dt.date: "日期",
    str: "文本",
}
"""Python types of scalar fields, as an editor reads them. ``bool`` comes before ``int``."""

JSON_WORDS = {
    "string": "文本",
    "integer": "整数",
    "number": "数值",
    "boolean": "是/否",
    "object": "对象",
    "array": "列表",
}
"""Fallback for types the models may use one day (a mapping, a float): named by their JSON type."""


@dataclass(frozen=True)
class TypeDoc:
    word: str
    """文本, 整数, 是/否, 日期, 金额, 对象, 代码 … or 列表."""
    table: str = ""
    """The code table's Chinese name, for values from a closed set."""
    values: tuple[tuple[str, str], ...] = ()
    """Allowed values with their meanings (the meaning is empty when the value says it all)."""
    notes: tuple[str, ...] = ()
    """Constraints: range, minimum count, must not be empty."""
    pattern: str = ""
    """A regular expression the value must match."""
    item: TypeDoc | None = None
    """For a list: what each entry is."""


@dataclass(frozen=True)
class FieldDoc:
    path: str
    """Dotted path from the top of the file: ``materials[].upload_types``."""
    name: str
    parent: str
    """The path up to and including the last separator: ``materials[].``."""
    depth: int
    label: str
    description: str
    type: TypeDoc
    required: bool
    default: str = ""
    example: str = ""


@dataclass
class KindDoc:
    kind: FileKind
    fields: list[FieldDoc] = field(default_factory=list)

    @property
    def path_pattern(self) -> str:
        return f"{CATALOG_DIR}/{self.kind.pattern}"

    @property
    def schema_path(self) -> str:
        return f"{CATALOG_DIR}/{SCHEMA_DIR}/{self.kind.schema_file}"

    @property
    def required_files(self) -> list[str]:
        return [f"{CATALOG_DIR}/{path}" for path in self.kind.required]


def pages(site: Site) -> Iterator[SitePage]:
    yield SitePage(
        url=urls.EDITOR_REFERENCE,
        title="编辑指南：目录字段参考",
        description=(
            "维护服务事项目录的字段参考：每类目录文件的位置和全部字段（含嵌套字段）的中文名称、含义、类型、"
            "可选值、是否必填和示例，以及校验问题代码，由目录结构定义自动生成。"
        ),
        template="editor-reference.html",
        context=context,
        sections=[Section(kind.name, kind.label) for kind in FILE_KINDS]
        + [Section("problems", "校验问题代码")],
        in_nav=True,
        searchable=False,  # for editors: the public's searches (质押, 软著) should find the items, not field examples
    )


def context() -> dict[str, Any]:
    return {
        "kinds": [KindDoc(kind, list(model_fields(kind.model))) for kind in FILE_KINDS],
        "problems": list(PROBLEM_CODES.items()),
    }


# --- walking the models -------------------------------------------------------------------


def model_fields(
    model: type[BaseModel], prefix: str = "", depth: int = 0, seen: tuple[type, ...] = ()
) -> Iterator[FieldDoc]:
    """Every field of ``model`` and of the models nested in it, in declaration order."""
    schema = _json_schema(model)
    defs = schema.get("$defs", {})
    for name, info in model.model_fields.items():
        path = prefix + name
        node = schema["properties"][name]
        examples = info.examples or []
        yield FieldDoc(
            path=path,
            name=name,
            parent=prefix,
            depth=depth,
            label=info.title or name,
            description=info.description or "",
            type=describe(info.annotation, node, defs),
            required=info.is_required(),
            default="" if info.is_required() else _default(info),
            example=yaml_text(examples[0]) if examples else "",
        )
        nested = nested_model(info.annotation)
        if nested is not None and nested[0] not in seen:
            child, many = nested
            yield from model_fields(child, f"{path}[]." if many else f"{path}.", depth + 1, (*seen, model))


@cache
def _json_schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema()


def _unwrap(annotation: Any) -> Any:
    """Drop ``Annotated`` metadata and ``| None``: the type an editor writes when they write one."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            rest = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(rest) != 1:
                return annotation
            annotation = rest[0]
        else:
            return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def nested_model(annotation: Any) -> tuple[type[BaseModel], bool] | None:
    """The model a field holds (one, or a list of them), if any."""
    annotation = _unwrap(annotation)
    if typing.get_origin(annotation) is list:
        inner = _unwrap(typing.get_args(annotation)[0])
        return (inner, True) if _is_model(inner) else None
    return (annotation, False) if _is_model(annotation) else None


def _non_null(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """The JSON Schema of a value without the ``null`` an optional field also accepts."""
    options = [o for o in node.get("anyOf", []) if o.get("type") != "null"]
    if len(options) == 1:
        node = options[0]
    if "$ref" in node:
        node = {
            **defs.get(node["$ref"].rsplit("/", 1)[-1], {}),
            **{k: v for k, v in node.items() if k != "$ref"},
        }
    return node


def describe(annotation: Any, node: dict[str, Any], defs: dict[str, Any]) -> TypeDoc:
    """What a field holds, in the words of an editor, with its allowed values and constraints."""
    annotation = _unwrap(annotation)
    node = _non_null(node, defs)
    if typing.get_origin(annotation) is list:
        args = typing.get_args(annotation)
        item = describe(args[0] if args else Any, node.get("items", {}), defs)
        notes = (f"至少 {node['minItems']} 项",) if node.get("minItems") else ()
        return TypeDoc("列表", notes=notes, item=item)
    if _is_model(annotation):
        return TypeDoc("对象")
    values = _enum(node)
    if values:
        return TypeDoc("代码", table=_table_name([v for v, _ in values]), values=values)
    word = next((w for t, w in SCALAR_WORDS.items() if annotation is t), None)
    if word is None:
        word = JSON_WORDS.get(node.get("type", ""), "文本")
    notes, pattern = _constraints(node)
    return TypeDoc(word, notes=notes, pattern=pattern)


def _enum(node: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    enum = node.get("enum") or []
    meanings = node.get("enumDescriptions") or [""] * len(enum)
    return tuple((str(v), "" if m == str(v) else str(m)) for v, m in zip(enum, meanings, strict=False))


def _table_name(values: list[str]) -> str:
    for table in vars(code_tables).values():
        if isinstance(table, code_tables.Table) and list(table.entries) == values:
            return table.name
    return ""


def _constraints(node: dict[str, Any]) -> tuple[tuple[str, ...], str]:
    bounds = {**node}
    for option in node.get("anyOf", []):  # a 金额 is written as a number or a string
        bounds = {**option, **bounds}
    notes = []
    low, high = bounds.get("minimum"), bounds.get("maximum")
    if low is not None and high is not None:
        notes.append(f"取值 {_number(low)}—{_number(high)}")
    elif low is not None:
        notes.append(f"不小于 {_number(low)}")
    elif high is not None:
        notes.append(f"不大于 {_number(high)}")
    if bounds.get("minLength") == 1:
        notes.append("不能为空")
    elif bounds.get("minLength"):
        notes.append(f"至少 {bounds['minLength']} 个字符")
    if bounds.get("maxLength"):
        notes.append(f"最多 {bounds['maxLength']} 个字符")
    fmt = bounds.get("format")
    if fmt == "uri":
        notes.append("网址，以 http:// 或 https:// 开头")
        return tuple(notes), ""
    if fmt == "date":
        notes.append("格式为 YYYY-MM-DD")
    return tuple(notes), _readable_pattern(bounds.get("pattern", ""))


def _readable_pattern(pattern: str) -> str:
    """``^(?:x)$`` as ``x``: the value must match the whole expression either way."""
    if pattern.startswith("^(?:") and pattern.endswith(")$"):
        return pattern[4:-2]
    return pattern


def _number(value: float | int) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _default(info: Any) -> str:
    value = info.default_factory() if info.default_factory is not None else info.default
    if value is None or value is PydanticUndefined or isinstance(value, BaseModel) or value == []:
        return ""
    return yaml_text(value)


def yaml_text(value: Any) -> str:
    """A value as an editor writes it in YAML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(yaml_text(v) for v in value) + "]"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
