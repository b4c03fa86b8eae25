"""Form fields declared once: validated by the service, described in OpenAPI, rendered on
the site (generator/templates/forms/).

A form is a list of :class:`Field` plus rules across fields. :func:`validate` checks every
field and every rule and returns every problem at once (一次性告知), keyed by field name, in
the form's order, with a Chinese message for the person filling it in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from generator.identifiers import credit_code_problem, id_number_problem
from generator.schema.types import PHONE_PATTERN

_PHONE = re.compile(f"(?:{PHONE_PATTERN})")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")

KINDS = (
    "text",
    "textarea",
    "email",
    "tel",
    "select",
    "radio",
    "checkboxes",
    "number",
    "date",
    "hidden",
    "id_number",
    "credit_code",
    "password",
)


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"
    required: bool = True
    max_length: int = 200
    options: tuple[str, ...] = ()
    option_labels: tuple[str, ...] = ()
    """What a person reads for each option (default: the option itself)."""
    pattern: str | None = None
    help: str = ""
    autocomplete: str | None = None
    """The HTML autocomplete token (name, tel, email …), for browsers and assistive technology."""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown field kind {self.kind}")
        if self.option_labels and len(self.option_labels) != len(self.options):
            raise ValueError(f"{self.name}: one label per option")

    @property
    def choices(self) -> list[tuple[str, str]]:
        return list(zip(self.options, self.option_labels or self.options, strict=True))


Rule = Callable[[Mapping[str, str]], dict[str, str]]
"""A check across fields: values in, {field name: message} out."""


@dataclass(frozen=True)
class Form:
    name: str
    fields: tuple[Field, ...]
    rules: tuple[Rule, ...] = field(default=())

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


def clean(raw: Mapping[str, Any], form: Form) -> tuple[dict[str, str], dict[str, str]]:
    """The submitted values of ``form``'s fields as stripped text, and the fields whose value
    is not text at all (an object, or several values where one is expected).

    Checkbox lists are joined with newlines; JSON numbers and booleans are read as text.
    """
    values: dict[str, str] = {}
    problems: dict[str, str] = {}
    for spec in form.fields:
        value = raw.get(spec.name)
        if isinstance(value, list | tuple):
            if spec.kind != "checkboxes" and len(value) > 1:
                problems[spec.name] = f"{spec.label}只能填写一项"
            if any(not isinstance(v, str | int | float) for v in value):
                problems[spec.name] = f"{spec.label}的内容应为文字"
                value = ""
            else:
                value = "\n".join(str(v).strip() for v in value if str(v).strip())
        elif value is None:
            value = ""
        elif isinstance(value, bool):
            value = "true" if value else ""
        elif not isinstance(value, str | int | float):
            problems[spec.name] = f"{spec.label}的内容应为文字"
            value = ""
        values[spec.name] = str(value).strip()
    return values, problems


def validate(values: Mapping[str, str], form: Form, found: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every problem of ``values``, by field name in the form's order; empty when all is well.

    ``found`` are problems already known (from :func:`clean`); they take precedence.
    """
    problems: dict[str, str] = dict(found or {})
    for spec in form.fields:
        if spec.name in problems:
            continue
        if message := check(spec, values.get(spec.name, "")):
            problems[spec.name] = message
    for rule in form.rules:
        for name, message in rule(values).items():
            problems.setdefault(name, message)
    order = [f.name for f in form.fields]
    return dict(sorted(problems.items(), key=lambda p: order.index(p[0]) if p[0] in order else len(order)))


def check(spec: Field, value: str) -> str | None:
    if not value:
        if not spec.required:
            return None
        verb = "选择" if spec.kind in ("select", "radio", "checkboxes") else "填写"
        return f"请{verb}{spec.label}"
    if len(value) > spec.max_length:
        return f"{spec.label}最多 {spec.max_length} 个字，现在有 {len(value)} 个字"
    if spec.kind == "email" and not _EMAIL.fullmatch(value):
        return f"{spec.label}格式不正确，例如 name@example.com"
    if spec.kind == "tel" and not _PHONE.fullmatch(value.replace(" ", "")):
        return f"{spec.label}格式不正确，请填写 11 位手机号码或带区号的固定电话，例如 0123-88120000"
    if spec.kind == "id_number" and (problem := id_number_problem(value)):
        return f"{spec.label}不正确：{problem}"
    if spec.kind == "credit_code" and (problem := credit_code_problem(value.upper())):
        return f"{spec.label}不正确：{problem}"
    if spec.kind in ("select", "radio") and value not in spec.options:
        return f"{spec.label}请从以下选项中选择：{'、'.join(spec.options)}"
    if spec.kind == "checkboxes" and (wrong := [v for v in value.split("\n") if v not in spec.options]):
        return f"{spec.label}中的「{wrong[0]}」不是可选项，可选：{'、'.join(spec.options)}"
    if spec.kind == "number" and not _NUMBER.fullmatch(value):
        return f"{spec.label}应为数字"
    if spec.kind == "date" and not _DATE.fullmatch(value):
        return f"{spec.label}应为日期，格式为 2026-01-05"
    if spec.pattern and not re.fullmatch(spec.pattern.removeprefix("^").removesuffix("$"), value):
        return f"{spec.label}格式不正确" + (f"，{spec.help}" if spec.help else "")
    return None


def one_of(*names: str, message: str) -> Rule:
    """At least one of ``names`` must be filled in; the message goes on the first."""

    def rule(values: Mapping[str, str]) -> dict[str, str]:
        return {} if any(values.get(n) for n in names) else {names[0]: message}

    return rule


def required_when(name: str, condition: Callable[[Mapping[str, str]], bool], message: str) -> Rule:
    def rule(values: Mapping[str, str]) -> dict[str, str]:
        return {name: message} if condition(values) and not values.get(name) else {}

    return rule


def json_schema(form: Form, extra: Sequence[Field] = ()) -> dict[str, Any]:
    """The JSON Schema of a submission of ``form``, for the OpenAPI description."""
    properties: dict[str, Any] = {}
    for spec in (*form.fields, *extra):
        prop: dict[str, Any] = {"type": "string", "title": spec.label, "maxLength": spec.max_length}
        if spec.options and spec.kind != "checkboxes":
            prop["enum"] = list(spec.options)
        if spec.kind == "checkboxes":
            prop = {
                "title": spec.label,
                "type": "array",
                "items": {"type": "string", "enum": list(spec.options)},
            }
        if spec.kind == "email":
            prop["format"] = "email"
        if spec.kind == "date":
            prop["format"] = "date"
        if spec.help:
            prop["description"] = spec.help
        properties[spec.name] = prop
    required = [spec.name for spec in form.fields if spec.required]
    return {"type": "object", "properties": properties, "required": required}
