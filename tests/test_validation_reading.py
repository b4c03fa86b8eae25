"""Reading catalog files: syntax errors, missing files, positions and message wording."""

from __future__ import annotations

import pytest

from generator.catalog import CatalogInvalid, check_catalog, load_catalog
from generator.yamlsource import Position, locate
from tests.conftest import CatalogCopy

PLEDGE = "items/pledge.yml"


def problems_of(copy: CatalogCopy) -> list:
    return check_catalog(copy.root, display_root=copy.root)[1]


@pytest.mark.parametrize(
    ("old", "new", "line", "wording"),
    [
        (
            "content: 受理专利权质押登记申请。",
            "content: 受理专利权质押登记申请。\n\tnature: 基础",
            12,
            "制表符",
        ),
        ("name: 专利权质押登记\nbasic", 'name: "专利权质押登记\nbasic', 2, "引号没有闭合"),
        ("content: 受理专利权质押登记申请。", "content: 受理: 登记", 11, "冒号"),
        ("department: bureau", "department: bureau\n  extra: 1", 15, "缩进"),
    ],
)
def test_syntax_errors_are_reported_with_position(
    catalog_copy: CatalogCopy, old: str, new: str, line: int, wording: str
) -> None:
    catalog_copy.replace(PLEDGE, old, new)
    problems = [p for p in problems_of(catalog_copy) if p.path == PLEDGE]
    assert [(p.code, p.line) for p in problems] == [("E001", line)]
    assert wording in problems[0].message
    assert problems[0].column >= 1


def test_a_broken_file_does_not_hide_problems_in_other_files(catalog_copy: CatalogCopy) -> None:
    catalog_copy.replace(PLEDGE, "name: 专利权质押登记\nbasic", 'name: "专利权质押登记\nbasic')
    catalog_copy.replace(
        "departments.yml", "credit_code: 91339900D4H3J9HT2W", "credit_code: 91339900D4H3J9HT2X"
    )
    codes = {(p.path, p.code) for p in problems_of(catalog_copy)}
    assert codes == {(PLEDGE, "E001"), ("departments.yml", "E108")}


def test_items_that_fail_to_load_still_count_as_declared(catalog_copy: CatalogCopy) -> None:
    # filing.yml is broken, but pledge.yml and themes.yml name it: no cascade of E106.
    catalog_copy.replace("items/filing.yml", "name: 专利申请代办指引", "name: [专利申请代办指引")
    assert {p.code for p in problems_of(catalog_copy)} == {"E001"}


def test_file_not_in_utf8(catalog_copy: CatalogCopy) -> None:
    (catalog_copy.root / PLEDGE).write_bytes("name: 专利权质押登记\n".encode("gbk"))
    problems = [p for p in problems_of(catalog_copy) if p.path == PLEDGE]
    assert [(p.code, p.line) for p in problems] == [("E001", 1)]
    assert "UTF-8" in problems[0].message


def test_empty_file_is_a_type_error_at_the_start(catalog_copy: CatalogCopy) -> None:
    catalog_copy.write(PLEDGE, "")
    problems = [p for p in problems_of(catalog_copy) if p.path == PLEDGE]
    assert [(p.code, p.line, p.column) for p in problems] == [("E003", 1, 1)]
    assert "映射" in problems[0].message


@pytest.mark.parametrize("missing", ["platform.yml", "themes.yml", "directories/value-added.yml"])
def test_missing_required_file(catalog_copy: CatalogCopy, missing: str) -> None:
    catalog_copy.delete(missing)
    problems = problems_of(catalog_copy)
    assert (missing, 1, 1, "E009") in {(p.path, p.line, p.column, p.code) for p in problems}


def test_duplicate_key_names_the_first_occurrence(catalog_copy: CatalogCopy) -> None:
    catalog_copy.replace(PLEDGE, "keywords: [质押]", "keywords: [质押]\nkeywords: [融资]")
    (problem,) = problems_of(catalog_copy)
    assert (problem.code, problem.line, problem.column) == ("E008", 79, 1)
    assert "第一次在第 78 行" in problem.message


