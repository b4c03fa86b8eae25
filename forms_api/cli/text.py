"""Chinese wording for the messages argparse prints (usage, errors, help headings).

argparse looks its messages up through ``gettext``; without a Chinese catalogue installed
they come out in English. This maps the few that users of ``ipps`` see.
"""

from __future__ import annotations

import argparse

_EXACT = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示帮助并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "expected one argument": "需要一个参数值",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项 %(value)r（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "无效的值：%(value)r",
}


def _translate(message: str) -> str:
    return _EXACT.get(message, message)


def install() -> None:
    """Make argparse speak Chinese for this process."""
    argparse._ = _translate  # type: ignore[attr-defined]
