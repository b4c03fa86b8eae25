"""Backup and restore (forms_api/storage/backup.py): consistent copies of a live store, checked restores."""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from forms_api.cli.backup import add_commands
from forms_api.storage import uploads
from forms_api.storage.backup import (
    KEY_MEMBER,
    MANIFEST_NAME,
    BackupError,
    backup,
    copy_store,
    read_verified,
    restore,
)
from forms_api.storage.crypto import Vault
from forms_api.storage.embedded import Store, StoreLocked
from forms_api.storage.embedded import store as store_module
from tests.live_store import LiveStore

PDF = b"%PDF-1.7\n" + "营业执照".encode() * 100 + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4

# --- helpers ------------------------------------------------------------------------------------


def run(coroutine: Any) -> Any:
    """Run ``coroutine`` in a loop of its own, in a thread of its own (see tests/test_store.py)."""
    with concurrent.futures.ThreadPoolExecutor(1) as worker:
        return worker.submit(asyncio.run, coroutine).result()


class Live(LiveStore):
    """The live store, with documents of this test's shape."""

    def insert(self, kind: str, numbers: range) -> None:
        async def insert_all() -> None:
            await asyncio.gather(*(self.store.insert(kind, key(kind, n), document(kind, n)) for n in numbers))

        self.call(insert_all())


def key(kind: str, n: int) -> str:
    return f"{kind[:2].upper()}20261124-{n:06d}"


def document(kind: str, n: int) -> dict[str, Any]:
    return {
        "receipt_no": key(kind, n),
        "kind": kind,
        "n": n,
        "name": f"申请人{n}",
        "timeline": [{"s": "已提交"}],
    }


