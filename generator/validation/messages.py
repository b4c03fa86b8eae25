"""Chinese messages for the errors pydantic reports while reading a catalog file.

Each error names the field by its Chinese label path (``申请材料 › 第 2 项 › 材料名称``) and
says what was expected. Errors raised by the catalog's own field types already carry their
problem code and message; the others are mapped here by pydantic's error type.
"""

from __future__ import annotations

import difflib
import types
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from generator.problems import PROBLEM_CODES, Finding

_TYPE_NAMES = {
    bool: "布尔值",
    int: "整数",
    float: "小数",
    str: "文本",
    list: "列表",
    dict: "映射",
    type(None): "空值",
}

# pydantic error type -> (problem code, predicate). The predicate follows the field label.
_PREDICATES: dict[str, tuple[str, str]] = {
    "string_type": ("E003", "应为文本，实际为{actual}"),
    "int_type": ("E003", "应为整数，实际为{actual}"),
    "int_parsing": ("E003", "应为整数，实际为{actual}"),
    "int_from_float": ("E003", "应为整数，不能有小数"),
    "float_type": ("E003", "应为数字，实际为{actual}"),
    "float_parsing": ("E003", "应为数字，实际为{actual}"),
    "decimal_type": ("E003", "应为金额数字，实际为{actual}"),
    "decimal_parsing": ("E003", "应为金额数字，实际为{actual}"),
    "bool_type": ("E003", "应为 true 或 false，实际为{actual}"),
    "bool_parsing": ("E003", "应为 true 或 false，实际为{actual}"),
    "list_type": ("E003", "应为列表（每项以“- ”开头），实际为{actual}"),
    "dict_type": ("E003", "应为“字段: 值”形式的映射，实际为{actual}"),
    "model_type": ("E003", "应为“字段: 值”形式的映射，实际为{actual}"),
    "model_attributes_type": ("E003", "应为“字段: 值”形式的映射，实际为{actual}"),
    "date_type": ("E003", "应为日期（YYYY-MM-DD），实际为{actual}"),
    "date_parsing": ("E003", "应为日期（YYYY-MM-DD），实际为{actual}"),
    "date_from_datetime_parsing": ("E003", "应为日期（YYYY-MM-DD），实际为{actual}"),
    "date_from_datetime_inexact": ("E003", "应为日期（YYYY-MM-DD），不要带时间"),
    "string_too_short": ("E005", "不能为空"),
    "string_too_long": ("E007", "过长，最多 {max_length} 个字符"),
    "too_short": ("E007", "至少需要 {min_length} 项，实际为 {actual_length} 项"),
    "too_long": ("E007", "最多 {max_length} 项，实际为 {actual_length} 项"),
    "greater_than_equal": ("E007", "不能小于 {ge}，实际为 {input}"),
    "greater_than": ("E007", "应大于 {gt}，实际为 {input}"),
    "less_than_equal": ("E007", "不能大于 {le}，实际为 {input}"),
    "less_than": ("E007", "应小于 {lt}，实际为 {input}"),
    "decimal_max_places": ("E007", "最多保留 {decimal_places} 位小数"),
    "decimal_max_digits": ("E007", "数字过大"),
    "decimal_whole_digits": ("E007", "数字过大"),
    "string_pattern_mismatch": ("E006", "格式不正确，应符合 {pattern}"),
    "literal_error": ("E004", "的值不在允许范围内，应为：{expected}"),
    "enum": ("E004", "的值不在允许范围内，应为：{expected}"),
}


