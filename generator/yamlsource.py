"""Reading catalog YAML, and finding where in a file a value stands.

The catalog is YAML 1.2 (core schema), as editors' YAML plugins read it: ``true``/``false``
are booleans but ``yes``/``no`` are text, ``8:30`` is text, dates such as ``2026-01-05`` stay
text until the schema turns them into dates.

The reference parser is libyaml through PyYAML, with a YAML 1.2 core resolver and a small
converter that also records duplicate keys (plain YAML loading silently keeps the last
one). Most files are read by the faster :mod:`generator.yamlfast` instead, which declines
any file where it could differ from the reference.

Positions are not kept: a clean catalog never needs them. When a problem is found,
:func:`locate` parses that one file again and walks to the value (or key) it is about.

A large catalog is read by :func:`read_many` in one worker process per core; workers send
back plain values (``marshal``; YAML 1.2 data holds only JSON types) and the caller
validates each chunk while the next ones are being parsed.
"""

from __future__ import annotations

import gc
import marshal
import multiprocessing
import os
import re
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from yaml.resolver import BaseResolver

from generator import yamlfast


class _CoreResolver(BaseResolver):
    """YAML 1.2 core schema tag resolution (PyYAML itself follows YAML 1.1)."""


for _tag, _pattern, _first in (
    ("null", r"~|null|Null|NULL|", ["~", "n", "N", ""]),
    ("bool", r"true|True|TRUE|false|False|FALSE", list("tTfF")),
    ("int", r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+", list("-+0123456789")),
    (
        "float",
        r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
        list("-+.0123456789"),
    ),
):
    _CoreResolver.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(f"^(?:{_pattern})$"), _first)


if hasattr(yaml, "CParser"):  # libyaml, as in every PyYAML wheel

    class _ReferenceLoader(yaml.CParser, _CoreResolver):
        def __init__(self, stream: str) -> None:
            yaml.CParser.__init__(self, stream)
            _CoreResolver.__init__(self)

else:  # pragma: no cover - PyYAML built without libyaml

    class _ReferenceLoader(  # type: ignore[no-redef]
        yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer, _CoreResolver
    ):
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            _CoreResolver.__init__(self)


@dataclass(frozen=True)
class Position:
    line: int
    column: int

    @classmethod
    def of(cls, mark: yaml.Mark) -> Position:
        return cls(mark.line + 1, mark.column + 1)


START = Position(1, 1)


class YamlSyntaxError(Exception):
    """A file that cannot be read as YAML; ``message`` is Chinese."""

    def __init__(self, message: str, position: Position) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


@dataclass(frozen=True)
class DuplicateKey:
    key: str
    position: Position
    first: Position


@dataclass
class YamlDocument:
    path: Path
    data: Any
    duplicates: list[DuplicateKey] = field(default_factory=list)

    def locate(self, loc: Sequence[str | int], *, key: bool = False) -> Position:
        return locate(self.path.read_text(encoding="utf-8"), tuple(loc), key=key)


# --- nodes to plain values ------------------------------------------------------------------

_TAG = "tag:yaml.org,2002:"


def _integer(text: str) -> int:
    return int(text, 0) if text[:2] in ("0o", "0x") else int(text, 10)


def _number(text: str) -> float:
    lowered = text.lower()
    if lowered.endswith(".inf"):
        return float("-inf") if lowered.startswith("-") else float("inf")
    return float("nan") if lowered == ".nan" else float(text)


_SCALARS = {
    _TAG + "null": lambda text: None,
    _TAG + "bool": lambda text: text in ("true", "True", "TRUE"),
    _TAG + "int": _integer,
    _TAG + "float": _number,
}


