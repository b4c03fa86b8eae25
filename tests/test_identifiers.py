import pytest

from generator.identifiers import (
    credit_code_check_char,
    credit_code_problem,
    id_number_check_char,
    id_number_problem,
    is_valid_credit_code,
    is_valid_id_number,
)

# Codes published by their holders (business licences on public websites) and the example of
# GB 32100-2015; their check characters were not computed by this project.
PUBLISHED_CREDIT_CODES = [
    "91350100M000100Y43",
    "91110108551385082Q",
    "9144030071526726XG",
    "91330100799655058B",
]

# The examples printed in GB 11643-1999.
STANDARD_ID_NUMBERS = ["11010519491231002X", "440524188001010014"]


@pytest.mark.parametrize("code", PUBLISHED_CREDIT_CODES)
def test_published_credit_codes_are_valid(code: str) -> None:
    assert is_valid_credit_code(code)
    assert credit_code_check_char(code[:17]) == code[17]


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("91350100M000100Y44", "校验位应为「3」，实际为「4」"),
        ("91350100M000100Y4", "应为 18 位，实际为 17 位"),
        ("91350100M000100Y433", "应为 18 位，实际为 19 位"),
        ("91350100I000100Y43", "含有不允许的字符「I」"),
        ("91350100m000100Y43", "含有不允许的字符「m」"),
    ],
)
def test_invalid_credit_codes_say_what_is_wrong(code: str, problem: str) -> None:
    assert not is_valid_credit_code(code)
    assert problem in (credit_code_problem(code) or "")


def test_every_single_character_change_of_a_credit_code_is_detected() -> None:
    code = PUBLISHED_CREDIT_CODES[0]
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for position in range(18):
        for symbol in alphabet:
            if symbol != code[position]:
                changed = code[:position] + symbol + code[position + 1 :]
                assert not is_valid_credit_code(changed), changed


@pytest.mark.parametrize("number", STANDARD_ID_NUMBERS)
def test_standard_id_numbers_are_valid(number: str) -> None:
    assert is_valid_id_number(number)
    assert id_number_check_char(number[:17]) == number[17]


def test_lower_case_x_is_accepted() -> None:
    assert is_valid_id_number("11010519491231002x")


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("110105194912310021", "校验位应为「X」，实际为「1」"),
        ("11010519491331002X", "出生日期「19491331」不是有效日期"),
        ("1101051949123100", "应为 18 位"),
        ("1101051949123100A2", "前 17 位应为数字"),
    ],
)
def test_invalid_id_numbers_say_what_is_wrong(number: str, problem: str) -> None:
    assert not is_valid_id_number(number)
    assert problem in (id_number_problem(number) or "")