def translate(file: str, model: type[BaseModel], error: ErrorDetails) -> Finding:
    """Turn one pydantic error into a finding with a Chinese message."""
    loc = tuple(step for step in error["loc"] if isinstance(step, int) or _is_key(step))
    kind = error["type"]
    if kind == "extra_forbidden":
        return _unknown_field(file, model, loc)
    if kind == "missing":
        field_info = _field_at(model, loc)[1]
        description = f"：{field_info.description}" if field_info and field_info.description else ""
        message = f"缺少必填字段「{_label(model, loc)}」（{loc[-1]}）{description}"
        return Finding(file, loc, "E005", message)
    if kind in PROBLEM_CODES:  # raised by a catalog field type with its own message
        return Finding(file, loc, kind, f"「{_label(model, loc)}」{error['msg']}")
    code, predicate = _PREDICATES.get(kind, ("E003", "的值无效"))
    context = {**(error.get("ctx") or {}), "input": error.get("input")}
    context["actual"] = _describe_value(error.get("input"))
    try:
        text = predicate.format(**context)
    except (KeyError, IndexError):
        text = predicate.split("，")[0]
    if code == "E003" and isinstance(error.get("input"), int | float) and "文本" in predicate:
        text += "（时间、以 0 开头的编号、纯数字的名称等请加引号）"
    return Finding(file, loc, code, f"「{_label(model, loc)}」{text}")


def _unknown_field(file: str, model: type[BaseModel], loc: tuple[str | int, ...]) -> Finding:
    parent, key = loc[:-1], str(loc[-1])
    parent_model = _field_at(model, parent)[0]
    where = f"「{_label(model, parent)}」中" if parent else "文件中"
    message = f"{where}有未知字段「{key}」"
    if isinstance(parent_model, type) and issubclass(parent_model, BaseModel):
        fields = parent_model.model_fields
        close = difflib.get_close_matches(key, list(fields), n=1, cutoff=0.6)
        labels = {f.title: name for name, f in fields.items() if f.title}
        if not close and key in labels:  # the editor wrote the Chinese label as the key
            close = [labels[key]]
        if close:
            message += f"，是否应为「{close[0]}」（{fields[close[0]].title}）？"
        else:
            message += "，允许的字段有：" + "、".join(fields)
    return Finding(file, loc, "E002", message, key=True)


def _is_key(step: object) -> bool:
    # pydantic adds validator names such as "function-after[...]" to some locations
    return isinstance(step, str) and not step.startswith(("function-", "json-or-python", "lax-or-strict"))


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            annotation = args[0] if len(args) == 1 else annotation
            if len(args) != 1:
                return annotation
        else:
            return annotation


def _field_at(model: type[BaseModel], loc: tuple[str | int, ...]) -> tuple[Any, Any]:
    """The type found at ``loc`` and the pydantic FieldInfo of the last named field."""
    current: Any = model
    info = None
    for step in loc:
        current = _unwrap(current)
        if isinstance(step, int):
            args = get_args(current) if get_origin(current) is list else ()
            current = args[0] if args else None
        elif isinstance(current, type) and issubclass(current, BaseModel) and step in current.model_fields:
            info = current.model_fields[step]
            current = info.annotation
        else:
            return None, None
    return _unwrap(current), info


def _label(model: type[BaseModel], loc: tuple[str | int, ...]) -> str:
    parts: list[str] = []
    current: Any = model
    for step in loc:
        current = _unwrap(current)
        if isinstance(step, int):
            parts.append(f"第 {step + 1} 项")
            args = get_args(current) if get_origin(current) is list else ()
            current = args[0] if args else None
        elif isinstance(current, type) and issubclass(current, BaseModel) and step in current.model_fields:
            info = current.model_fields[step]
            parts.append(info.title or str(step))
            current = info.annotation
        else:
            parts.append(str(step))
            current = None
    return " › ".join(parts) if parts else "文件内容"


def _describe_value(value: Any) -> str:
    name = _TYPE_NAMES.get(type(value), type(value).__name__)
    if value is None:
        return "空值（未填写）"
    if isinstance(value, list | dict):
        return name
    shown = str(value)
    if len(shown) > 30:
        shown = shown[:30] + "…"
    return f"{name}「{shown}」"
