"""Writing catalog files from the command line: YAML text an editor can read and review, and
the atomic replacement of a file.

``ipps faq export`` appends to ``catalog/faq.yml`` and ``ipps results export`` writes
``catalog/results.yml``; both go through a pull request, so their text should look as an
editor would have written it: keys in the schema's order, Chinese as it is (not escaped),
multi-line text as literal blocks, dates as dates.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml

from .embedded.journal import fsync_directory


class Dumper(yaml.SafeDumper):
    """Multi-line text as literal blocks; anything a YAML 1.2 reader would not read as text
    (``0o17``) quoted. PyYAML already quotes what YAML 1.1 reads otherwise (``yes``, dates)."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    if style is None and _CORE_NOT_TEXT.fullmatch(value):
        style = '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_CORE_NOT_TEXT = re.compile(
    r"~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"
    r"|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
"""YAML 1.2 core schema scalars that are not strings (generator.yamlsource reads by it)."""

Dumper.add_representer(str, _represent_str)


def dump_yaml(data: Any) -> str:
    """``data`` as block YAML, keys in their given order, lines never folded."""
    return yaml.dump(data, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=1_000_000)


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` by ``text``: a temporary file beside it, fsynced, renamed over it."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)
