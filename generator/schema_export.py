"""JSON Schemas of the catalog files, for editors' YAML plugins (``ipps schema``).

Each sample YAML file starts with ``# yaml-language-server: $schema=<relative path>`` so that
an editor with the YAML language server gets completion, labels and checks while typing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from generator.schema import FILE_KINDS, FileKind

SCHEMA_DIR = "schema"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def json_schema(kind: FileKind) -> dict[str, Any]:
    schema = kind.model.model_json_schema()
    return {"$schema": JSON_SCHEMA_DIALECT, **schema, "title": kind.label}


def render(kind: FileKind) -> str:
    return json.dumps(json_schema(kind), ensure_ascii=False, indent=2) + "\n"


def write_schemas(catalog_root: Path) -> list[Path]:
    """Write one ``<kind>.schema.json`` per catalog file kind; return the paths written."""
    out = catalog_root / SCHEMA_DIR
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in FILE_KINDS:
        path = out / kind.schema_file
        path.write_text(render(kind), encoding="utf-8")
        written.append(path)
    return written


def modeline(kind: FileKind, file_rel: str) -> str:
    """The first line a catalog file of ``kind`` at ``file_rel`` (relative to catalog/) carries."""
    depth = file_rel.count("/")
    prefix = "../" * depth if depth else "./"
    return f"# yaml-language-server: $schema={prefix}{SCHEMA_DIR}/{kind.schema_file}"
