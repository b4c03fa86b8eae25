"""Field types of the catalog schema.

Each type checks a value and, when it is wrong, raises a ``PydanticCustomError`` whose type
is the problem code (E004, E110 ...) and whose message is the Chinese sentence the editor
reads. Each also declares the JSON Schema an editor's YAML plugin uses while typing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from generator.identifiers import credit_code_problem

from . import tables as _t
from .base import join_cjk_lines
from .tables import Table


def fail(code: str, message: str, **context: Any) -> PydanticCustomError:
    return PydanticCustomError(code, message, context)


def choice(table: Table) -> Any:
    """A value from ``table``; integers are accepted for numeric codes."""

    def check(value: str) -> str:
        if value not in table:
            raise fail(
                "E004",
                "的值「{value}」不在{table}代码表中，应为：{options}",
                table=table.name,
                value=value,
                options=table.describe(),
            )
        return value

    schema: dict[str, Any] = {"type": "string", "enum": list(table.entries)}
    if any(table.entries.values()):
        schema["enumDescriptions"] = [table.label(v) for v in table.entries]
    return Annotated[str, BeforeValidator(table.normalize), AfterValidator(check), WithJsonSchema(schema)]


def patterned(
    pattern: str, *, code: str = "E006", hint: str = "", extra: Callable[[str], str | None] | None = None
) -> Any:
    """A string matching ``pattern``; ``hint`` tells the editor what is expected."""
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise fail(code, "的值「{value}」格式不正确{hint}", value=value, hint=hint)
        if extra is not None and (problem := extra(value)):
            raise fail(code, "的值「{value}」{problem}", value=value, problem=problem)
        return value

    return Annotated[
        str,
        BeforeValidator(_digits_as_text),
        AfterValidator(check),
        WithJsonSchema({"type": "string", "pattern": f"^(?:{pattern})$"}),
    ]


def _digits_as_text(value: object) -> object:
    """YAML reads an unquoted 339900, 12345 or 1.2 as a number; such codes are text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def _url_problem(value: str) -> str | None:
    parts = urlsplit(value)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https"):
        return "应以 http:// 或 https:// 开头"
    if not host or (host != "localhost" and "." not in host) or " " in value:
        return "缺少有效的域名，或含有空格"
    return None


def _checked_url(value: str) -> str:
    if problem := _url_problem(value):
        raise fail("E110", "的值「{value}」不是有效网址：{problem}", value=value, problem=problem)
    return value


Url = Annotated[
    str,
    AfterValidator(_checked_url),
    WithJsonSchema({"type": "string", "format": "uri", "pattern": "^https?://"}),
]

Slug = patterned(
    r"[a-z0-9]+(?:-[a-z0-9]+)*",
    hint="，只能使用小写英文字母、数字和连字符，例如 patent-pledge",
)

Identifier = patterned(
    r"[a-z][a-z0-9_]*",
    hint="，应以小写英文字母开头，只含小写字母、数字和下划线，例如 pledge_contract",
)

PHONE_PATTERN = (
    r"1[3-9]\d{9}"  # mobile
    r"|(?:0\d{2,3}-)?[2-9]\d{6,7}(?:-\d{1,6})?"  # landline, optional area code and extension
    r"|1\d{4}"  # government service hotlines: 12345, 12330 ...
    r"|[48]00-?\d{3}-?\d{4}"  # 400 / 800 numbers
)

Phone = patterned(
    PHONE_PATTERN,
    code="E111",
    hint="，应为手机号（如 13800000000）、带区号的固定电话（如 0571-87654321）或服务热线（如 12345）",
)

Email = patterned(
    r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+",
    code="E118",
    hint="，例如 service@example.gov.cn",
)


def _checked_credit_code(value: str) -> str:
    if problem := credit_code_problem(value):
        raise fail(
            "E108", "的值「{value}」不是有效的统一社会信用代码：{problem}", value=value, problem=problem
        )
    return value


CreditCode = Annotated[
    str,
    AfterValidator(_checked_credit_code),
    WithJsonSchema({"type": "string", "pattern": "^[0-9A-HJ-NPQRTUWXY]{18}$"}),
]

Postcode = patterned(r"\d{6}", hint="，应为 6 位数字")

RegionCode = patterned(r"\d{12}", hint="，应为 12 位数字")

Version = patterned(r"\d+(?:\.\d+){0,2}", hint="，应为 1、1.2 或 1.2.3 这样的数字")

FilePath = patterned(
    r"[^/\\:*?\"<>|][^\\:*?\"<>|]*",
    hint="，应为相对于 catalog/files/ 的路径，使用“/”分隔，例如 patent-pledge/申请表.docx",
    extra=lambda v: "不能包含“..”或空的路径段" if any(p in ("", ".", "..") for p in v.split("/")) else None,
)

Text = Annotated[str, Field(min_length=1), AfterValidator(join_cjk_lines)]
"""Text that must not be empty; spaces left by YAML line folding in Chinese are removed."""
Prose = Annotated[str, AfterValidator(join_cjk_lines)]
"""Optional free text, with the same clean-up."""
Term = Annotated[str, BeforeValidator(_digits_as_text), Field(min_length=1)]
"""A search term; an unquoted 12330 is meant as text."""
Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
Count = Annotated[int, Field(ge=0)]


# --- one alias per closed value set, so that models read as plain declarations -----------

ItemTypeCode = choice(_t.ITEM_TYPES)
ExerciseLevelCode = choice(_t.EXERCISE_LEVELS)
BodyNatureCode = choice(_t.BODY_NATURES)
ServiceObjectCode = choice(_t.SERVICE_OBJECTS)
HandlingFormCode = choice(_t.HANDLING_FORMS)
CaseTypeCode = choice(_t.CASE_TYPES)
Subject = choice(_t.SUBJECTS)
Nature = choice(_t.NATURES)
PointKind = choice(_t.POINT_KINDS)
ConstructionMode = choice(_t.CONSTRUCTION_MODES)
ServiceForm = choice(_t.SERVICE_FORMS)
TimeUnit = choice(_t.TIME_UNITS)
ItemState = choice(_t.ITEM_STATES)
MaterialForm = choice(_t.MATERIAL_FORMS)
UploadType = choice(_t.UPLOAD_TYPES)
FormFieldType = choice(_t.FORM_FIELD_TYPES)
HandlingScope = choice(_t.HANDLING_SCOPES)
DepartmentKind = choice(_t.DEPARTMENT_KINDS)
PlatformLevel = choice(_t.PLATFORM_LEVELS)
FeeUnit = choice(_t.FEE_UNITS)
ThemeKind = choice(_t.THEME_KINDS)
AssetType = choice(_t.ASSET_TYPES)
DataLevel = choice(_t.DATA_LEVELS)
UpdateFrequency = choice(_t.UPDATE_FREQUENCIES)
AccessLevel = choice(_t.ACCESS_LEVELS)
StandardKind = choice(_t.STANDARD_KINDS)
AuthoringRole = choice(_t.AUTHORING_ROLES)
StandardState = choice(_t.STANDARD_STATES)
