"""The base of every catalog model and the helper that declares a labelled field.

Every field carries a Chinese label (``title``) and a description: the JSON Schema shows them
to editors while typing, error messages name fields by their label, and the editor's field
reference is generated from them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import PydanticUndefined


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
