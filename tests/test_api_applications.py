"""POST /api/applications: 网上申请 with materials (T/CIPS 007—2024 8.4.3, annex F.2)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import stat

import pytest

from forms_api.domain import submissions as service_module
from generator import workdays
from tests.api import (
    JSON,
    LICENSE,
    PLEDGE,
    SUSPENDED,
    client,
    credit_code,
    id_number,
    pdf,
    pledge_fields,
    pledge_files,
    png,
    store_bytes,
    store_of,
)

MB = 1024 * 1024


def submit(api, fields=None, files=None):
    return api.post(
        "/api/applications",
        data=pledge_fields() if fields is None else fields,
        files=pledge_files() if files is None else files,
        headers=JSON,
    )


def stored_files(api) -> list[str]:
    """The names of the files the service's blob store holds (a folder, or the database)."""
    return list(api.app.state.service.blobs.names())


def record_of(api, receipt_no: str) -> dict:
    return store_of(api).get(receipt_no)


def at(day: dt.date, hour: int = 10):
    return lambda: dt.datetime.combine(day, dt.time(hour), tzinfo=workdays.china_tz())


def test_an_application_is_received_with_receipt_and_due_date(api) -> None:
    answer = submit(api)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert re.fullmatch(r"SQ\d{8}-\d{6}", body["receipt_no"])
    assert body["status"] == "已提交"
    assert re.fullmatch(r"[A-Z0-9]{8}", body["lookup_code"])
    due = dt.date.fromisoformat(body["due_date"])
    assert workdays.working_days_between(workdays.today(), due) == 2  # 承诺时限 of patent-pledge


def test_the_record_is_the_acceptance_form_with_each_materials_digest(api, tmp_path) -> None:
    files = pledge_files()
    receipt_no = submit(api, files=files).json()["receipt_no"]
    record = record_of(api, receipt_no)
    assert record["item"]["code"] == PLEDGE
    assert record["applicant"]["name"] == "林晓"
    assert record["applicant"]["type"] == "自然人"
    assert record["fields"]["pledgee_name"] == "福州银行股份有限公司"
    assert dt.datetime.fromisoformat(record["submitted_at"]).tzinfo is not None
    received = {m["id"]: m for m in record["materials"]}
    assert set(received) == {"application_form", "pledge_contract", "identity_documents"}
    for name, (file_name, data, _) in files.items():
        assert received[name]["sha256"] == hashlib.sha256(data).hexdigest()
        assert received[name]["size"] == len(data)
        assert received[name]["file_name"] == file_name
    assert received["identity_documents"]["type"] == "png"


def test_uploads_are_stored_under_generated_names_readable_by_the_service_only(api, tmp_path) -> None:
    files = pledge_files()
    receipt_no = submit(api, files=files).json()["receipt_no"]
    stored = stored_files(api)
    assert len(stored) == 3
    assert all(re.fullmatch(r"[0-9a-f]{32}", name) for name in stored)
    blobs = api.app.state.service.blobs
    for name in stored:
        if (path := blobs.path(name)) is not None:  # on disk: readable by the service only
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for material in record_of(api, receipt_no)["materials"]:
        content = b"".join(blobs.read(material["stored_name"]))
        assert hashlib.sha256(content).hexdigest() == material["sha256"]


def test_every_problem_is_listed_at_once_and_nothing_is_kept(api, tmp_path) -> None:
    fields = pledge_fields(applicant_name="", id_number="110105194912310021", phone="", secured_amount="五百")
    files = pledge_files(
        application_form=None,  # required, missing
        pledge_contract=png(),  # PDF only
        identity_documents=b"MZ\x90\x00" + bytes(3000),  # an executable
        power_of_attorney=pdf(11 * MB),  # over the 10 MB default
    )
    answer = submit(api, fields, files)
    assert answer.status_code == 422
    problems = answer.json()["error"]["fields"]
    assert set(problems) == {
        "applicant_name",
        "id_number",
        "phone",
        "secured_amount",
        "application_form",
        "pledge_contract",
        "identity_documents",
        "power_of_attorney",
    }
    assert "请上传" in problems["application_form"]
    assert "PNG" in problems["pledge_contract"] and "PDF" in problems["pledge_contract"]
    assert "无法识别" in problems["identity_documents"]
    assert "11 MB" in problems["power_of_attorney"] and "10 MB" in problems["power_of_attorney"]
    assert "校验码" in problems["id_number"] or "不正确" in problems["id_number"]
    assert stored_files(api) == []
    assert store_of(api).count("application") == 0


def test_a_materials_own_size_limit_applies(api) -> None:
    # 质押合同 accepts up to 20 MB, more than the default 10 MB.
    answer = submit(api, files=pledge_files(pledge_contract=pdf(15 * MB)))
    assert answer.status_code == 201, answer.text


def test_the_type_comes_from_the_content_not_the_name(api) -> None:
    files = pledge_files()
    files["application_form"] = ("申请表.pdf", png(), "application/pdf")  # a PNG named .pdf: allowed here
    files["pledge_contract"] = ("合同.pdf", b"<html><script>alert(1)</script></html>", "application/pdf")
    problems = submit(api, files=files).json()["error"]["fields"]
    assert set(problems) == {"pledge_contract"}
    assert "无法识别文件类型" in problems["pledge_contract"]


