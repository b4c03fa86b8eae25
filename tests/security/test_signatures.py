"""Signed receipts and result documents (8.2.6 b), the public verification, and the signed
open-data checksum list: checked through the real application on both engines, and the
signatures once more with OpenSSL against the published public key."""

from __future__ import annotations

import base64
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from forms_api.domain.attestations import verification_code
from tests.api import BROWSER, JSON, consultation, pdf, pledge_fields, pledge_files, store_of
from tests.console import act, console_client, log_in, soup

PERSONAL = ("林晓", "13800138000", "专利质押需要哪些材料", "linxiao@example.com")
"""What the sample submissions hold that identifies a person: never in a verification."""


@pytest.fixture
def console(built_site: Path, tmp_path: Path, engine: Any) -> Iterator[Any]:
    with console_client(built_site, tmp_path / "data", database_url=engine.url or "") as test_client:
        yield test_client


def verify(client: Any, receipt_no: str, code: str, headers: dict[str, str] = JSON) -> Any:
    return client.get("/api/verify", params={"receipt_no": receipt_no, "code": code}, headers=headers)


def openssl_verifies(public_pem: bytes, data: bytes, signature: bytes, folder: Path) -> bool:
    """What OpenSSL 3 says of ``signature`` over ``data`` under ``public_pem``."""
    folder = folder / "openssl"
    folder.mkdir(exist_ok=True)
    (folder / "key.pem").write_bytes(public_pem)
    (folder / "data").write_bytes(data)
    (folder / "sig").write_bytes(signature)
    command = ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "key.pem", "-rawin"]
    done = subprocess.run([*command, "-in", "data", "-sigfile", "sig"], cwd=folder, capture_output=True)
    return done.returncode == 0 and b"Signature Verified Successfully" in done.stdout


def signature_bytes(signature: str) -> bytes:
    value = signature.partition(".")[2]
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def test_a_receipt_is_signed_and_its_code_verifies_it_without_personal_data(
    console: Any, tmp_path: Path
) -> None:
    receipt = console.post("/api/consultations", json=consultation(), headers=JSON).json()
    number, code = receipt["receipt_no"], receipt["verify_code"]
    assert code == verification_code(receipt["signature"])

    answer = verify(console, number.lower(), code.replace("-", "").lower())  # typed loosely
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    verdict = answer.json()
    assert verdict["issued"] is True and verdict["type"] == "回执"
    claims = verdict["claims"]
    assert (claims["receipt_no"], claims["kind"], claims["type"]) == (number, "consultation", "receipt")
    assert claims["due"] == receipt["reply_due"] and claims["issuer"] == "示范市知识产权公共服务中心"
    assert verdict["signature"] == receipt["signature"]
    assert not [word for word in PERSONAL if word in answer.text]

    # anyone can check the signature with the published key and a standard tool
    pem = console.get("/api/verify/key.pem").content
    signed = verdict["signed_text"].encode("utf-8")
    assert openssl_verifies(pem, signed, signature_bytes(verdict["signature"]), tmp_path)
    assert not openssl_verifies(
        pem, signed.replace(b"consultation", b"application"), signature_bytes(verdict["signature"]), tmp_path
    )
    load_pem_public_key(pem).verify(signature_bytes(verdict["signature"]), signed)  # raises if not


def test_a_wrong_code_or_number_is_not_verified_and_says_nothing_more(console: Any) -> None:
    first = console.post("/api/consultations", json=consultation(), headers=JSON).json()
    second = console.post("/api/consultations", json=consultation(), headers=JSON).json()
    answers = [
        verify(console, first["receipt_no"], second["verify_code"]),  # another receipt's code
        verify(console, "ZX20200101-000001", first["verify_code"]),  # no such receipt
        verify(console, first["receipt_no"], "AAAA-AAAA-AAAA-AAAA"),
    ]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.json()["issued"] for a in answers] == [False, False, False]
    assert len({a.text for a in answers}) == 1  # an unknown number and a wrong code read alike
    bad = verify(console, "ZX2026", "x")
    assert bad.status_code == 422
    assert set(bad.json()["error"]["fields"]) == {"receipt_no", "code"}
    assert "办件编号格式不正确" in bad.json()["error"]["fields"]["receipt_no"]


def test_a_record_altered_in_the_store_no_longer_verifies(console: Any) -> None:
    receipt = console.post("/api/consultations", json=consultation(), headers=JSON).json()
    number = receipt["receipt_no"]
    store = store_of(console)
    signed = store.get(number)["signed"]
    store.update(number, {"signed": {**signed, "claims": {**signed["claims"], "due": "2099-01-01"}}})
    verdict = verify(console, number, receipt["verify_code"]).json()
    assert verdict["issued"] is False and verdict["claims"]["due"] == "2099-01-01"
    page = soup(verify(console, number, receipt["verify_code"], BROWSER).text)
    assert page.select_one("[data-ipps-verdict]")["data-ipps-verdict"] == "altered"
    assert "可能已被改动" in page.select_one("[data-ipps-verdict]").get_text()