def test_unknown_key_suggests_the_intended_field(catalog_copy: CatalogCopy) -> None:
    catalog_copy.replace(PLEDGE, "    required: true\n", "    requried: true\n")
    messages = {p.code: p.message for p in problems_of(catalog_copy)}
    assert "「requried」" in messages["E002"]
    assert "是否应为「required」（是否必备）" in messages["E002"]
    assert "申请材料 › 第 1 项 › 是否必备" in messages["E005"]


def test_unknown_key_written_as_the_chinese_label(catalog_copy: CatalogCopy) -> None:
    catalog_copy.replace(PLEDGE, "keywords: [质押]", "检索关键词: [质押]")
    (problem,) = problems_of(catalog_copy)
    assert "是否应为「keywords」" in problem.message


def test_yaml_1_2_reads_times_and_yes_as_text(catalog_copy: CatalogCopy) -> None:
    catalog_copy.replace("platform.yml", "  - 周一至周五 8:30—17:30", "  - 8:30")
    catalog_copy.replace("platform.yml", "introduction: 用于自动化测试的最小目录。", "introduction: yes")
    assert problems_of(catalog_copy) == []


def test_number_where_text_is_expected_suggests_quotes(catalog_copy: CatalogCopy) -> None:
    catalog_copy.replace("platform.yml", "  - 周一至周五 8:30—17:30", "  - 1730")
    (problem,) = problems_of(catalog_copy)
    assert problem.code == "E003"
    assert "开放时间 › 第 1 项" in problem.message
    assert "加引号" in problem.message


def test_code_table_error_lists_the_allowed_codes(catalog_copy: CatalogCopy) -> None:
    catalog_copy.replace(PLEDGE, 'item_type: "20"', "item_type: 30")
    (problem,) = problems_of(catalog_copy)
    assert problem.message.startswith("「事项类型」的值「30」不在事项类型代码表中")
    assert "20（公共服务事项）" in problem.message


def test_unquoted_numeric_codes_are_accepted(catalog_copy: CatalogCopy) -> None:
    catalog_copy.replace(PLEDGE, 'item_type: "20"', "item_type: 20")
    catalog_copy.replace(PLEDGE, 'service_objects: ["1", "2"]', "service_objects: [1, 2]")
    assert problems_of(catalog_copy) == []


def test_load_catalog_raises_with_every_problem(catalog_copy: CatalogCopy) -> None:
    catalog_copy.replace(PLEDGE, "department: bureau", "department: nobody")
    catalog_copy.replace(PLEDGE, 'item_type: "20"', 'item_type: "99"')
    with pytest.raises(CatalogInvalid) as raised:
        load_catalog(catalog_copy.root)
    assert sorted(p.code for p in raised.value.problems) == ["E004", "E103"]


def test_load_catalog_gives_schema_objects(catalog_copy: CatalogCopy) -> None:
    catalog = load_catalog(catalog_copy.root)
    assert list(catalog.items) == ["filing", "pledge"]
    assert catalog.items["pledge"].materials[0].blank_form == "pledge/form.docx"
    assert catalog.fee("official/annual")[1].tiers[1].amount == 1200
    assert catalog.reduction("official/individual-85")[1].percent_off == 85
    assert catalog.directory_entry("ip-pledge")[0].nature == "个性化增值"
    assert catalog.departments["partner"].kind == "合作机构"


SAMPLE = """\
name: x
status:
  state: 在用
  changes: [a, b]
materials:
  - id: a
    name: 申请表
  - {id: b, name: 委托书}
"""


@pytest.mark.parametrize(
    ("loc", "key", "position"),
    [
        (("name",), False, Position(1, 7)),
        (("name",), True, Position(1, 1)),
        (("status",), False, Position(2, 1)),  # a block is shown at its key
        (("status", "state"), False, Position(3, 10)),
        (("status", "changes"), False, Position(4, 12)),  # a flow list, at its bracket
        (("status", "changes", 1), False, Position(4, 16)),
        (("materials", 1), False, Position(8, 5)),
        (("materials", 1, "name"), False, Position(8, 19)),
        (("materials", 0, "missing"), False, Position(6, 5)),  # missing: the block it belongs in
        (("absent", "deeper"), False, Position(1, 1)),
        ((), False, Position(1, 1)),
    ],
)
def test_locate(loc: tuple, key: bool, position: Position) -> None:
    assert locate(SAMPLE, loc, key=key) == position