def test_an_unknown_file_part_is_refused(api) -> None:
    files = pledge_files()
    files["virus"] = ("x.pdf", pdf(), "application/pdf")
    problems = submit(api, files=files).json()["error"]["fields"]
    assert problems == {"virus": "本事项没有这份材料"}


def test_an_organisation_gives_its_credit_code(api) -> None:
    fields = pledge_fields(applicant_type="法人", applicant_name="福建闽光科技有限公司", id_number=None)
    answer = submit(api, fields)
    assert answer.status_code == 422
    assert set(answer.json()["error"]["fields"]) == {"credit_code"}
    answer = submit(api, {**fields, "credit_code": credit_code()})
    assert answer.status_code == 201
    assert record_of(api, answer.json()["receipt_no"])["applicant"]["credit_code"] == credit_code()


def test_a_wrong_check_character_in_the_credit_code_is_named(api) -> None:
    good = credit_code()
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    fields = pledge_fields(applicant_type="其他组织", id_number=None, credit_code=wrong)
    problem = submit(api, fields).json()["error"]["fields"]["credit_code"]
    assert "统一社会信用代码" in problem


@pytest.mark.parametrize(
    ("item_code", "expected"),
    [
        (SUSPENDED, "不接受网上申请"),
        ("20C0000000-000000000000-000000000000000000-01", "找不到"),
        ("", "请选择"),
    ],
)
def test_only_items_taking_online_applications_can_be_applied_for(api, item_code: str, expected: str) -> None:
    answer = submit(api, pledge_fields(item_code=item_code))
    assert answer.status_code == 422
    assert expected in answer.json()["error"]["fields"]["item_code"]


def test_the_due_date_skips_a_public_holiday(api, monkeypatch) -> None:
    # Wednesday 30 September 2026, 2 working days: 1–7 October is 国庆, so 8 and 9 October.
    monkeypatch.setattr(service_module, "now", at(dt.date(2026, 9, 30)))
    assert submit(api).json()["due_date"] == "2026-10-09"


def test_the_due_date_counts_a_make_up_working_saturday(api, monkeypatch) -> None:
    # Saturday 10 October 2026 is a 调休 working day: 3 working days from 30 September end on it.
    monkeypatch.setattr(service_module, "now", at(dt.date(2026, 9, 30)))
    files = {
        "application_form": ("申请表.pdf", pdf(), "application/pdf"),
        "license_contract": ("合同.pdf", pdf(), "application/pdf"),
        "identity_documents": ("身份证明.png", png(), "image/png"),
    }
    fields = pledge_fields(
        item_code=LICENSE,
        patent_numbers="ZL202310123456.7",
        licensee_name="福建闽光科技有限公司",
        license_type="普通许可",
        contract_effective_date="2026-10-01",
        license_term="3 年",
    )
    answer = submit(api, fields, files)
    assert answer.status_code == 201, answer.text
    assert answer.json()["due_date"] == "2026-10-10"


def test_id_and_phone_numbers_are_encrypted_at_rest(api, tmp_path) -> None:
    number = id_number("35010219800101123")
    receipt_no = submit(api, pledge_fields(id_number=number, phone="13912345678")).json()["receipt_no"]
    on_disk = store_bytes(tmp_path / "data", api)
    assert number.encode() not in on_disk
    assert b"13912345678" not in on_disk
    applicant = record_of(api, receipt_no)["applicant"]
    vault = api.app.state.service.vault
    assert vault.decrypt(applicant["id_number_enc"]) == number
    assert applicant["id_number_masked"].startswith("350") and number not in applicant["id_number_masked"]
    assert vault.decrypt(applicant["phone_enc"]) == "13912345678"


def test_the_key_is_made_on_first_run_readable_by_the_owner_only(built_site, tmp_path) -> None:
    data_dir = tmp_path / "data"
    with client(built_site, data_dir) as api:
        key_path = api.app.state.service.settings.key_path
        assert submit(api).status_code == 201
    key = key_path.read_bytes()
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert key_path.parent != data_dir / "store"
    with client(built_site, data_dir) as api:
        assert key_path.read_bytes() == key  # the same key on the next start


def test_several_files_for_one_material_are_refused(api) -> None:
    files = [(name, part) for name, part in pledge_files().items()]
    files.append(("application_form", ("第二页.pdf", pdf(), "application/pdf")))
    answer = api.post("/api/applications", data=pledge_fields(), files=files, headers=JSON)
    assert answer.status_code == 422
    assert "只能上传一个文件" in answer.json()["error"]["fields"]["application_form"]


def test_an_application_as_json_has_no_materials_and_is_told_so(api) -> None:
    answer = api.post("/api/applications", json=pledge_fields(), headers=JSON)
    assert answer.status_code == 422
    problems = answer.json()["error"]["fields"]
    assert {"application_form", "pledge_contract", "identity_documents"} <= set(problems)
