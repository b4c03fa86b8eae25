"""Reading catalog YAML, and finding where in a file a value stands.

Files are parsed with libyaml (``CSafeLoader``) into plain Python values; positions are not
kept, because a clean catalog never needs them and keeping them doubles the cost of a
10,000-item validation. When a problem is found, :func:`locate` parses that one file again
into nodes and walks to the value (or key) the problem is about.

Duplicate keys, which plain YAML loading silently resolves by keeping the last one, are
reported with their position while loading.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
    text: str
    data: Any
    duplicates: list[DuplicateKey] = field(default_factory=list)

    def locate(self, loc: Sequence[str | int], *, key: bool = False) -> Position:
        return locate(self.text, tuple(loc), key=key)


class _CheckingLoader(_Loader):  # type: ignore[misc, valid-type]
    """libyaml loading that records duplicate mapping keys instead of dropping them."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[DuplicateKey] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, Position] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key = self.construct_object(key_node)
            position = Position.of(key_node.start_mark)
            if key in seen:
                self.duplicates.append(DuplicateKey(str(key), position, seen[key]))
            else:
                seen[key] = position
        return super().construct_mapping(node, deep=deep)


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
    loader = _CheckingLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        position = Position.of(mark) if mark else START
        if quote := _unclosed_quote(text, position.line):
            raise YamlSyntaxError("YAML 语法错误：引号没有闭合", quote) from None
        raise YamlSyntaxError(describe_syntax_error(exc), position) from None
    except yaml.YAMLError as exc:  # e.g. a second document in the stream
        raise YamlSyntaxError(f"YAML 语法错误（{exc}）", START) from None
    finally:
        loader.dispose()
    return YamlDocument(path, text, data, loader.duplicates)


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
    return yaml.compose(text, Loader=_Loader)


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