def contents(store_dir: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """Every document of every kind in the store at ``store_dir``, by kind and receipt number."""

    async def read() -> dict[str, dict[str, dict[str, Any]]]:
        store = Store(store_dir)
        try:
            kinds = {p.stem.rpartition("-")[0] for p in (store_dir / "shards").glob("*.json")}
            kinds |= {"application", "consultation", "rating"}
            found = {kind: {d["receipt_no"]: d for d in store.documents(kind)} for kind in kinds}
            return {kind: docs for kind, docs in found.items() if docs}
        finally:
            await store.close()

    return run(read())


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    """A data directory with records of three kinds (some checkpointed, some only in the
    journal, one updated), two uploads, a stray ``uploads/tmp`` file and a key."""
    folder = tmp_path / "var"
    live = Live(folder / "store")
    try:
        live.insert("application", range(1, 31))
        live.insert("consultation", range(1, 11))
        live.call(live.store.checkpoint())
        live.insert("rating", range(1, 6))
        live.call(live.store.update(key("application", 3), {"status": "已受理"}))
        live.insert("application", range(31, 41))
        live.store._writer.stop()  # a crash: the last changes are only in the journal
        live.store._lock.close()
    finally:
        live.loop.call_soon_threadsafe(live.loop.stop)
        live.thread.join()
        live.loop.close()
    uploads.save(PDF, folder / "uploads")
    uploads.save(PNG, folder / "uploads")
    (folder / "uploads" / "tmp" / "cut-short.part").write_bytes(b"partial")
    Vault.open(folder / "secrets" / "data.key")
    yield folder


def uploaded(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.parent.name != "tmp"
    }


def rewrite(archive: Path, target: Path, change: Any) -> None:
    """Copy ``archive`` to ``target`` with ``change(name, data)`` applied to each member
    (returning ``(name, data)``, or None to drop it)."""
    with tarfile.open(archive, "r:gz") as src, tarfile.open(target, "w:gz") as dst:
        for member in src:
            data = src.extractfile(member).read()  # type: ignore[union-attr]
            changed = change(member.name, data)
            if changed is not None:
                info = tarfile.TarInfo(changed[0])
                info.size = len(changed[1])
                dst.addfile(info, io.BytesIO(changed[1]))


def manifest_of(archive: Path) -> dict[str, Any]:
    with tarfile.open(archive, "r:gz") as tar:
        return json.loads(tar.extractfile(MANIFEST_NAME).read())  # type: ignore[union-attr]


# --- round trip -----------------------------------------------------------------------------------


def test_round_trip(data_dir: Path, tmp_path: Path) -> None:
    expected = contents(data_dir / "store")
    assert {kind: len(docs) for kind, docs in expected.items()} == {
        "application": 40,
        "consultation": 10,
        "rating": 5,
    }
    assert expected["application"][key("application", 3)]["status"] == "已受理"

    result = backup(data_dir, tmp_path / "backups")

    assert result.archive.parent == tmp_path / "backups"
    assert result.archive.name.startswith("ipps-backup-") and result.archive.name.endswith(".tar.gz")
    assert [p.name for p in (tmp_path / "backups").iterdir()] == [result.archive.name]  # no leftovers
    assert result.records == {"application": 40, "consultation": 10, "rating": 5}
    manifest = manifest_of(result.archive)
    assert manifest["format"] == "ipps-backup" and manifest["version"] == 1
    assert manifest["records"] == result.records and manifest["with_key"] is False
    paths = [entry["path"] for entry in manifest["files"]]
    assert sum(p.startswith("uploads/") for p in paths) == 2
    assert not any("tmp" in p or p.endswith("/lock") or p.startswith("secrets") for p in paths)
    assert all(len(entry["sha256"]) == 64 and entry["size"] >= 0 for entry in manifest["files"])

    target = tmp_path / "restored"
    restored = restore(result.archive, target)

    assert restored.records == result.records and restored.kept == []
    assert contents(target / "store") == expected
    assert uploaded(target / "uploads") == uploaded(data_dir / "uploads")
    for path in (target / "uploads").rglob("*"):
        assert path.stat().st_mode & 0o777 == (0o700 if path.is_dir() else 0o600)
    assert not (target / "secrets").exists()
    assert [p.name for p in target.iterdir() if p.name.startswith(".")] == []  # temporary folder gone


def test_archive_to_a_named_file(data_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "nightly" / "today.tar.gz"
    assert backup(data_dir, target).archive == target
    with pytest.raises(BackupError, match="已存在"):
        backup(data_dir, target)


# --- consistency under load -------------------------------------------------------------------------


def test_backup_while_the_store_takes_inserts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "CHECKPOINT_RECORDS", 60)  # checkpoints during the backup
    data = tmp_path / "var"
    acknowledged: list[str] = []
    warm, stop = threading.Event(), threading.Event()

    async def serve() -> None:
        store = Store(data / "store")
        try:
            n = 0
            while not stop.is_set():
                numbers = range(n, n + 4)
                await asyncio.gather(
                    *(
                        store.insert("application", key("application", i), document("application", i))
                        for i in numbers
                    )
                )
                acknowledged.extend(key("application", i) for i in numbers)
                n += 4
                if n >= 300:
                    warm.set()
                await asyncio.sleep(0.0005)
        finally:
            await store.close()

    server = threading.Thread(target=asyncio.run, args=(serve(),))
    server.start()
    try:
        assert warm.wait(60)
        before = set(acknowledged)
        result = backup(data, tmp_path / "backups")
        during = len(acknowledged) - len(before)
    finally:
        stop.set()
        server.join()

    assert during > 0, "the store kept taking inserts while the backup ran"
    restore(result.archive, tmp_path / "restored")
    found = contents(tmp_path / "restored" / "store")["application"]
    assert before <= set(found)
    assert set(found) <= set(acknowledged)
    assert result.records["application"] == len(found)


def test_a_checkpoint_during_the_copy_starts_it_over(tmp_path: Path) -> None:
    live = Live(tmp_path / "store")
    try:
        live.insert("application", range(1, 21))
        calls: list[str] = []

        def between(phase: str) -> None:
            calls.append(phase)
            if phase == "journal" and calls.count("journal") == 1:
                live.insert("application", range(21, 26))
                live.call(live.store.checkpoint())  # replaces the manifest, deletes journal files

        attempts = copy_store(tmp_path / "store", tmp_path / "copy", between=between)
    finally:
        live.close()
    assert attempts == 2
    assert calls == ["manifest", "shards", "journal", "check"] * 2
    assert set(contents(tmp_path / "copy")["application"]) == {key("application", n) for n in range(1, 26)}


def test_a_store_that_keeps_changing_gives_up(tmp_path: Path) -> None:
    live = Live(tmp_path / "store")
    try:
        live.insert("application", range(1, 3))
        counter = iter(range(100, 1000))

        def between(phase: str) -> None:
            if phase == "check":
                n = next(counter)
                live.insert("application", range(n, n + 1))
                live.call(live.store.checkpoint())

        with pytest.raises(BackupError, match="3 次尝试都未能取得一致的副本"):
            copy_store(tmp_path / "store", tmp_path / "copy", attempts=3, between=between)
    finally:
        live.close()


# --- refused restores -------------------------------------------------------------------------------


def test_tampered_archive_is_refused(data_dir: Path, tmp_path: Path) -> None:
    archive = backup(data_dir, tmp_path / "b.tar.gz").archive
    shard = next(e["path"] for e in manifest_of(archive)["files"] if e["path"].startswith("store/shards/"))
    tampered = tmp_path / "tampered.tar.gz"
    rewrite(
        archive,
        tampered,
        lambda name, data: (name, data.replace(b"\\u7533", b"X") + b" ") if name == shard else (name, data),
    )

    with pytest.raises(BackupError, match=f"{shard} 与清单的校验值不符"):
        restore(tampered, tmp_path / "target")
    assert not (tmp_path / "target").exists()

    extra = tmp_path / "extra.tar.gz"
    upload = next(e["path"] for e in manifest_of(archive)["files"] if e["path"].startswith("uploads/"))
    renamed = "uploads/ab/" + "c" * 32
    rewrite(archive, extra, lambda name, data: (renamed, data) if name == upload else (name, data))
    with pytest.raises(BackupError, match=f"缺少清单中的文件 {upload}"):
        restore(extra, tmp_path / "target")

    def unlist(name: str, data: bytes) -> tuple[str, bytes]:
        if name != MANIFEST_NAME:
            return name, data
        manifest = json.loads(data)
        manifest["files"] = [e for e in manifest["files"] if e["path"] != upload]
        return name, json.dumps(manifest).encode()

    unlisted = tmp_path / "unlisted.tar.gz"
    rewrite(archive, unlisted, unlist)
    with pytest.raises(BackupError, match=f"{upload} 不在清单中"):
        restore(unlisted, tmp_path / "target")

    missing = tmp_path / "missing.tar.gz"
    rewrite(archive, missing, lambda name, data: None if name == shard else (name, data))
    with pytest.raises(BackupError, match=f"缺少清单中的文件 {shard}"):
        restore(missing, tmp_path / "target")
    assert not (tmp_path / "target").exists()


def test_truncated_archive_is_refused(data_dir: Path, tmp_path: Path) -> None:
    archive = backup(data_dir, tmp_path / "b.tar.gz").archive
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(BackupError, match="不完整或已损坏"):
        restore(cut, tmp_path / "target")
    assert not (tmp_path / "target").exists()


@pytest.mark.parametrize("name", ["../evil", "/tmp/evil", "store/../../evil", "uploads/ab/../../../evil"])
def test_path_traversal_is_refused(tmp_path: Path, name: str) -> None:
    archive = tmp_path / "evil.tar.gz"
    data = b"owned"
    manifest = {
        "format": "ipps-backup",
        "version": 1,
        "files": [{"path": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}],
    }
    with tarfile.open(archive, "w:gz") as tar:
        for member, content in ((MANIFEST_NAME, json.dumps(manifest).encode()), (name, data)):
            info = tarfile.TarInfo(member)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    target = tmp_path / "deep" / "er" / "target"
    with pytest.raises(BackupError, match=r"路径不安全|不属于备份的条目"):
        restore(archive, target)
    assert not (tmp_path / "evil").exists()
    assert not (tmp_path / "deep").exists()


def test_links_are_refused(tmp_path: Path) -> None:
    archive = tmp_path / "link.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("secrets/data.key")
        info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(info)
    with pytest.raises(BackupError, match="不是普通文件"):
        read_verified(archive)


def test_restore_into_a_running_store_is_refused(data_dir: Path, tmp_path: Path) -> None:
    archive = backup(data_dir, tmp_path / "b.tar.gz").archive
    target = tmp_path / "target"
    live = Live(target / "store")
    try:
        with pytest.raises(StoreLocked):
            restore(archive, target, force=True)
    finally:
        live.close()
    assert sorted(p.name for p in target.iterdir()) == ["store"]


def test_restore_over_data_needs_force_and_keeps_the_old(data_dir: Path, tmp_path: Path) -> None:
    archive = backup(data_dir, tmp_path / "b.tar.gz").archive
    target = tmp_path / "target"
    live = Live(target / "store")
    live.insert("consultation", range(900, 903))
    live.close()
    old = contents(target / "store")

    with pytest.raises(BackupError, match=r"已有数据（办件数据）.*--force"):
        restore(archive, target)
    assert contents(target / "store") == old

    result = restore(archive, target, force=True)
    (kept_store,) = [p for p in result.kept if p.name.startswith("store.before-restore-")]
    assert contents(kept_store) == old
    assert contents(target / "store") == contents(data_dir / "store")


def test_an_empty_store_is_not_data(data_dir: Path, tmp_path: Path) -> None:
    archive = backup(data_dir, tmp_path / "b.tar.gz").archive
    target = tmp_path / "target"
    Live(target / "store").close()  # a server that started once and took nothing
    result = restore(archive, target)
    assert result.records["application"] == 40


# --- the key -----------------------------------------------------------------------------------------


def test_key_left_out_unless_asked_for(data_dir: Path, tmp_path: Path) -> None:
    plain = backup(data_dir, tmp_path / "plain.tar.gz").archive
    with tarfile.open(plain, "r:gz") as tar:
        assert KEY_MEMBER not in tar.getnames()

    keyed = backup(data_dir, tmp_path / "keyed.tar.gz", with_key=True).archive
    with tarfile.open(keyed, "r:gz") as tar:
        assert KEY_MEMBER in tar.getnames()
    assert manifest_of(keyed)["with_key"] is True

    target = tmp_path / "target"
    assert restore(keyed, target).with_key
    key_file = target / "secrets" / "data.key"
    assert key_file.read_bytes() == (data_dir / "secrets" / "data.key").read_bytes()
    assert key_file.stat().st_mode & 0o777 == 0o600
    Vault.open(key_file)  # accepted: mode 600

    other = tmp_path / "other"
    Vault.open(other / "secrets" / "data.key")
    with pytest.raises(BackupError, match=r"密钥文件 .* 已存在且与备份中的不同"):
        restore(keyed, other)


# --- the commands ------------------------------------------------------------------------------------


def ipps(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="ipps")
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.handler(args))


