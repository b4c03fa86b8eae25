"""A fast path for reading catalog YAML: rapidyaml turns YAML into JSON, ``json`` reads it.

PyYAML (libyaml) is the reference parser of the catalog: it reports syntax errors with
positions and is what :mod:`generator.yamlsource` falls back to. It costs about a
millisecond per item file, so a 10,000-item catalog spends most of its validation time
there; rapidyaml with ``json.loads`` takes a fifth of that.

:func:`load` answers only when it can vouch that the result is what the reference parser
(YAML 1.2 core schema) would give; otherwise it returns ``None`` and the caller uses the
reference parser. It declines a file that

- uses YAML features the fast path does not follow: tabs, anchors and aliases (``&``,
  ``*``), tags (``!``), merge keys (``<<``), directives and document markers;
- has a scalar whose JSON rendering is ambiguous: rapidyaml writes plain ``~``, ``Null``,
  ``TRUE``, ``012``, ``0x1F`` or ``.inf`` as strings, where YAML 1.2 reads null, booleans
  and numbers (a quoted ``"012"`` is declined too, which is harmless);
- has a key that is not plainly text, or a duplicate key (reported with its position by
  the reference parser);
- does not parse, or does not render as valid JSON (control characters, ``+5``).

``tests/test_yaml_reading.py`` checks that both paths agree on generated documents and on
every file of the sample catalog.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import ryml

_UNSUPPORTED = ("\t", "!", "&", "*", "<<", "\n---", "\n...", "\n%")
_UNSUPPORTED_START = ("---", "...", "%")

# A JSON string token that starts like a null, boolean or number, and whether it is a key.
_CANDIDATE = re.compile(r'"([~NTFtfn+.\-0-9][^"\\]*|)"(\s*:)?')
_AMBIGUOUS_VALUE = re.compile(
    r"~|Null|NULL|True|TRUE|False|FALSE|[-+]?0[0-9]+(?:\.[0-9]*)?|[-+]?0o[0-7]+"
    r"|[-+]?0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_INF_NAN = re.compile(r"[-+]?\.(?:inf|nan)", re.IGNORECASE)
"""rapidyaml emits a plain key ``inf`` or ``nan`` as ``.inf`` / ``.nan`` (and the reference reads
``.inf`` as a float): such a key is left to the reference parser."""
_PLAIN_KEY = re.compile(r"[^-+.0-9~].*|[-+.]\D.*|[-+.]", re.DOTALL)
_KEYWORDS = frozenset(("true", "false", "null", "Null", "NULL", "True", "TRUE", "False", "FALSE"))


class _Declined(Exception):
    pass


def _mapping(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        raise _Declined  # a duplicate key: the reference parser reports where
    return mapping


def load(text: str) -> tuple[Any] | None:
    """``(data,)`` when the fast path can vouch for it, else ``None``."""
    if text.startswith(_UNSUPPORTED_START) or any(marker in text for marker in _UNSUPPORTED):
        return None
    try:
        with _quiet_stderr():
            tree = ryml.parse_in_arena(text.encode("utf-8"))
        emitted = ryml.emit_json(tree)
    except Exception:  # rapidyaml's parse errors; the reference parser explains them
        return None
    if not emitted or _ambiguous(emitted):
        return None
    try:
        return (json.loads(emitted, object_pairs_hook=_mapping),)
    except (ValueError, _Declined):
        return None


def _ambiguous(emitted: str) -> bool:
    for match in _CANDIDATE.finditer(emitted):
        token, is_key = match.groups()
        if is_key:
            if token in _KEYWORDS or not _PLAIN_KEY.fullmatch(token) or _INF_NAN.fullmatch(token):
                return True
        elif _AMBIGUOUS_VALUE.fullmatch(token):
            return True
    return False


@contextmanager
def _quiet_stderr() -> Iterator[None]:
    """rapidyaml prints its own (English) parse errors to the process's stderr before
    raising; the reference parser reports the error in Chinese instead."""
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
