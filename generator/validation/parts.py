"""What of the catalog could be read, file by file, for the rules to check across files."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.schema import CatalogModel, FileKind
from generator.yamlsource import YamlDocument

FILES_DIR = "files"
"""Attachments (blank and sample forms) live in ``catalog/files/``."""


@dataclass
class SourceFile:
    """One catalog file as read: its document (when it parsed) and model (when it validated)."""

    kind: FileKind
    rel: str
    document: YamlDocument | None = None
    model: CatalogModel | None = None
    invalid: set[tuple[str | int, ...]] = field(default_factory=set)
    """Locations the schema rejected; rules on raw data skip them, to report a value once."""

    @property
    def stem(self) -> str:
        return self.rel.rsplit("/", 1)[-1].removesuffix(".yml")

    @property
    def data(self) -> Any:
        return self.document.data if self.document else None


@dataclass
class CatalogParts:
    """Whatever of the catalog could be read, for the rules to check across files."""

    root: Path
    files: list[SourceFile] = field(default_factory=list)

    def of_kind(self, name: str) -> Iterator[SourceFile]:
        return (f for f in self.files if f.kind.name == name)

    def models(self, name: str) -> Iterator[tuple[SourceFile, Any]]:
        return ((f, f.model) for f in self.of_kind(name) if f.model is not None)

    def single(self, name: str) -> Any:
        return next((m for _, m in self.models(name)), None)


def suggest(value: str, known: Iterable[str], cutoff: float = 0.85) -> str:
    """``，是否应为「…」？`` with the closest known value, or "" when none is close enough."""
    close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=cutoff)
    return f"，是否应为「{close[0]}」？" if close else ""
