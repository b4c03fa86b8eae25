"""Exports for supervisors (forms_api/domain/exports.py): masked by default, CSV and XLSX read back."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from cryptography.exceptions import InvalidTag

from forms_api.domain import exports as export
from forms_api.domain.exports import COLUMNS, About, defuse, rows, write_csv, write_xlsx
from forms_api.domain.masking import mask_email, mask_name
from forms_api.storage.crypto import Vault, mask_id, mask_phone

PHONE, ID_NUMBER = "13812345678", "330106199001011234"
OTHER_PHONE = "13987654321"
CREDIT_CODE = "91350100M000100Y4X"
FORMULA = '=HYPERLINK("http://evil.example/","点这里")'


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    return Vault.open(tmp_path / "secrets" / "data.key")


def person_application(vault: Vault) -> dict[str, Any]:
    return {
        "kind": "application",
        "receipt_no": "SQ20261124-000001",
        "lookup": "9f" * 32,
        "status": "已办结",
        "submitted_at": "2026-11-24T10:00:00+08:00",
        "item": {"code": "11330000MB0000000X4000000001", "slug": "patent-pledge", "name": "专利权质押登记"},
        "applicant": {
            "type": "自然人",
            "name": "林晓",
            "phone_enc": vault.encrypt(PHONE),
            "phone_masked": mask_phone(PHONE),
            "email": "lin@example.com",
            "id_number_enc": vault.encrypt(ID_NUMBER),
            "id_number_masked": mask_id(ID_NUMBER),
        },
        "accepted_at": "2026-11-25T01:30:00+00:00",  # stored in UTC: written in China's time
        "due_date": "2026-12-08",
        "completed_at": "2026-12-09T16:20:05+08:00",
        "completed_late": True,
        "result": {"text": "准予登记，\n登记通知书已寄出"},
    }


def company_application(vault: Vault) -> dict[str, Any]:
    return {
        "kind": "application",
        "receipt_no": "SQ20261125-000002",
        "status": "已受理",
        "submitted_at": "2026-11-25T09:00:00+08:00",
        "item": {
            "code": "11330000MB0000000X4000000003",
            "slug": "patent-license-filing",
            "name": "专利实施许可合同备案",
        },
        "applicant": {
            "type": "法人",
            "name": "闽江机械厂",  # short and without 公司: kept all the same, a 法人 is no person
            "phone_enc": vault.encrypt(OTHER_PHONE),
            "phone_masked": mask_phone(OTHER_PHONE),
            "email": "",
            "credit_code": CREDIT_CODE,
        },
        "accepted_at": "2026-11-25T10:00:00+08:00",
        "due_date": "2026-11-30",
    }


def hostile_application() -> dict[str, Any]:
    return {
        "kind": "application",
        "receipt_no": "SQ20261126-000003",
        "status": "不予受理",
        "submitted_at": "2026-11-26T09:00:00+08:00",
        "item": {"code": "c", "name": "+cmd|' /C calc'!A0"},
        "applicant": {"type": "其他组织", "name": FORMULA, "email": "@evil.example", "credit_code": "-2+3"},
        "refusal_reason": "材料不属于本事项",
    }


def consultation(vault: Vault) -> dict[str, Any]:
    return {
        "kind": "consultation",
        "receipt_no": "ZX20261124-000001",
        "status": "已答复",
        "submitted_at": "2026-11-24T11:00:00+08:00",
        "name": "王芳",
        "phone_enc": vault.encrypt(OTHER_PHONE),
        "phone_masked": mask_phone(OTHER_PHONE),
        "email": "wangfang@example.cn",
        "item": {"code": "c", "slug": "patent-pledge", "name": "专利权质押登记"},
        "subject": "质押登记需要哪些材料",
        "department": "dept-ip",
        "reply_due": "2026-11-27",
        "replied_at": "2026-11-26T15:00:00+08:00",
    }


ANONYMOUS_CONSULTATION = {
    "kind": "consultation",
    "receipt_no": "ZX20261125-000002",
    "status": "已分派",
    "submitted_at": "2026-11-25T08:00:00+08:00",
    "name": "欧阳娜娜",
    "email": "",
    "item": None,
    "subject": "\t=1+1",
    "department": "dept-unknown",
    "reply_due": "2026-11-28",
}

PERSON_MASKED = [
    "SQ20261124-000001",
    "专利权质押登记",
    "11330000MB0000000X4000000001",
    "自然人",
    "林*",
    "330***********1234",
    "138****5678",
    "l***@example.com",
    "2026-11-24 10:00:00",
    "已办结",
    "2026-11-25 09:30:00",
    "2026-12-08",
    "2026-12-09 16:20:05",
    "是",
    "准予登记，\n登记通知书已寄出",
]


def about(kind: str, **changes: Any) -> About:
    return About(kind=kind, made_at="2026-12-01 09:30", made_by="sun（监督员）", **changes)


def to_csv(kind: str, table: list[list[str]]) -> bytes:
    buffer = io.BytesIO()
    assert write_csv(kind, table, buffer, about(kind)) == len(table)
    return buffer.getvalue()


def csv_table(data: bytes) -> tuple[dict[str, str], list[list[str]]]:
    """What a CSV export says it holds, and its table (heading row first)."""
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    blank = lines.index([])
    return dict(lines[:blank]), lines[blank + 1 :]


def to_xlsx(kind: str, table: list[list[str]]) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.xlsx"
        assert write_xlsx(kind, table, path, about(kind)) == len(table)
        return path.read_bytes()


def xlsx_cells(data: bytes) -> list[list[Any]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


# --- masking --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "masked"),
    [("林晓", "林*"), ("欧阳娜娜", "欧***"), ("王", "王*"), ("福州银行股份有限公司", "福州银行股份有限公司"),
     ("知识产权研究会", "知识产权研究会"), ("", "")],
)  # fmt: skip
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("address", "masked"),
    [("lin@example.com", "l***@example.com"), (" a@b.cn ", "a***@b.cn"), ("", ""), ("lin", "l***")],
)
def test_mask_email(address: str, masked: str) -> None:
    assert mask_email(address) == masked


# --- rows -----------------------------------------------------------------------------------------


def test_rows_are_masked_by_default(vault: Vault) -> None:
    table = rows("application", [person_application(vault), company_application(vault)])
    assert table[0] == PERSON_MASKED
    company = dict(zip([key for key, _ in COLUMNS["application"]], table[1], strict=True))
    assert company["applicant"] == "闽江机械厂"
    assert company["id_number"] == CREDIT_CODE
    assert company["phone"] == "139****4321"
    assert (company["email"], company["completed_at"], company["late"], company["result"]) == ("", "", "", "")


def test_reveal_writes_the_whole_values(vault: Vault) -> None:
    record = person_application(vault)
    (row,) = rows("application", [record], reveal=vault.decrypt)
    expected = list(PERSON_MASKED)
    expected[4:8] = ["林晓", ID_NUMBER, PHONE, "lin@example.com"]
    assert row == expected
    (company,) = rows("application", [company_application(vault)], reveal=vault.decrypt)
    assert company[5:7] == [CREDIT_CODE, OTHER_PHONE]

    (masked, revealed) = (
        rows("consultation", [consultation(vault)], **options)[0]
        for options in ({}, {"reveal": vault.decrypt})
    )
    assert masked[3:6] == ["王*", "139****4321", "w***@example.cn"]
    assert revealed[3:6] == ["王芳", OTHER_PHONE, "wangfang@example.cn"]


def test_a_wrong_key_is_not_hidden(vault: Vault, tmp_path: Path) -> None:
    other = Vault.open(tmp_path / "other.key")
    with pytest.raises(InvalidTag):  # not written masked as if nothing were wrong
        rows("application", [person_application(vault)], reveal=other.decrypt)


def test_consultation_rows(vault: Vault) -> None:
    table = rows(
        "consultation",
        [consultation(vault), ANONYMOUS_CONSULTATION],
        departments={"dept-ip": "知识产权保护科"},
    )
    assert table == [
        [
            "ZX20261124-000001",
            "专利权质押登记",
            "质押登记需要哪些材料",
            "王*",
            "139****4321",
            "w***@example.cn",
            "2026-11-24 11:00:00",
            "已答复",
            "知识产权保护科",
            "2026-11-27",
            "2026-11-26 15:00:00",
        ],
        [
            "ZX20261125-000002",
            "",
            "\t=1+1",
            "欧***",
            "",
            "",
            "2026-11-25 08:00:00",
            "已分派",
            "dept-unknown",
            "2026-11-28",
            "",
        ],
    ]


@pytest.mark.parametrize(
    ("changes", "today", "late"),
    [
        ({}, dt.date(2026, 12, 1), "是"),  # due 2026-11-30, still being handled
        ({}, dt.date(2026, 11, 30), "否"),
        ({}, None, ""),  # without today only completed applications say
        ({"status": "已提交", "accepted_at": None, "due_date": None}, dt.date(2026, 12, 1), ""),  # no clock
        ({"status": "已办结", "completed_late": False}, dt.date(2026, 12, 1), "否"),
    ],
)
def test_late_column(vault: Vault, changes: dict[str, Any], today: dt.date | None, late: str) -> None:
    record = company_application(vault) | changes
    (row,) = rows("application", [record], today=today)
    assert row[[key for key, _ in COLUMNS["application"]].index("late")] == late


def test_refusal_reason_is_the_result() -> None:
    (row,) = rows("application", [hostile_application()])
    assert row[-1] == "不予受理：材料不属于本事项"


def test_unknown_kind_and_mixed_records_are_refused(vault: Vault) -> None:
    with pytest.raises(ValueError, match="未知的导出类型「payment」"):
        rows("payment", [])
    with pytest.raises(ValueError, match="ZX20261124-000001 的类型为 consultation，不是 application"):
        rows("application", [consultation(vault)])


# --- files ----------------------------------------------------------------------------------------


def test_csv_has_a_bom_crlf_and_reads_back(vault: Vault) -> None:
    records = [person_application(vault), company_application(vault)]
    table = rows("application", records)
    data = to_csv("application", table)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.endswith("\r\n")
    # 6 lines saying what it holds, an empty line, the heading and two rows; the result's own
    # line break is quoted
    assert text.count("\r\n") == 10 and text.count("\n") == 11
    stated, parsed = csv_table(data)
    assert stated == {
        "清单": "网上办件",
        "导出时间": "2026-12-01 09:30",
        "导出人": "sun（监督员）",
        "筛选条件": "无（全部记录）",
        "个人信息": "已遮蔽",
        "记录数": "2 条",
    }
    assert parsed == [[heading for _, heading in COLUMNS["application"]], *table]
    assert parsed[1] == PERSON_MASKED


def test_xlsx_reads_back_with_a_bold_frozen_header(vault: Vault) -> None:
    table = rows("application", [person_application(vault), company_application(vault)], reveal=vault.decrypt)
    workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx("application", table)))
    sheet = workbook.active
    assert workbook.sheetnames == ["网上办件", "说明"]
    stated = {row[0].value: row[1].value for row in workbook["说明"].iter_rows()}
    assert stated["清单"] == "网上办件" and stated["记录数"] == "2 条" and stated["个人信息"] == "已遮蔽"
    header = [cell for cell in sheet[1]]
    assert [cell.value for cell in header] == [heading for _, heading in COLUMNS["application"]]
    assert all(cell.font.bold for cell in header)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:O3"
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert values == table
    id_cell = sheet.cell(row=2, column=6)
    assert (id_cell.value, id_cell.data_type) == (ID_NUMBER, "s")  # text, all 18 digits
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCDEFGHIJKLMNO"}
    assert all(6 <= width <= 62 for width in widths.values())
    assert widths["A"] >= len("SQ20261124-000001")  # the receipt number fits
    assert widths["B"] >= 2 * len("专利实施许可合同备案")  # Chinese is twice as wide
    assert widths["J"] < widths["B"]


def test_masked_files_hold_no_personal_data(vault: Vault) -> None:
    records = [person_application(vault), company_application(vault)]
    table = rows("application", records)
    consultations = rows("consultation", [consultation(vault)])
    text = to_csv("application", table).decode("utf-8-sig") + to_csv("consultation", consultations).decode(
        "utf-8-sig"
    )
    cells = [
        str(value)
        for data in (to_xlsx("application", table), to_xlsx("consultation", consultations))
        for row in xlsx_cells(data)
        for value in row
    ]
    for secret in (PHONE, OTHER_PHONE, ID_NUMBER, "林晓", "王芳", "lin@example.com", "wangfang@example.cn"):
        assert secret not in text
        assert not any(secret in cell for cell in cells), secret
    assert "林*" in text and "138****5678" in text and "330***********1234" in cells


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("a=1", "a=1"),
        ("138****5678", "138****5678"),
        ("", ""),
    ],
)
def test_defuse(cell: str, safe: str) -> None:
    assert defuse(cell) == safe


def test_formulas_are_neutralised_in_both_formats(vault: Vault) -> None:
    table = rows("application", [hostile_application()], reveal=vault.decrypt)
    assert table[0][1] == "+cmd|' /C calc'!A0" and table[0][4] == FORMULA  # the rows keep the values
    (_, parsed) = csv_table(to_csv("application", table))[1]
    assert parsed[1] == "'+cmd|' /C calc'!A0"
    assert parsed[4] == "'" + FORMULA
    assert parsed[5] == "'-2+3"
    assert parsed[7] == "'@evil.example"
    for cell in parsed:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))

    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx("application", table))).active
    row = list(sheet[2])
    assert [cell.data_type for cell in row if cell.value] == ["s"] * len([c for c in row if c.value])
    assert (row[1].value, row[4].value, row[5].value) == ("+cmd|' /C calc'!A0", FORMULA, "-2+3")

    consultations = to_xlsx("consultation", rows("consultation", [ANONYMOUS_CONSULTATION]))
    assert xlsx_cells(consultations)[1][2] == "\t=1+1"


def test_filenames_and_media_types() -> None:
    assert export.filename("application", "xlsx", dt.date(2026, 11, 24)) == "applications-2026-11-24.xlsx"
    assert export.filename("consultation", "csv", dt.date(2026, 11, 24)) == "consultations-2026-11-24.csv"
    assert export.MEDIA_TYPES["csv"] == "text/csv; charset=utf-8"


def test_the_header_states_the_filters_and_whether_data_is_whole(vault: Vault) -> None:
    told = about("consultation", filters=(("提交日期", "2026-11-01 至 2026-11-30"),), revealed=True).lines(3)
    assert told == [
        ("清单", "咨询留言"),
        ("导出时间", "2026-12-01 09:30"),
        ("导出人", "sun（监督员）"),
        ("提交日期", "2026-11-01 至 2026-11-30"),
        ("个人信息", "完整（未遮蔽）"),
        ("记录数", "3 条"),
    ]


def test_a_large_export_holds_every_row_in_both_formats(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More rows than the width sample and any batch: all of them, and the count says so."""
    monkeypatch.setattr(export, "WIDTH_SAMPLE", 7)
    records = [consultation(vault) | {"receipt_no": f"ZX20261124-{n:06d}"} for n in range(1, 2_501)]
    table = rows("consultation", records)
    stated, parsed = csv_table(to_csv("consultation", table))
    assert stated["记录数"] == "2500 条" and len(parsed) == 2_501
    assert [row[0] for row in parsed[1:]] == [r["receipt_no"] for r in records]
    workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx("consultation", table)), read_only=True)
    cells = [[cell.value for cell in row] for row in workbook["咨询留言"].iter_rows()]
    assert [row[0] for row in cells[1:]] == [r["receipt_no"] for r in records]
    assert {row[0].value: row[1].value for row in workbook["说明"].iter_rows()}["记录数"] == "2500 条"