def test_commands(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("IPPS_")]:
        monkeypatch.delenv(name)

    assert ipps("backup", str(tmp_path / "out"), "--data-dir", str(data_dir)) == 0
    out = capsys.readouterr().out
    assert "已备份到" in out and "申请 40 条" in out
    assert "备份中不含加密密钥" in out and str(data_dir / "secrets" / "data.key") in out
    (archive,) = (tmp_path / "out").iterdir()

    assert ipps("backup", str(tmp_path / "k.tar.gz"), "--data-dir", str(data_dir), "--with-key") == 0
    assert "备份中含有加密密钥" in capsys.readouterr().out

    assert ipps("restore", str(archive), "--data-dir", str(tmp_path / "new")) == 0
    out = capsys.readouterr().out
    assert "恢复到" in out and "上传的材料 2 个" in out and "备份中不含加密密钥" in out

    assert ipps("restore", str(archive), "--data-dir", str(tmp_path / "new")) == 1
    assert "已有数据" in capsys.readouterr().err

    assert ipps("restore", str(archive), "--data-dir", str(tmp_path / "new"), "--force") == 0
    assert "原有数据已保留为" in capsys.readouterr().out

    assert ipps("restore", str(tmp_path / "nothing.tar.gz"), "--data-dir", str(tmp_path / "new")) == 1
    assert "不存在" in capsys.readouterr().err


