"""``ipps keys rotate`` (8.2.6 d) on both engines: the data key re-encrypts every value and
lookup codes handed out before still work; a rotation cut short at any step leaves every
value readable, keeps the server from starting and is finished by running it again; a
rotated signing key leaves what it signed verifiable; a rotated session key ends sessions;
and the rotation is refused while a server holds the embedded store."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidTag

from forms_api.cli.main import main
from forms_api.domain import rotation
from forms_api.storage import keys
from forms_api.storage.crypto import Vault, next_key_path
from forms_api.storage.keys import KeyFileError, fingerprint
from forms_api.storage.query import Query
from tests.api import JSON, client, consultation, id_number, pledge_fields, pledge_files, store_of
from tests.console import console_client, log_in, record_page, soup
from tests.test_store import run

PHONE = "13800138000"


@pytest.fixture
def data_dir(tmp_path: Path, engine: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The data folder (and database) the ``ipps`` commands of the test work on."""
    monkeypatch.setenv("IPPS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("IPPS_DATABASE_URL", engine.url or "")
    return tmp_path / "data"


def submitted(built_site: Path, data_dir: Path, url: str, count: int = 3) -> list[dict[str, Any]]:
    """``count`` consultations and an application, as their receipts."""
    with console_client(built_site, data_dir, database_url=url, jobs_in_server="no") as api:
        receipts = [
            api.post("/api/consultations", json=consultation(), headers=JSON).json() for _ in range(count)
        ]
        answer = api.post("/api/applications", data=pledge_fields(), files=pledge_files(), headers=JSON)
        receipts.append(answer.json())
    return receipts


def encrypted_values(api: Any) -> dict[str, list[str]]:
    """Every ``…_enc`` value of every submission, by receipt number."""
    store = store_of(api)
    found: dict[str, list[str]] = {}
    for kind in ("consultation", "application"):
        for record in store.find(Query(kind), 1000).rows:
            text = json.dumps(record, ensure_ascii=False)
            found[record["receipt_no"]] = [part.split('"')[0] for part in text.split('_enc": "')[1:]]
    return found


def revealed(api: Any, receipt_no: str) -> set[str]:
    """What the console shows of the person when an acceptor reveals it."""
    log_in(api, "wang")
    token = record_page(api, receipt_no).select_one("input[name=csrf]")["value"]
    answer = api.post(f"/staff/records/{receipt_no}/reveal", data={"csrf": token, "reason": "核实"})
    shown = soup(answer.text).select_one(".ipps-staff-person")
    return {dd.get_text().split("（")[0] for dd in shown.select("dd")}


def looked_up(api: Any, receipt: dict[str, Any]) -> int:
    number, code = receipt["receipt_no"], receipt["lookup_code"]
    return api.get(f"/api/lookup/{number}", params={"code": code}, headers=JSON).status_code


def test_the_data_key_is_rotated_and_every_value_and_code_still_works(
    built_site: Path, data_dir: Path, engine: Any, capsys: Any
) -> None:
    receipts = submitted(built_site, data_dir, engine.url or "")
    key_file = data_dir / "secrets" / "data.key"
    old_key = key_file.read_bytes()
    with client(built_site, data_dir, database_url=engine.url or "") as api:
        before = encrypted_values(api)

    assert main(["keys", "rotate", "data"]) == 0
    out = capsys.readouterr().out
    assert "已轮换数据加密密钥" in out and f"重新加密 {len(receipts)} 条记录" in out
    assert key_file.read_bytes() != old_key and not next_key_path(key_file).exists()
    assert key_file.stat().st_mode & 0o777 == 0o600
    (retired,) = (data_dir / "secrets" / "retired").glob("data-*.mac")
    assert old_key not in retired.read_bytes()  # only the lookup-code key stays, not the data key

    with client(built_site, data_dir, database_url=engine.url or "") as api:
        after = encrypted_values(api)
        assert set(after) == set(before)
        for number, values in after.items():
            assert values and all(new != old for new, old in zip(values, before[number], strict=True))
        application = receipts[-1]["receipt_no"]
        assert {id_number(), PHONE} <= revealed(api, application)  # decrypted with the new key
        assert [looked_up(api, receipt) for receipt in receipts] == [200] * len(receipts)  # old codes
        fresh = api.post("/api/consultations", json=consultation(), headers=JSON).json()
        assert looked_up(api, fresh) == 200
        (entry,) = store_of(api).find(Query("audit", actor="系统"), 10).rows
        assert entry["action"] == "key_rotated" and entry["details"]["records"] == len(receipts)
    with pytest.raises(InvalidTag):  # what was encrypted anew, the old key cannot read
        Vault(base64.b64decode(old_key)).decrypt(after[application][0])
    assert main(["audit", "verify"]) == 0


@pytest.mark.parametrize("step", ["first batch", "audit entry", "retired code key", "key swap"])
def test_a_rotation_cut_short_is_finished_by_running_it_again(
    built_site: Path, data_dir: Path, engine: Any, step: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    receipts = submitted(built_site, data_dir, engine.url or "", count=4)
    monkeypatch.setattr(rotation, "BATCH", 2)  # several writes

    class Crash(BaseException):
        """The process dies here."""

    def crash(*args: Any, **kwargs: Any) -> None:
        raise Crash

    target = {
        "audit entry": (rotation, "system_audit"),
        "retired code key": (rotation, "retired_lookup_key_path"),
        "key swap": (keys, "replace"),
    }
    if step == "first batch":
        original = rotation.changes_of
        seen: list[int] = []

        def changes_of(document: Any, vault: Any) -> Any:
            seen.append(1)
            if len(seen) > 2:  # after the first batch of two was written
                raise Crash
            return original(document, vault)

        monkeypatch.setattr(rotation, "changes_of", changes_of)
    else:
        monkeypatch.setattr(*target[step], crash)
    with pytest.raises(Crash):
        main(["keys", "rotate", "data"])
    monkeypatch.undo()
    monkeypatch.setenv("IPPS_DATA_DIR", str(data_dir))
    monkeypatch.setenv("IPPS_DATABASE_URL", engine.url or "")

    with pytest.raises(KeyFileError, match="轮换尚未完成"):  # no server starts half-way
        Vault.open(data_dir / "secrets" / "data.key")
    assert main(["keys", "rotate", "data"]) == 0  # goes on where it stopped
    with client(built_site, data_dir, database_url=engine.url or "") as api:
        assert [looked_up(api, receipt) for receipt in receipts] == [200] * len(receipts)
        assert {id_number(), PHONE} <= revealed(api, receipts[-1]["receipt_no"])
        for receipt in receipts[:-1]:
            record = store_of(api).get(receipt["receipt_no"])
            assert api.app.state.service.vault.decrypt(record["phone_enc"]) == PHONE


def test_a_rotated_signing_key_leaves_its_documents_verifiable(
    built_site: Path, data_dir: Path, engine: Any, capsys: Any
) -> None:
    (old,) = submitted(built_site, data_dir, engine.url or "", count=1)[:1]
    with client(built_site, data_dir, database_url=engine.url or "") as api:
        old_key = api.get("/api/verify/key.pem").content
    assert main(["keys", "rotate", "signing"]) == 0
    with client(built_site, data_dir, database_url=engine.url or "") as api:
        assert api.get("/api/verify/key.pem").content != old_key
        verdict = api.get(
            "/api/verify", params={"receipt_no": old["receipt_no"], "code": old["verify_code"]}, headers=JSON
        ).json()
        assert verdict["issued"] and verdict["key_id"] == old["signature"].split(".")[0]
        new = api.post("/api/consultations", json=consultation(), headers=JSON).json()
        assert new["signature"].split(".")[0] != verdict["key_id"]  # signed with the new key
    capsys.readouterr()
    assert main(["keys", "list"]) == 0
    listed = capsys.readouterr().out
    assert f"signing-{verdict['key_id']}.pub" in listed and "签名密钥" in listed


def test_a_rotated_session_key_ends_every_session(built_site: Path, data_dir: Path, engine: Any) -> None:
    with console_client(built_site, data_dir, database_url=engine.url or "") as api:
        log_in(api, "wang")
        cookies = dict(api.cookies)
        assert api.get("/staff/", follow_redirects=False).status_code == 200
    assert main(["keys", "rotate", "session"]) == 0
    with client(built_site, data_dir, database_url=engine.url or "") as api:
        api.cookies.update(cookies)
        answer = api.get("/staff/", follow_redirects=False)
        assert answer.status_code == 303 and "/staff/login" in answer.headers["location"]


@pytest.mark.parametrize("engine", ["postgres"], indirect=True)  # embedded: one host, one key
def test_a_host_with_the_old_key_refuses_to_start(built_site: Path, data_dir: Path, engine: Any) -> None:
    submitted(built_site, data_dir, engine.url, count=1)
    old_key = keys.read_key(data_dir / "secrets" / "data.key", "密钥")
    assert main(["keys", "rotate", "data"]) == 0

    async def check() -> None:
        store = await engine.open()
        try:
            await store.check_keys({"data": fingerprint(old_key, "data")})
        finally:
            await store.close()

    with pytest.raises(KeyFileError, match="数据加密密钥"):
        run(check())


def test_no_rotation_while_a_server_holds_the_store(
    built_site: Path, tmp_path: Path, monkeypatch: Any, capsys: Any
) -> None:
    monkeypatch.setenv("IPPS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("IPPS_DATABASE_URL", raising=False)
    with client(built_site, tmp_path / "data"):
        before = (tmp_path / "data" / "secrets" / "data.key").read_bytes()
        assert main(["keys", "rotate", "data"]) == 1
        assert "请先停止服务" in capsys.readouterr().err
        assert (tmp_path / "data" / "secrets" / "data.key").read_bytes() == before
        assert not next_key_path(tmp_path / "data" / "secrets" / "data.key").exists()


@pytest.mark.parametrize("engine", ["embedded"], indirect=True)
def test_a_copy_after_rotations_keeps_old_codes_and_signatures_working(
    built_site: Path, data_dir: Path, tmp_path: Path, engine: Any
) -> None:
    (old,) = submitted(built_site, data_dir, "", count=1)[:1]
    assert main(["keys", "rotate", "data"]) == 0
    assert main(["keys", "rotate", "signing"]) == 0
    copy = tmp_path / "copy"
    assert main(["store", "copy", "--from", str(data_dir), "--to", str(copy)]) == 0
    assert sorted(p.name.split("-")[0] for p in (copy / "secrets" / "retired").iterdir()) == [
        "data",
        "signing",
    ]
    with client(built_site, copy) as api:
        assert looked_up(api, old) == 200
        params = {"receipt_no": old["receipt_no"], "code": old["verify_code"]}
        assert api.get("/api/verify", params=params, headers=JSON).json()["issued"] is True
