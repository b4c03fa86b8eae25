"""One broken catalog per validation rule.

Each case edits a copy of the minimal valid catalog (tests/fixtures/catalog) and marks the
line where a problem must be reported with ``# expect: CODE``. The test asserts that exactly
the marked problems are reported: right code, right file, right line, nothing else.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from generator.catalog import check_catalog
from generator.problems import PROBLEM_CODES
from tests.conftest import CatalogCopy

PLEDGE = "items/pledge.yml"
FILING = "items/filing.yml"

Case = Callable[[CatalogCopy], None]
CASES: dict[str, Case] = {}


def case(name: str) -> Callable[[Case], Case]:
    def register(function: Case) -> Case:
        CASES[name] = function
        return function

    return register


# --- structure ------------------------------------------------------------------------------


@case("E002 unknown key is reported at the key")
def _(c: CatalogCopy) -> None:
    c.replace(PLEDGE, "    required: true\n", "    requried: true  # expect: E002\n")
    c.replace(PLEDGE, "  - id: application_form\n", "  - id: application_form  # expect: E005\n")


@case("E002 unknown top-level key")
def _(c: CatalogCopy) -> None:
    c.replace(PLEDGE, "nature: 基础\n", "nature: 基础\nnatrue: 基础  # expect: E002\n")


@case("E003 text field given a list")
def _(c: CatalogCopy) -> None:
    c.replace(PLEDGE, "content: 受理专利权质押登记申请。", "content: [受理, 登记]  # expect: E003")


@case("E003 number where text is expected")
def _(c: CatalogCopy) -> None:
    c.replace("platform.yml", "  - 周一至周五 8:30—17:30", "  - 830  # expect: E003")


@case("E003 date that is not a date")
def _(c: CatalogCopy) -> None:
    c.replace(PLEDGE, "  effective_date: 2021-11-15", "  effective_date: 2021年11月15日  # expect: E003")


@case("E004 code outside the code table")
def _(c: CatalogCopy) -> None:
    c.replace(PLEDGE, 'item_type: "20"', 'item_type: "30"  # expect: E004')


@case("E004 enum value in a list")
def _(c: CatalogCopy) -> None:
    c.replace(PLEDGE, "subjects: [专利]", "subjects: [专利权]  # expect: E004")


@case("E005 missing required field points at the mapping")
def _(c: CatalogCopy) -> None:
    c.replace(
        PLEDGE,
        "legal_time_limit:\n  value: 5\n  unit: 工作日\n",
        "legal_time_limit:  # expect: E005\n  value: 5\n",
    )


@case("E005 empty text")
def _(c: CatalogCopy) -> None:
    c.replace(PLEDGE, "content: 受理专利权质押登记申请。", 'content: ""  # expect: E005')


@case("E006 identifier with capitals")
def _(c: CatalogCopy) -> None:
    c.replace(PLEDGE, "department: bureau", "department: Bureau  # expect: E006")


@case("E006 item file name that is not a slug")
def _(c: CatalogCopy) -> None:
    text = (c.root / FILING).read_text(encoding="utf-8")
    c.delete(FILING)
    c.write("items/Filing_Guide.yml", "# expect: E006\n" + text.split("\n", 1)[1])
    c.replace("themes.yml", "items: [filing, pledge]", "items: [Filing_Guide, pledge]  # expect: E006")
    c.replace(PLEDGE, "related: [filing]", "related: [pledge-guide]  # expect: E106")


@case("E006 code pattern that is not a regular expression")
def _(c: CatalogCopy) -> None:
    c.replace("platform.yml", r"basic: '^20[CD]\d{7}$'", r"basic: '^20[CD\d{7}$'  # expect: E006")


@case("E006 .yaml extension is not read")
def _(c: CatalogCopy) -> None:
    c.write("items/extra.yaml", "# expect: E006\nname: 不会被读取\n")


@case("E007 negative count")
def _(c: CatalogCopy) -> None:
    c.replace(
        PLEDGE, "    copies: 0\n    required: true", "    copies: -1  # expect: E007\n    required: true"
    )


@case("E007 empty list where one entry is required")
def _(c: CatalogCopy) -> None:
    c.replace(PLEDGE, "acceptance_conditions:\n  - 专利权有效。", "acceptance_conditions: []  # expect: E007")


@case("E007 即办 with a number of days")
def _(c: CatalogCopy) -> None:
    c.replace(
        FILING,
        "legal_time_limit:\n  unit: 即办",
        "legal_time_limit:\n  value: 3  # expect: E007\n  unit: 即办",
    )


@case("E008 duplicate key")
def _(c: CatalogCopy) -> None:
    c.replace(PLEDGE, "keywords: [质押]", "keywords: [质押]\nkeywords: [融资]  # expect: E008")


# --- meaning ---------------------------------------------------------------------------------


@case("E101 duplicate implementation code")
def _(c: CatalogCopy) -> None:
    c.replace(
        FILING, "implementation_code: 20C0800001-01", "implementation_code: 20C0500001-01  # expect: E113"
    )
    c.replace(
        PLEDGE, "implementation_code: 20C0500001-01", "implementation_code: 20C0500001-01  # expect: E101"
    )


@case("E101 duplicate material id")
def _(c: CatalogCopy) -> None:
    c.replace(PLEDGE, "  - id: power_of_attorney", "  - id: application_form  # expect: E101")


@case("E101 basic code shared by two different items")
def _(c: CatalogCopy) -> None:
    c.replace(FILING, "basic_code: 20C0800001", "basic_code: 20C0500001")
    c.replace(FILING, "implementation_code: 20C0800001-01", "implementation_code: 20C0500001-02")
    c.replace(PLEDGE, "basic_code: 20C0500001", "basic_code: 20C0500001  # expect: E101")


@case("E101 duplicate department id and credit code")
def _(c: CatalogCopy) -> None:
    c.replace("departments.yml", "  - id: partner", "  - id: bureau  # expect: E101")
    c.replace(
        "departments.yml",
        "credit_code: 91339900D4H3J9HT2W",
        "credit_code: 11339900AY4CL12T8J  # expect: E101",
    )


@case("E102 promised time limit exceeds the legal one")
def _(c: CatalogCopy) -> None:
    c.replace(PLEDGE, "promised_time_limit:\n  value: 3", "promised_time_limit:\n  value: 30  # expect: E102")


@case("E102 promised calendar days exceed legal working days")
def _(c: CatalogCopy) -> None:
    c.replace(
        PLEDGE,
        "promised_time_limit:\n  value: 3\n  unit: 工作日",
        "promised_time_limit:\n  value: 8  # expect: E102\n  unit: 自然日",
    )


@case("E102 no legal time limit means nothing to exceed")
def _(c: CatalogCopy) -> None:
    c.replace(PLEDGE, "legal_time_limit:\n  value: 5\n  unit: 工作日\n", "")
    c.replace(PLEDGE, "promised_time_limit:\n  value: 3", "promised_time_limit:\n  value: 1")
    c.replace(PLEDGE, "process:\n", "process:  # expect: E116\n")


@case("E103 unknown department")
def _(c: CatalogCopy) -> None:
    c.replace(PLEDGE, "department: bureau", "department: bureu  # expect: E103")


@case("E103 partner organisation as implementing department")
def _(c: CatalogCopy) -> None:
    c.replace(PLEDGE, "department: bureau", "department: partner  # expect: E103")


@case("E103 unknown data asset owner")
def _(c: CatalogCopy) -> None:
    c.replace("data-assets.yml", "owner: bureau", "owner: archive  # expect: E103")


@case("E104 unknown directory entry")
def _(c: CatalogCopy) -> None:
    c.replace(PLEDGE, "category: government-service", "category: goverment-services  # expect: E104")


@case("E105 unknown fee and unknown fee standard")
def _(c: CatalogCopy) -> None:
    c.replace(FILING, "    - fee: official/application", "    - fee: official/aplication  # expect: E105")
    c.replace(
        FILING, "reduction: official/individual-85", "reduction: trademark/individual-85  # expect: E105"
    )


@case("E105 reduction covering a fee not in its standard")
def _(c: CatalogCopy) -> None:
    c.replace(
        "fees/official.yml",
        "applies_to: [application, annual]",
        "applies_to: [application, renewal]  # expect: E105",
    )


@case("E106 unknown related item and theme item")
def _(c: CatalogCopy) -> None:
    c.replace(PLEDGE, "related: [filing]", "related: [filling]  # expect: E106")
    c.replace("themes.yml", "items: [filing, pledge]", "items: [filing, pledge, transfer]  # expect: E106")


@case("E107 cancelled item without a replacement")
def _(c: CatalogCopy) -> None:
    c.replace(
        FILING,
        "status:\n  state: 在用\n",
        "status:  # expect: E107\n  state: 取消\n  cancelled_on: 2025-01-01\n  reason: 并入质押登记。\n",
    )
    c.replace("themes.yml", "items: [filing, pledge]", "items: [filing, pledge]  # expect: E107")


@case("E107 suspended item without a reason")
def _(c: CatalogCopy) -> None:
    c.replace(
        FILING,
        "status:\n  state: 在用\n",
        "status:  # expect: E107\n  state: 暂停\n  suspended_from: 2026-10-01\n",
    )


@case("E107 cancelled item featured on the home page")
def _(c: CatalogCopy) -> None:
    c.replace(
        FILING,
        "status:\n  state: 在用\n",
        "status:\n  state: 取消\n  cancelled_on: 2025-01-01\n  replaced_by: pledge\n  reason: 并入质押登记。\n",
    )
    c.replace("themes.yml", "items: [filing, pledge]", "items: [filing, pledge]  # expect: E107")
    c.replace("platform.yml", "settings:\n", "featured_items: [pledge, filing]  # expect: E107\nsettings:\n")


@case("E109 notice that ends before it starts")
def _(c: CatalogCopy) -> None:
    c.replace(
        "platform.yml",
        "settings:\n",
        "notices:\n  - date: 2026-11-20\n    title: 元旦假期安排\n    text: 1 月 1 日休息。\n    until: 2026-11-01  # expect: E109\nsettings:\n",
    )


@case("E106 unknown featured item")
def _(c: CatalogCopy) -> None:
    c.replace(
        "platform.yml", "settings:\n", "featured_items: [pledge, transfer]  # expect: E106\nsettings:\n"
    )


@case("E107 replacement on an item in use")
def _(c: CatalogCopy) -> None:
    c.replace(FILING, "  state: 在用\n", "  state: 在用\n  replaced_by: pledge  # expect: E107\n")


@case("E108 credit code with a wrong check digit")
def _(c: CatalogCopy) -> None:
    c.replace(
        "departments.yml",
        "credit_code: 91339900D4H3J9HT2W",
        "credit_code: 91339900D4H3J9HT2X  # expect: E108",
    )


@case("E109 change history out of order")
def _(c: CatalogCopy) -> None:
    c.replace(PLEDGE, "  - date: 2024-01-01", "  - date: 2020-01-01  # expect: E109")


@case("E109 suspension ending before it starts")
def _(c: CatalogCopy) -> None:
    c.replace(
        FILING,
        "  state: 在用\n",
        "  state: 暂停\n  suspended_from: 2026-10-01\n  suspended_until: 2026-09-01  # expect: E109\n  reason: 系统升级。\n",
    )


@case("E110 URL without a scheme")
def _(c: CatalogCopy) -> None:
    c.replace(
        "platform.yml", "website: https://ip.shifan.example/", "website: ip.shifan.example  # expect: E110"
    )


@case("E111 phone number")
def _(c: CatalogCopy) -> None:
    c.replace(PLEDGE, "      number: 0123-88120001", "      number: 0123-8812  # expect: E111")


@case("E112 missing attachment")
def _(c: CatalogCopy) -> None:
    c.replace(PLEDGE, "blank_form: pledge/form.docx", "blank_form: pledge/申请表.docx  # expect: E112")


@case("E113 code that does not match the platform pattern")
def _(c: CatalogCopy) -> None:
    c.replace(PLEDGE, "basic_code: 20C0500001", "basic_code: 20C05001  # expect: E113")
    c.replace(
        PLEDGE, "implementation_code: 20C0500001-01", "implementation_code: 20C05001-01  # expect: E113"
    )


@case("E113 implementation code not starting with the basic code")
def _(c: CatalogCopy) -> None:
    c.replace(
        PLEDGE, "implementation_code: 20C0500001-01", "implementation_code: 20C0500002-01  # expect: E113"
    )


@case("E114 nature not matching the directory")
def _(c: CatalogCopy) -> None:
    c.replace(PLEDGE, "category: government-service", "category: ip-pledge")
    c.replace(PLEDGE, "nature: 基础", "nature: 基础  # expect: E114")


@case("E115 即办件 with a promised time limit in days")
def _(c: CatalogCopy) -> None:
    c.replace(PLEDGE, 'case_type: "2"', 'case_type: "1"  # expect: E115')


@case("E116 process steps longer than the promise")
def _(c: CatalogCopy) -> None:
    c.replace(PLEDGE, "      value: 2\n      unit: 工作日", "      value: 4\n      unit: 工作日")
    c.replace(PLEDGE, "process:\n", "process:  # expect: E116\n")


@case("E117 version not matching the latest change")
def _(c: CatalogCopy) -> None:
    c.replace(PLEDGE, 'version: "1.1"\nchanges:', 'version: "1.2"  # expect: E117\nchanges:')


@case("E118 e-mail address")
def _(c: CatalogCopy) -> None:
    c.replace("platform.yml", "email: test@shifan.example", "email: test.shifan.example  # expect: E118")


@case("E119 free item listing fees")
def _(c: CatalogCopy) -> None:
    c.replace(
        PLEDGE,
        "fees:\n  free: true\n",
        "fees:\n  free: true\n  items:  # expect: E119\n    - fee: official/application\n",
    )


@case("E119 tiered fee without tier_at and fee with amount and tiers")
def _(c: CatalogCopy) -> None:
    c.replace(
        FILING,
        "    - fee: official/annual\n      tier_at: 1\n",
        "    - fee: official/annual  # expect: E119\n",
    )
    c.replace("fees/official.yml", "    tiers:\n", "    amount: 1000\n    tiers:  # expect: E119\n")


@case("E119 overlapping tiers")
def _(c: CatalogCopy) -> None:
    c.replace("fees/official.yml", "      - start: 4\n", "      - start: 3  # expect: E119\n")


@case("E120 optional material without a condition")
def _(c: CatalogCopy) -> None:
    c.replace(PLEDGE, "    condition: 委托他人办理的\n", "")
    c.replace(PLEDGE, "  - id: power_of_attorney", "  - id: power_of_attorney  # expect: E120")


@case("E120 select field without options and reserved field id")
def _(c: CatalogCopy) -> None:
    c.replace(
        PLEDGE,
        "  - id: patent_numbers\n    label: 出质专利号\n    type: textarea\n",
        "  - id: kind  # expect: E120\n    label: 专利类型\n    type: select\n  - id: phone  # expect: E120\n    label: 电话\n",
    )


@case("E119 online rate for a fee without one")
def _(c: CatalogCopy) -> None:
    c.replace(
        FILING,
        "    - fee: official/application\n",
        "    - fee: official/application\n      online: true  # expect: E119\n",
    )


@case("E120 offline item without a place, exempt material on an offline item")
def _(c: CatalogCopy) -> None:
    c.replace(
        FILING,
        "places:\n  - name: 综合窗口\n    address: 测试市中山路 1 号\n",
        "places: []  # expect: E120\n",
    )
    c.replace(PLEDGE, "online_application: true", "online_application: false")
    c.replace(PLEDGE, 'handling_forms: ["1", "2"]', 'handling_forms: ["1"]')
    c.replace(PLEDGE, "application_fields:\n", "application_fields:  # expect: E120\n")
    c.replace(
        PLEDGE,
        "    blank_form: pledge/form.docx\n",
        "    blank_form: pledge/form.docx\n    online_exempt: true  # expect: E120\n",
    )


@case("E120 checkboxes without options")
def _(c: CatalogCopy) -> None:
    c.replace(PLEDGE, "    type: textarea\n", "    type: checkboxes\n")
    c.replace(PLEDGE, "  - id: patent_numbers\n", "  - id: patent_numbers  # expect: E120\n")


@case("E120 online application without web handling form")
def _(c: CatalogCopy) -> None:
    c.replace(PLEDGE, 'handling_forms: ["1", "2"]', 'handling_forms: ["1"]  # expect: E120')


@case("E121 personal information published without conditions")
def _(c: CatalogCopy) -> None:
    c.replace(
        "data-assets.yml",
        "    access: 有条件开放\n",
        "    access: 无条件开放  # expect: E121\n    personal_information: true\n",
    )


@case("E122 evaluation indicator whose unit does not fit its formula")
def _(c: CatalogCopy) -> None:
    c.write(
        "indicators.yml",
        "indicators:\n"
        "  - id: bad-rating-rate\n"
        "    name: 差评率\n"
        "    definition: 满意度为 4、5 的评价占全部评价的百分比。\n"
        "    formula:\n"
        "      numerator: bad_ratings\n"
        "      denominator: ratings\n"
        "    unit: 件  # expect: E122\n"
        "    target: 2\n"
        "    direction: lower\n",
    )


def indicator_entry(id: str, name: str, *shown: str) -> str:
    """One ratio indicator of ``indicators.yml``, followed by the lines ``shown``."""
    return (
        f"  - id: {id}\n"
        f"    name: {name}\n"
        "    definition: 统计期内收到的评价中，满意评价所占的百分比。\n"
        "    formula:\n"
        "      numerator: satisfied_ratings\n"
        "      denominator: ratings\n"
        "    unit: 百分比\n"
        "    target: 95\n"
        "    direction: higher\n" + "".join(f"    {line}\n" for line in shown)
    )


@case("E123 evaluation indicator shown per item or on the guides but not public")
def _(c: CatalogCopy) -> None:
    c.write(
        "indicators.yml",
        "indicators:\n"
        + indicator_entry(
            "satisfaction-rate", "满意率", "per_item: true  # expect: E123", "guide: true  # expect: E123"
        )
        + indicator_entry("rating-rate", "评价率", "public: false", "per_item: true  # expect: E123"),
    )


@case("E123 evaluation indicator on the guides but not shown per item")
def _(c: CatalogCopy) -> None:
    c.write(
        "indicators.yml",
        "indicators:\n"
        + indicator_entry("satisfaction-rate", "满意率", "public: true", "guide: true  # expect: E123")
        + indicator_entry("rating-rate", "评价率", "public: true", "per_item: true", "guide: true")
        + indicator_entry("other-rate", "其他比率", "public: true", "per_item: true", "guide: false"),
    )


@case("E124 published results that do not fit the indicators")
def _(c: CatalogCopy) -> None:
    c.write(
        "indicators.yml",
        "indicators:\n"
        + indicator_entry("satisfaction-rate", "满意率", "public: true", "per_item: true")
        + indicator_entry("bad-rating-rate", "差评率", "public: true")
        + indicator_entry("rating-rate", "评价率"),
    )
    c.write(
        "results.yml",
        "start: 2026-07-01\n"
        "end: 2026-09-30\n"
        "as_of: 2026-10-15\n"
        "figures:\n"
        "  - indicator: satisfaction-rate\n"
        "    numerator: 7  # expect: E124\n"
        "    denominator: 6\n"
        "  - indicator: rating-rate  # expect: E124\n"
        "    numerator: 1\n"
        "    denominator: 2\n"
        "  - indicator: no-such-rate  # expect: E124\n"
        "    numerator: 1\n"
        "    denominator: 2\n"
        "items:\n"
        "  - item: pledge\n"
        "    figures:\n"
        "      - indicator: bad-rating-rate  # expect: E124\n"
        "        numerator: 0\n"
        "        denominator: 2\n"
        "      - indicator: satisfaction-rate  # expect: E124\n"
        "        numerator: 2\n",
    )


def guide_file(questions: str, results: str, start: str = "who") -> str:
    return f"title: 我要办理质押登记\nsummary: 回答问题，找到要办的事项。\nstart: {start}\nquestions:\n{questions}results:\n{results}"


WHO = (
    "  - id: who\n"
    "    text: 谁来办？\n"
    "    choices:\n"
    "      - id: self\n"
    "        label: 自己\n"
    "        next: done\n"
    "      - id: agent\n"
    "        label: 代理人\n"
    "        next: done\n"
)
"""A question whose two answers both lead to the result ``done``."""

GOOD_RESULT = "  - id: done\n    title: 您需要办理：质押登记\n    items: [pledge]\n"


@case("E125 repeated identifiers in a guide")
def _(c: CatalogCopy) -> None:
    c.write(
        "guides/pledge.yml",
        guide_file(
            "  - id: who\n"
            "    text: 谁来办？\n"
            "    choices:\n"
            "      - id: self\n"
            "        label: 自己\n"
            "        next: done\n"
            "      - id: self  # expect: E125\n"
            "        label: 代理人\n"
            "        next: done\n",
            GOOD_RESULT + "  - id: who  # expect: E125\n    title: 重复\n    items: [pledge]\n",
        ),
    )


@case("E126 a choice leading nowhere, an unknown answer, an unknown start")
def _(c: CatalogCopy) -> None:
    questions = (
        "  - id: who\n"
        "    text: 谁来办？\n"
        "    choices:\n"
        "      - id: self\n"
        "        label: 自己\n"
        "        next: dnoe  # expect: E126\n"
        "      - id: agent\n"
        "        label: 代理人\n"
        "        next: done\n"
    )
    result = (
        GOOD_RESULT
        + "    materials:\n      - item: pledge\n        material: power_of_attorney\n        when: [agnet]  # expect: E126\n"
    )
    c.write("guides/pledge.yml", guide_file(questions, result))
    c.write(
        "guides/other.yml",
        guide_file(
            questions.replace("  # expect: E126", "").replace("dnoe", "done"),
            GOOD_RESULT,
            start="whom  # expect: E126",
        ),
    )


@case("E127 a loop and a result no answer reaches")
def _(c: CatalogCopy) -> None:
    c.write(
        "guides/pledge.yml",
        guide_file(
            "  - id: who\n"
            "    text: 谁来办？\n"
            "    choices:\n"
            "      - id: self\n"
            "        label: 自己\n"
            "        next: again\n"
            "      - id: agent\n"
            "        label: 代理人\n"
            "        next: done\n"
            "  - id: again\n"
            "    text: 再问一次？\n"
            "    choices:\n"
            "      - id: yes\n"
            "        label: 是\n"
            "        next: who  # expect: E127\n"
            "      - id: no\n"
            "        label: 否\n"
            "        next: done\n",
            GOOD_RESULT + "  - id: orphan  # expect: E127\n    title: 没有路径\n    items: [pledge]\n",
        ),
    )


@case("E128 a guide naming an item, material, fee or reduction that does not exist")
def _(c: CatalogCopy) -> None:
    c.write(
        "guides/pledge.yml",
        guide_file(
            WHO,
            "  - id: done\n"
            "    title: 您需要办理：质押登记\n"
            "    items: [pledge, pleged]  # expect: E128\n"
            "    materials:\n"
            "      - item: pledge\n"
            "        material: contract  # expect: E128\n"
            "    charges:\n"
            "      - fee: official/applicaton  # expect: E128\n"
            "    fees:\n"
            "      - reduction: official/individual-58  # expect: E128\n",
        ),
    )


def point_entry(point_id: str, kind: str, *extra: str, start: str = "08:30", end: str = "12:00") -> str:
    lines = [
        f"  - id: {point_id}",
        f"    name: 网点{point_id}",
        f"    kind: {kind}",
        "    address: 示范市滨江大道 88 号",
        "    district: 滨江区",
        "    phone: 0123-88120000",
        "    sessions:",
        f'      - start: "{start}"',
        f'        end: "{end}"',
        "    transport: 地铁 2 号线",
        *extra,
    ]
    return "\n".join(lines) + "\n"


@case("E129 service points: a repeated id, a window without its hall, an unknown hall")
def _(c: CatalogCopy) -> None:
    c.write(
        "service-points.yml",
        "points:\n"
        + point_entry("hall", "大厅")
        + point_entry("hall", "大厅").replace("  - id: hall\n", "  - id: hall  # expect: E129\n", 1)
        + point_entry("w1", "窗口").replace("kind: 窗口\n", "kind: 窗口  # expect: E129\n")
        + point_entry("w2", "窗口", "    parent: hal  # expect: E129")
        + point_entry("w3", "窗口", "    parent: w2  # expect: E129"),
    )


@case("E129 a service point's opening period that ends before it starts")
def _(c: CatalogCopy) -> None:
    c.write(
        "service-points.yml",
        "points:\n"
        + point_entry("hall", "大厅", start="13:30", end="12:00").replace(
            '      - start: "13:30"\n', '      - start: "13:30"  # expect: E129\n'
        ),
    )


@case("E130 an item's place naming a service point that does not exist")
def _(c: CatalogCopy) -> None:
    c.write("service-points.yml", "points:\n" + point_entry("hall", "大厅"))
    c.replace(PLEDGE, "places:\n  - name: ", "places:\n  - point: hal  # expect: E130\n    name: ")


def event_entry(event_id: str, *extra: str, date: str = "2026-12-16", until: str = "2026-12-14") -> str:
    lines = [
        f"  - id: {event_id}",
        "    title: 质押登记讲座",
        "    topic: 讲解质押登记材料。",
        "    kind: 讲座",
        f"    date: {date}",
        "    time:",
        '      start: "14:00"',
        '      end: "16:00"',
        "    online: true",
        "    capacity: 30",
        f"    register_until: {until}",
        *extra,
    ]
    return "\n".join(lines) + "\n"


@case("E131 an event: a repeated id, an unknown item, a question not in the handbook")
def _(c: CatalogCopy) -> None:
    c.write(
        "events.yml",
        "events:\n"
        + event_entry("talk")
        + event_entry("talk").replace("  - id: talk\n", "  - id: talk  # expect: E131\n")
        + event_entry(
            "other",
            "    items: [pledge, pleged]  # expect: E131",
            "    faqs: [ZX20261009-000012]  # expect: E131",
        )
        + event_entry("third", "    point: hall  # expect: E130"),
    )


@case("E131 an event whose registration closes after it takes place")
def _(c: CatalogCopy) -> None:
    c.write(
        "events.yml",
        "events:\n"
        + event_entry("talk", until="2026-12-20").replace("  - id: talk\n", "  - id: talk  # expect: E131\n"),
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_catalog_reports_exactly_the_marked_problems(name: str, catalog_copy: CatalogCopy) -> None:
    CASES[name](catalog_copy)
    expected = catalog_copy.expected()
    assert expected, "a case must mark at least one expected problem"
    _, problems = check_catalog(catalog_copy.root, display_root=catalog_copy.root)
    reported = {(p.path, p.line, p.code) for p in problems}
    assert reported == expected, "\n".join(p.format() for p in problems)


def test_the_minimal_catalog_is_clean(catalog_copy: CatalogCopy) -> None:
    _, problems = check_catalog(catalog_copy.root, display_root=catalog_copy.root)
    assert problems == []


def test_every_problem_code_has_a_case() -> None:
    covered = {name.split()[0] for name in CASES} | {"E001", "E009"}  # those two: test_validation_reading.py
    assert covered == set(PROBLEM_CODES)


def test_several_problems_in_several_files_are_all_reported(catalog_copy: CatalogCopy) -> None:
    for name in (
        "E102 promised time limit exceeds the legal one",
        "E103 unknown department",
        "E108 credit code with a wrong check digit",
        "E106 unknown related item and theme item",
        "E119 overlapping tiers",
    ):
        CASES[name](catalog_copy)
    _, problems = check_catalog(catalog_copy.root, display_root=catalog_copy.root)
    assert {(p.path, p.line, p.code) for p in problems} == catalog_copy.expected()
    assert len({p.path for p in problems}) == 4