def test_an_application_receipt_and_its_result_document_are_signed(console: Any) -> None:
    receipt = console.post(
        "/api/applications", data=pledge_fields(), files=pledge_files(), headers=JSON
    ).json()
    number = receipt["receipt_no"]
    claims = verify(console, number, receipt["verify_code"]).json()["claims"]
    assert claims["kind"] == "application" and claims["item"] == "专利权质押登记"
    assert claims["due"] == receipt["due_date"]

    log_in(console, "wang")
    act(console, number, "accept")
    log_in(console, "li")
    result_pdf = pdf(4000)
    files = {"document_file": ("登记通知书.pdf", result_pdf, "application/pdf")}
    act(console, number, "complete", files=files, result="准予登记", document="质押登记字〔2026〕第 18 号")
    view = console.get(f"/api/lookup/{number}", params={"code": receipt["lookup_code"]}, headers=JSON).json()
    result_code = view["result"]["verify_code"]
    assert result_code != receipt["verify_code"]

    by_code = verify(console, number, result_code).json()
    assert by_code["issued"] and by_code["type"] == "结果文书"
    result = by_code["claims"]
    assert (result["type"], result["document"]) == ("result", "质押登记字〔2026〕第 18 号")
    assert result["file_sha256"] == store_of(console).get(number)["result"]["file"]["sha256"]
    assert "准予登记" not in by_code["signed_text"]  # the result's text only as its digest
    # the receipt still verifies after completion
    assert verify(console, number, receipt["verify_code"]).json()["type"] == "回执"

    def by_file(data: bytes, receipt_no: str = number) -> Any:
        return console.post(
            "/api/verify/document",
            data={"receipt_no": receipt_no},
            files={"file": ("通知书.pdf", data, "application/pdf")},
            headers=JSON,
        )

    assert by_file(result_pdf).json()["claims"] == result
    assert by_file(result_pdf[:-1] + b"X").json()["issued"] is False  # one byte differs
    assert by_file(result_pdf, "SQ20200101-000001").json()["issued"] is False
    missing = console.post("/api/verify/document", data={"receipt_no": number}, headers=JSON)
    assert missing.status_code == 422 and set(missing.json()["error"]["fields"]) == {"file"}

    # the page a browser gets: the verdict and the signed facts, no personal data
    page = soup(verify(console, number, result_code, BROWSER).text)
    assert page.select_one("[data-ipps-verdict]")["data-ipps-verdict"] == "issued"
    facts = {div.dt.get_text(): div.dd.get_text(" ", strip=True) for div in page.select("dl.ipps-facts div")}
    assert facts["办件编号"] == number and facts["结果文书"] == "质押登记字〔2026〕第 18 号"
    assert facts["核验码"] == result_code
    assert not [word for word in PERSONAL if word in page.get_text()]


def test_the_qr_code_holds_only_the_verification_address(console: Any) -> None:
    receipt = console.post("/api/consultations", json=consultation(), headers=JSON).json()
    params = {"receipt_no": receipt["receipt_no"], "code": receipt["verify_code"]}
    answer = console.get("/api/verify/qr.svg", params=params)
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/svg+xml"
    svg = soup(answer.text)
    wanted = (
        f"https://ip.shifan.example/api/verify?receipt_no={receipt['receipt_no']}"
        f"&code={receipt['verify_code']}"
    )
    assert svg.find("desc").get_text() == wanted  # the platform's public address
    assert svg.find("path") is not None
    other = console.get("/api/verify/qr.svg", params={"receipt_no": "https://evil.example/", "code": "x"})
    assert other.status_code == 422  # no general QR service


def test_the_open_data_checksum_list_is_signed(built_site: Path, tmp_path: Path) -> None:
    with console_client(built_site, tmp_path / "data") as client:
        signature = client.get("/api/opendata/SHA256SUMS.sig")
        pem = client.get("/api/verify/key.pem").content
    assert signature.status_code == 200 and len(signature.content) == 64
    data = tmp_path / "data-copy"
    shutil.copytree(built_site / "data", data)
    sums = (data / "SHA256SUMS").read_bytes()
    names = sorted(line.split("  ")[1] for line in sums.decode().splitlines())
    assert names == sorted(p.name for p in (built_site / "data").iterdir() if p.name != "SHA256SUMS")
    assert openssl_verifies(pem, sums, signature.content, tmp_path)
    assert subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=data).returncode == 0
    with (data / "fees.csv").open("ab") as handle:
        handle.write(b"x")
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=data, capture_output=True, text=True)
    assert check.returncode != 0 and "fees.csv: FAILED" in check.stdout
    forged = sums.replace(sums[:64], b"0" * 64)
    assert not openssl_verifies(pem, forged, signature.content, tmp_path)