# --- a restore killed at every step --------------------------------------------------------------

KILLED_AT = """
import os, sys
from pathlib import Path
from forms_api.storage import backup

real, step = os.rename, int(sys.argv[3])
calls = [0]

def rename(source, target, *args, **kwargs):
    calls[0] += 1
    if calls[0] == step:
        os._exit(9)  # as kill -9 would: no finally, no cleanup
    return real(source, target, *args, **kwargs)

os.rename = rename
backup.restore(Path(sys.argv[1]), Path(sys.argv[2]), force=True)
print("renames", calls[0])
"""


def killed_restore(archive: Path, target: Path, step: int) -> subprocess.CompletedProcess[str]:
    root = Path(__file__).resolve().parent.parent
    return subprocess.run(
        [sys.executable, "-c", KILLED_AT, str(archive), str(target), str(step)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("step", range(1, 7))  # 5 renames: the intent, then 2 per folder; 6 finishes
def test_a_restore_killed_at_any_rename_leaves_old_or_restored_data_never_a_mix(
    data_dir: Path, tmp_path: Path, step: int
) -> None:
    archive = backup(data_dir, tmp_path / "b.tar.gz").archive
    target = tmp_path / "target"
    live = Live(target / "store")
    live.insert("consultation", range(900, 903))
    live.close()
    uploads.save(PNG + b"old", target / "uploads")
    old_store, old_files = contents(target / "store"), uploaded(target / "uploads")
    restored_store, restored_files = contents(data_dir / "store"), uploaded(data_dir / "uploads")

    done = killed_restore(archive, target, step)
    if done.returncode == 0:  # fewer renames than step: it finished
        assert int(done.stdout.split()[-1]) < step
    else:
        assert done.returncode == 9, done.stderr

    from forms_api.settings import Settings
    from forms_api.storage.engines import open_store

    async def reopen() -> None:  # as a server starting next would
        store = await open_store(Settings(data_dir=target))
        await store.close()

    run(reopen())
    state = (contents(target / "store"), uploaded(target / "uploads"))
    assert state in ((old_store, old_files), (restored_store, restored_files))
    assert not (target / ".restore-intent.json").exists()
    if state == (restored_store, restored_files):  # the old data is kept aside, whole
        (aside,) = target.glob("store.before-restore-*")
        assert contents(aside) == old_store
    restore(archive, target, force=True)  # and a restore afterwards tidies any work folder
    assert not list(target.glob(".ipps-restore-*"))
