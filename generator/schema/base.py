"""The base of every catalog model and the helper that declares a labelled field.

Every field carries a Chinese label (``title``) and a description: the JSON Schema shows them
to editors while typing, error messages name fields by their label, and the editor's field
reference is generated from them.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import PydanticUndefined

_CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{_CJK}])[ \t\n]+(?=[{_CJK}])")


def join_cjk_lines(text: str) -> str:
    """Remove the spaces YAML puts where a folded (``>-``) Chinese text was broken across
    lines. Between two Chinese characters or punctuation marks Chinese never uses an ASCII
    space; an intended gap is written as a full-width space (U+3000) or punctuation, which
    stay. Line breaks of literal (``|``) blocks stay too."""
    return _SPACE_BETWEEN_CJK.sub("", text) if " " in text else text


class CatalogModel(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
        use_enum_values=True,
    )


def field(
    label: str,
    description: str,
    *,
    example: Any = None,
    default: Any = PydanticUndefined,
    default_factory: Any = None,
    **constraints: Any,
) -> Any:
    """Declare a field with its Chinese label, description and an example value."""
    extra: dict[str, Any] = {}
    if example is not None:
        extra["examples"] = [example]
    if default_factory is not None:
        return Field(
            default_factory=default_factory, title=label, description=description, **extra, **constraints
        )
    return Field(default, title=label, description=description, **extra, **constraints)
