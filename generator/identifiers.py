"""Check digits of Chinese identifiers.

统一社会信用代码 follows GB 32100-2015 and 居民身份证号码 follows GB 11643-1999. Each
``*_problem`` function returns ``None`` for a valid identifier or a Chinese sentence that says
what is wrong, so that the catalog validator and the forms service report the same thing.
"""

from __future__ import annotations

import datetime as dt
import re

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_PATTERN = re.compile(f"^[{CREDIT_CODE_ALPHABET}]{{18}}$")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_PATTERN = re.compile(r"^\d{17}[\dX]$")


def credit_code_check_char(first17: str) -> str:
    """The 18th character of a 统一社会信用代码 whose first 17 characters are given."""
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    if len(code) != 18:
        return f"应为 18 位，实际为 {len(code)} 位"
    if not _CREDIT_PATTERN.match(code):
        bad = next(c for c in code if c not in CREDIT_CODE_ALPHABET)
        return f"含有不允许的字符「{bad}」（只能使用数字和除 I、O、Z、S、V 外的大写字母）"
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        return f"校验位应为「{expected}」，实际为「{code[17]}」"
    return None


def is_valid_credit_code(code: str) -> bool:
    return credit_code_problem(code) is None


def id_number_check_char(first17: str) -> str:
    """The 18th character of a 居民身份证号码 whose first 17 digits are given."""
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def id_number_problem(number: str) -> str | None:
    number = number.upper()
    if len(number) != 18:
        return f"应为 18 位，实际为 {len(number)} 位"
    if not _ID_PATTERN.match(number):
        return "前 17 位应为数字，最后一位为数字或 X"
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return f"出生日期「{number[6:14]}」不是有效日期"
    expected = id_number_check_char(number[:17])
    if number[17] != expected:
        return f"校验位应为「{expected}」，实际为「{number[17]}」"
    return None


def is_valid_id_number(number: str) -> bool:
    return id_number_problem(number) is None