class _Converter:
    def __init__(self) -> None:
        self.duplicates: list[DuplicateKey] = []

    def value(self, node: yaml.Node) -> Any:
        tag = node.tag
        if tag == _TAG + "str":
            return node.value
        if tag == _TAG + "map":
            return self.mapping(node)
        if tag == _TAG + "seq":
            return [self.value(child) for child in node.value]
        construct = _SCALARS.get(tag)
        if construct is None or not isinstance(node, yaml.ScalarNode):
            raise YamlSyntaxError(
                f"YAML 语法错误：不支持的写法（{tag}），请直接写出内容", Position.of(node.start_mark)
            )
        return construct(node.value)

    def mapping(self, node: yaml.Node) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        seen: dict[Any, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = self.value(key_node)
            if isinstance(key, list | dict):
                raise YamlSyntaxError(
                    "YAML 语法错误：字段名不能是列表或映射", Position.of(key_node.start_mark)
                )
            if key in seen:
                first = Position.of(seen[key].start_mark)
                self.duplicates.append(DuplicateKey(str(key), Position.of(key_node.start_mark), first))
            else:
                seen[key] = key_node
            out[key] = self.value(value_node)
        return out


# --- reading ----------------------------------------------------------------------------------


def read_yaml(path: Path) -> YamlDocument:
    """Read one YAML file; raise :class:`YamlSyntaxError` when it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        prefix = exc.object[: exc.start]
        line = prefix.count(b"\n") + 1
        column = exc.start - (prefix.rfind(b"\n") + 1) + 1
        raise YamlSyntaxError("文件不是 UTF-8 编码，请以 UTF-8 保存", Position(line, column)) from None
    except OSError as exc:
        raise YamlSyntaxError(f"无法读取文件：{exc.strerror}", START) from None
    return parse_yaml(text, path)


def parse_yaml(text: str, path: Path) -> YamlDocument:
    if fast := yamlfast.load(text):
        return YamlDocument(path, fast[0])
    return parse_reference(text, path)


def parse_reference(text: str, path: Path) -> YamlDocument:
    """Parse with the reference parser (slower; positions for syntax errors and duplicates)."""
    try:
        node = yaml.compose(text, Loader=_ReferenceLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        position = Position.of(mark) if mark else START
        if quote := _unclosed_quote(text, position.line):
            raise YamlSyntaxError("YAML 语法错误：引号没有闭合", quote) from None
        raise YamlSyntaxError(describe_syntax_error(exc), position) from None
    except yaml.YAMLError as exc:  # e.g. a second document in the stream
        raise YamlSyntaxError(f"YAML 语法错误（{exc}）", START) from None
    converter = _Converter()
    data = converter.value(node) if node is not None else None
    return YamlDocument(path, data, converter.duplicates)


PARALLEL_MIN_FILES = 1000
"""Below this many files, starting worker processes costs more than it saves."""
_CHUNK = 200


def read_many(paths: Sequence[Path], jobs: int | None = None) -> Iterator[YamlDocument | YamlSyntaxError]:
    """Read many files, in order; a file that cannot be read gives its :class:`YamlSyntaxError`.

    With enough files, worker processes (``jobs``, default one per core) read and parse
    while the caller works on the files already read.
    """
    jobs = jobs or os.cpu_count() or 1
    if jobs < 2 or len(paths) < PARALLEL_MIN_FILES:
        yield from map(_read_or_error, paths)
        return
    done = 0
    chunks = [list(paths[i : i + _CHUNK]) for i in range(0, len(paths), _CHUNK)]
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=_worker_context()) as pool:
            for chunk, packed in zip(chunks, pool.map(_read_chunk, chunks), strict=True):
                for path, result in zip(chunk, marshal.loads(packed), strict=True):
                    yield _unpack(path, result)
                done += len(chunk)
    except (BrokenProcessPool, OSError):  # no worker processes here: read the rest in this one
        yield from map(_read_or_error, paths[done:])


def _worker_context() -> multiprocessing.context.BaseContext:
    # fork starts fastest and needs nothing re-imported, but is unsafe once other threads
    # run (mkdocs serve); forkserver is safe then.
    if os.name != "posix":
        return multiprocessing.get_context("spawn")
    return multiprocessing.get_context("fork" if threading.active_count() == 1 else "forkserver")


def _read_or_error(path: Path) -> YamlDocument | YamlSyntaxError:
    try:
        return read_yaml(path)
    except YamlSyntaxError as exc:
        return exc


def _read_chunk(paths: list[Path]) -> bytes:
    """In a worker process: read files and pack the results as plain values."""
    packed: list[tuple[Any, ...]] = []
    with paused_gc():
        for result in map(_read_or_error, paths):
            if isinstance(result, YamlSyntaxError):
                packed.append(("error", result.message, result.position.line, result.position.column))
            else:
                dups = [
                    (d.key, d.position.line, d.position.column, d.first.line, d.first.column)
                    for d in result.duplicates
                ]
                packed.append(("ok", result.data, dups))
    return marshal.dumps(packed)


def _unpack(path: Path, result: tuple[Any, ...]) -> YamlDocument | YamlSyntaxError:
    if result[0] == "error":
        return YamlSyntaxError(result[1], Position(result[2], result[3]))
    duplicates = [
        DuplicateKey(key, Position(line, col), Position(fl, fc)) for key, line, col, fl, fc in result[2]
    ]
    return YamlDocument(path, result[1], duplicates)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many objects that all stay alive.

    Parsed catalogs hold no reference cycles; with the collector running, each collection
    rescans everything read so far, and reading gets slower with every file.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_SYNTAX_HINTS = (
    ("mapping values are not allowed", "此处不能出现“键: 值”：检查缩进，或给含有冒号的文字加引号"),
    ("found character '\\t'", "不能使用制表符（Tab）缩进，请改用空格"),
    ("found a tab character", "不能使用制表符（Tab）缩进，请改用空格"),
    (
        "found character that cannot start any token",
        "出现了不能作为开头的字符：含有 @、`、% 等符号的文字请加引号",
    ),
    ("could not find expected ':'", "缺少冒号“:”，或上一行的引号没有闭合"),
    ("did not find expected key", "缩进不一致，找不到预期的字段名"),
    ("did not find expected '-' indicator", "列表项缩进不一致，每项应以“- ”开头并对齐"),
    ("expected <block end>", "缩进不一致，这一行与上一层级没有对齐"),
    ("found unexpected end of stream", "文件意外结束：引号或括号没有闭合"),
    ("found unknown escape character", "双引号中出现了无效的转义符“\\”，请改用单引号"),
    ("found undefined alias", "引用了未定义的锚点（*名称）"),
    ("expected a single document", "一个文件中只能有一个文档，请删除多余的“---”"),
    ("found duplicate anchor", "锚点（&名称）重复定义"),
)


def describe_syntax_error(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or ""
    context = exc.context or ""
    for needle, hint in _SYNTAX_HINTS:
        if needle in problem or needle in context:
            return f"YAML 语法错误：{hint}"
    return f"YAML 语法错误（{problem or context}）"


def _unclosed_quote(text: str, upto_line: int) -> Position | None:
    """The opening quote of a double-quoted value left open on or before ``upto_line``.

    libyaml reads an unclosed quote as a multi-line string and fails lines later, where the
    next quote happens to be; the editor needs the line where the quote was opened.
    """
    for number, line in enumerate(text.splitlines()[:upto_line], start=1):
        stripped = line.split(" #", 1)[0] if line.count('"') % 2 == 0 else line
        quotes = [i for i, ch in enumerate(stripped) if ch == '"' and (i == 0 or stripped[i - 1] != "\\")]
        if len(quotes) % 2:
            return Position(number, quotes[-1] + 1)
    return None


@lru_cache(maxsize=64)
def _compose(text: str) -> yaml.Node | None:
    return yaml.compose(text, Loader=_ReferenceLoader)


def locate(text: str, loc: tuple[str | int, ...], *, key: bool = False) -> Position:
    """Where the value at ``loc`` (or, with ``key``, its key) stands in ``text``.

    When ``loc`` leads to something that is not in the file (a missing field), the position
    of the deepest part that exists is returned: the block the field belongs in.
    """
    node = _compose(text)
    if node is None or not loc:
        return START
    position = Position.of(node.start_mark)
    for step in loc:
        found = _child(node, step)
        if found is None:
            return position
        key_node, node = found
        # A problem with a key, or with a whole block (``status:`` followed by its fields on
        # the next lines), is shown at the key; a problem with a scalar, at the value.
        at_key = key or (isinstance(node, yaml.CollectionNode) and not node.flow_style)
        anchor = key_node if at_key and key_node is not None else node
        position = Position.of(anchor.start_mark)
    return position


def _child(node: yaml.Node, step: str | int) -> tuple[yaml.Node | None, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in reversed(node.value):  # the last duplicate wins, as in loading
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(step):
                return key_node, value_node
    elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
        return None, node.value[step]
    return None
