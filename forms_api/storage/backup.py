"""Backup and restore of the data directory: the store and the uploaded materials.

A backup is one ``.tar.gz`` holding ``store/`` (manifest, shards, journal), ``uploads/``
(without ``tmp/``), optionally ``secrets/data.key``, and ``MANIFEST.json``: format version,
time, every file's path, size and SHA-256, and the number of records of each kind.

Backing up a running service
    The server holds an exclusive lock on the store folder for as long as it runs, so the
    backup never opens the live store: it copies its files, in an order that makes the copy
    consistent (see :mod:`forms_api.storage.embedded` for the files). First the store's
    ``manifest.json``, naming the last journal record the shards contain; then the shards;
    then the journal files. A checkpoint writes shards first and the manifest after them, and
    deletes journal files only after that, so as long as the manifest is the same after the
    copy as before it, the copied shards hold at least everything up to the copied manifest
    and the copied journal holds every record after it. Shards may be newer than the manifest
    (a checkpoint was writing them); every change in them was committed to the journal before
    the journal was copied, and replaying a record over a shard that already has it gives the
    same document (see ``Store._write_checkpoint``). Each file is read whole through one open
    file, and shards and manifest are only ever replaced by rename, so no file is seen half
    replaced; the newest journal file may end in a record cut short by the writer, which the
    store drops on replay as it would after a crash (it was not acknowledged when copied). If
    the manifest changed, or a journal file vanished, a checkpoint ran during the copy: the
    copy starts over, a bounded number of times. Uploads are copied after the store: a record
    is stored only after its files, so every file a copied record names is already there
    (files saved for submissions not stored yet come along too, harmlessly).

    The copy goes to a temporary folder and is opened there with :class:`~forms_api.storage.embedded.Store`:
    the journal is replayed and written into the shards by a checkpoint, and the result is
    opened once more to count the records. Only a snapshot that loads is archived. The archive
    is written under a temporary name, fsynced, and renamed into place.

The key
    ``secrets/data.key`` decrypts phone and ID numbers. It is left out unless asked for
    (``--with-key``): whoever has a backup and the key can read them, so the key is best kept
    apart from the backups.

Restore
    Everything is checked before anything is touched: each member's name (only the paths a
    backup contains; no absolute paths, ``..``, links or devices), the manifest (format,
    version, every file listed present with its size and SHA-256, nothing unlisted). Then the
    target: refused while a server holds its store, or when it already holds data unless
    forced. The archive is then extracted into a temporary folder beside the target (same
    file system, so the final move is a rename), checked against the manifest a second time
    as it is written, and opened with ``Store``. Only then are the old ``store/`` and
    ``uploads/`` renamed to ``<name>.before-restore-<time>`` and the restored ones renamed
    into place, while this process holds the store's lock so that no server starts meanwhile.

    The swap is several renames (two folders, maybe the key), and the data directory may be a
    mounted volume that cannot itself be renamed. So before the first rename the whole list
    is written durably to ``.restore-intent.json``; each rename is atomic and can be told done
    (its source gone or its target there); and whatever opens the data directory next — a
    server, a worker, another restore — finishes a swap a crash cut short
    (:func:`finish_interrupted_restore`) before it reads anything. Nobody ever sees a mix of
    old and restored data: a crash before the intent leaves the old data (the work folder is
    removed), after it the restored data.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import fcntl
import hashlib
import io
import json
import os
import re
import shutil
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from .embedded import Store
from .embedded.journal import fsync_directory
from .embedded.store import StoreLocked, probe_lock

FORMAT = "ipps-backup"
VERSION = 1
MANIFEST_NAME = "MANIFEST.json"
KEY_MEMBER = "secrets/data.key"
SNAPSHOT_ATTEMPTS = 10
"""Copies of the store tried before giving up because checkpoints keep running during them."""

_CHUNK = 1024 * 1024
_MEMBER = re.compile(
    r"store/manifest\.json"
    r"|store/shards/[A-Za-z0-9_][A-Za-z0-9_.-]*\.json"
    r"|store/journal/[0-9]+\.log"
    r"|uploads/[0-9a-f]{2}/[0-9a-f]{32}"
    r"|secrets/data\.key"
)
"""Every path a backup may contain besides the manifest: anything else is refused."""


class BackupError(Exception):
    """The backup could not be made, or the archive cannot be restored; the message is Chinese."""


@dataclass
class BackupResult:
    archive: Path
    records: dict[str, int]
    files: int
    size: int
    with_key: bool
    attempts: int
    """How many copies of the store it took (more than one: checkpoints ran meanwhile)."""


@dataclass
class RestoreResult:
    data_dir: Path
    records: dict[str, int]
    files: int
    with_key: bool
    kept: list[Path] = field(default_factory=list)
    """Where the data that was there before now is (``--force``)."""
    created_at: str = ""


def now() -> dt.datetime:
    return dt.datetime.now().astimezone()


# --- backup --------------------------------------------------------------------------------------


def archive_path(dest: Path, at: dt.datetime) -> Path:
    """``dest`` itself if it names a ``.tar.gz`` file, else a file named by ``at`` in ``dest``."""
    if dest.name.endswith(".tar.gz") and not dest.is_dir():
        return dest
    return dest / f"ipps-backup-{at:%Y%m%d-%H%M%S}.tar.gz"


def backup(
    data_dir: Path,
    dest: Path,
    *,
    key_path: Path | None = None,
    with_key: bool = False,
    attempts: int = SNAPSHOT_ATTEMPTS,
) -> BackupResult:
    """Write a backup of ``data_dir`` to ``dest`` (see :func:`archive_path`); works while a
    server runs on ``data_dir``. ``key_path``: where the key is (default
    ``<data_dir>/secrets/data.key``), archived only ``with_key``."""
    data_dir = Path(data_dir)
    store_dir, uploads_dir = data_dir / "store", data_dir / "uploads"
    key_path = key_path or data_dir / "secrets" / "data.key"
    if not store_dir.is_dir():
        raise BackupError(f"数据目录 {data_dir} 中没有 store 文件夹，没有可备份的数据")
    if with_key and not key_path.is_file():
        raise BackupError(f"找不到密钥文件 {key_path}，无法按 --with-key 备份密钥")
    created = now()
    target = archive_path(Path(dest), created)
    if target.exists():
        raise BackupError(f"备份文件 {target} 已存在，不会覆盖")
    target.parent.mkdir(parents=True, exist_ok=True)

    work = Path(tempfile.mkdtemp(prefix=".ipps-backup-", dir=target.parent))
    partial = target.with_name(f".{target.name}.part")
    try:
        snapshot = work / "snapshot"
        tries = copy_store(store_dir, snapshot / "store", attempts=attempts)
        copy_uploads(uploads_dir, snapshot / "uploads")
        if with_key:
            (snapshot / "secrets").mkdir(mode=0o700)
            _copy_file(key_path, snapshot / KEY_MEMBER)
        records = verify_store(snapshot / "store")
        (snapshot / "store" / "lock").unlink(missing_ok=True)
        files = [_describe(snapshot, path) for path in _files(snapshot)]
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": created.isoformat(timespec="seconds"),
            "source": str(data_dir.resolve()),
            "with_key": with_key,
            "records": records,
            "files": files,
        }
        _write_archive(partial, snapshot, manifest, created)
        os.replace(partial, target)
        fsync_directory(target.parent)
    finally:
        partial.unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)
    return BackupResult(target, records, len(files), target.stat().st_size, with_key, tries)


def copy_store(
    source: Path,
    into: Path,
    *,
    attempts: int = SNAPSHOT_ATTEMPTS,
    between: Callable[[str], None] | None = None,
) -> int:
    """Copy the store at ``source`` (possibly in use) consistently to ``into``; returns how
    many tries it took. ``between`` is called with the phase name before each phase (tests
    use it to run a checkpoint at the worst moment)."""
    for attempt in range(1, attempts + 1):
        if into.exists():
            shutil.rmtree(into)
        (into / "shards").mkdir(parents=True)
        (into / "journal").mkdir()
        if between:
            between("manifest")
        before = _read(source / "manifest.json")
        if before is not None:
            (into / "manifest.json").write_bytes(before)
        if between:
            between("shards")
        for path in sorted((source / "shards").glob("*.json")):
            if path.name.startswith("."):  # a checkpoint's temporary file
                continue
            data = _read(path)
            if data is None:  # shards are never deleted; be safe anyway
                break
            (into / "shards" / path.name).write_bytes(data)
        else:
            if between:
                between("journal")
            complete = True
            for path in sorted((source / "journal").glob("*.log")):
                data = _read(path)
                if data is None:  # deleted by a checkpoint
                    complete = False
                    break
                (into / "journal" / path.name).write_bytes(data)
            if between:
                between("check")
            if complete and _read(source / "manifest.json") == before:
                return attempt
    raise BackupError(f"数据在备份过程中不断变化，{attempts} 次尝试都未能取得一致的副本，请稍后重试")


def copy_uploads(source: Path, into: Path) -> int:
    """Copy the stored uploads (not ``tmp/``); a file removed meanwhile (a submission rolled
    back) is skipped. Returns how many were copied."""
    into.mkdir(mode=0o700, parents=True)
    copied = 0
    if not source.is_dir():
        return 0
    for folder in sorted(source.iterdir()):
        if folder.name == "tmp" or not folder.is_dir() or not re.fullmatch(r"[0-9a-f]{2}", folder.name):
            continue
        for path in sorted(folder.iterdir()):
            if not re.fullmatch(r"[0-9a-f]{32}", path.name):
                continue
            (into / folder.name).mkdir(mode=0o700, exist_ok=True)
            try:
                _copy_file(path, into / folder.name / path.name)
            except FileNotFoundError:
                continue
            copied += 1
    return copied


def verify_store(folder: Path) -> dict[str, int]:
    """Open the store at ``folder`` (a copy: this checkpoints it), and return its record counts.

    The first opening replays the journal and writes it into the shards on closing; the
    second checks that the result loads by itself and counts the documents of each kind.
    """

    async def open_and_close() -> None:
        store = Store(folder)
        await store.close()

    async def count() -> dict[str, int]:
        store = Store(folder)
        try:
            kinds = sorted({p.stem.rpartition("-")[0] for p in (folder / "shards").glob("*.json")})
            counts = {kind: await store.count(kind) for kind in kinds}
            return {kind: n for kind, n in counts.items() if n}
        finally:
            await store.close()

    try:
        run_in_own_loop(open_and_close())
        return run_in_own_loop(count())
    except StoreLocked:
        raise
    except Exception as error:
        raise BackupError(f"数据副本无法打开，未生成备份：{error}") from error


def _write_archive(path: Path, snapshot: Path, manifest: dict[str, Any], created: dt.datetime) -> None:
    mtime = int(created.timestamp())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as raw:
        with tarfile.open(fileobj=raw, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
            tar.addfile(_tarinfo(MANIFEST_NAME, len(data), mtime), io.BytesIO(data))
            for entry in manifest["files"]:
                with (snapshot / entry["path"]).open("rb") as handle:
                    tar.addfile(_tarinfo(entry["path"], entry["size"], mtime), handle)
        raw.flush()
        os.fsync(raw.fileno())


def _tarinfo(name: str, size: int, mtime: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, mtime, 0o600
    return info


# --- restore -------------------------------------------------------------------------------------


def restore(
    source: Path, data_dir: Path, *, key_path: Path | None = None, force: bool = False
) -> RestoreResult:
    """Restore the backup ``source`` into ``data_dir`` (see the module docstring)."""
    source, data_dir = Path(source), Path(data_dir)
    key_path = key_path or data_dir / "secrets" / "data.key"
    if (data_dir / "store").is_dir():
        probe_lock(data_dir / "store")  # not while a server holds it, not even to tidy up
    finish_interrupted_restore(data_dir, tidy=True)
    if not source.is_file():
        raise BackupError(f"备份文件 {source} 不存在")
    manifest, listed = read_verified(source)
    store_dir, uploads_dir = data_dir / "store", data_dir / "uploads"
    if store_dir.is_dir():
        probe_lock(store_dir)
    has_key = KEY_MEMBER in listed
    existing = _existing_data(store_dir, uploads_dir)
    if existing and not force:
        raise BackupError(
            f"目标数据目录 {data_dir} 中已有数据（{existing}），如确需覆盖请加 --force（原数据会保留备份）"
        )
    key_differs = has_key and key_path.exists() and key_path.read_bytes() != _member_bytes(source, KEY_MEMBER)
    if key_differs and not force:
        raise BackupError(f"密钥文件 {key_path} 已存在且与备份中的不同，如确需覆盖请加 --force")

    data_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=WORK_PREFIX, dir=data_dir))
    pending = False
    try:
        _extract(source, work, listed)
        records = verify_store(work / "store")
        (work / "store" / "lock").unlink(missing_ok=True)
        (work / "uploads").mkdir(mode=0o700, exist_ok=True)
        suffix = f".before-restore-{now():%Y%m%d-%H%M%S}"
        moves = _moves(data_dir, work, suffix, has_key and (key_differs or not key_path.exists()), key_path)
        with _holding_lock(store_dir):
            _write_intent(data_dir, work, moves)  # from here on the restore is as good as done
            pending = True
            _apply(data_dir, moves)
            _forget_intent(data_dir)
            pending = False
    finally:
        if not pending:  # else the intent needs what is left in work: the next opener finishes
            shutil.rmtree(work, ignore_errors=True)
    kept = [data_dir / after for before, after in moves if ".before-restore-" in after]
    files = sum(1 for p in listed if p.startswith("uploads/"))
    return RestoreResult(data_dir, records, files, has_key, kept, str(manifest.get("created_at", "")))


# --- the swap, safe from a crash at any point ------------------------------------------------

INTENT = ".restore-intent.json"
"""Written (durably) before the first rename of a restore, removed after the last."""
WORK_PREFIX = ".ipps-restore-"


def _moves(data_dir: Path, work: Path, suffix: str, with_key: bool, key_path: Path) -> list[tuple[str, str]]:
    """Every rename of the swap, in order, as paths under ``data_dir`` (the key's absolute)."""
    moves = []
    for name in ("store", "uploads"):
        if (data_dir / name).exists():
            moves.append((name, name + suffix))
        moves.append((str((work / name).relative_to(data_dir)), name))
    if with_key:
        key_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if key_path.exists():
            moves.append((str(key_path), str(key_path) + suffix))
        moves.append((str((work / KEY_MEMBER).relative_to(data_dir)), str(key_path)))
    return moves


def _apply(data_dir: Path, moves: list[tuple[str, str]]) -> None:
    """Make every rename of ``moves`` that has not happened yet: a rename whose source is gone
    or whose target is there already happened before a crash (each is atomic)."""
    for before, after in moves:
        source, target = data_dir / before, data_dir / after
        if source.exists() and not target.exists():
            os.rename(source, target)
            fsync_directory(target.parent)


def _write_intent(data_dir: Path, work: Path, moves: list[tuple[str, str]]) -> None:
    intent = json.dumps({"work": work.name, "moves": moves}, ensure_ascii=False).encode("utf-8")
    temporary = data_dir / (INTENT + ".tmp")
    with open(temporary, "wb") as handle:
        handle.write(intent)
        handle.flush()
        os.fsync(handle.fileno())
    os.rename(temporary, data_dir / INTENT)
    fsync_directory(data_dir)


def _forget_intent(data_dir: Path) -> None:
    (data_dir / INTENT).unlink()
    fsync_directory(data_dir)


def finish_interrupted_restore(data_dir: Path, *, tidy: bool = False) -> bool:
    """Complete a restore that a crash cut short in its swap (True), so that nobody ever opens a
    mix of old and restored data. Called before a store is opened and by every restore, which
    also removes (``tidy``) the work folders of restores that never reached their swap."""
    data_dir = Path(data_dir)
    intent = data_dir / INTENT
    finished = False
    if intent.exists():
        planned = json.loads(intent.read_text(encoding="utf-8"))
        _apply(data_dir, [tuple(move) for move in planned["moves"]])  # type: ignore[misc]
        _forget_intent(data_dir)
        finished = True
    (data_dir / (INTENT + ".tmp")).unlink(missing_ok=True)
    if tidy and data_dir.is_dir():
        for leftover in data_dir.glob(WORK_PREFIX + "*"):
            shutil.rmtree(leftover, ignore_errors=True)
    return finished


def read_verified(source: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The manifest of the archive ``source`` and its files by path, after checking every
    member's name, type, size and SHA-256 against it; :class:`BackupError` naming the first
    problem otherwise."""
    members: dict[str, tuple[int, str]] = {}
    manifest_data: bytes | None = None
    for name, data_chunks in _members(source):
        digest, size = hashlib.sha256(), 0
        content = bytearray() if name == MANIFEST_NAME else None
        for chunk in data_chunks:
            digest.update(chunk)
            size += len(chunk)
            if content is not None:
                content += chunk
        if content is not None:
            manifest_data = bytes(content)
        else:
            members[name] = (size, digest.hexdigest())
    if manifest_data is None:
        raise BackupError(f"备份文件 {source} 中没有 {MANIFEST_NAME}，不是本平台的备份或已损坏")
    manifest = _parse_manifest(source, manifest_data)
    listed = {entry["path"]: entry for entry in manifest["files"]}
    for path, entry in listed.items():
        if path not in members:
            raise BackupError(f"备份文件 {source} 缺少清单中的文件 {path}")
        size, sha256 = members[path]
        if size != entry["size"] or sha256 != entry["sha256"]:
            raise BackupError(f"备份文件 {source} 中的 {path} 与清单的校验值不符，文件可能被篡改或损坏")
    for path in members:
        if path not in listed:
            raise BackupError(f"备份文件 {source} 中的 {path} 不在清单中，文件可能被篡改")
    return manifest, listed


def _parse_manifest(source: Path, data: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(data)
    except ValueError:
        raise BackupError(f"备份文件 {source} 中的 {MANIFEST_NAME} 不是有效的 JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"备份文件 {source} 中的 {MANIFEST_NAME} 不是本平台的备份清单")
    version = manifest.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise BackupError(f"备份文件 {source} 的格式版本为 {version}，本程序只能恢复版本 {VERSION}，请先升级")
    files = manifest.get("files")
    if not isinstance(files, list):
        raise BackupError(f"备份文件 {source} 的清单缺少文件列表")
    seen = set()
    for entry in files:
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("path"), str)
            or not isinstance(entry.get("size"), int)
            or not isinstance(entry.get("sha256"), str)
        ):
            raise BackupError(f"备份文件 {source} 的清单中有格式错误的条目：{entry!r}")
        _check_name(source, entry["path"])
        if entry["path"] in seen:
            raise BackupError(f"备份文件 {source} 的清单重复列出 {entry['path']}")
        seen.add(entry["path"])
    return manifest


def _check_name(source: Path, name: str) -> None:
    parts = PurePosixPath(name).parts
    if name.startswith("/") or "\\" in name or ".." in parts or "\0" in name:
        raise BackupError(f"备份文件 {source} 中的条目「{name}」路径不安全，已拒绝恢复")
    if name != MANIFEST_NAME and not _MEMBER.fullmatch(name):
        raise BackupError(f"备份文件 {source} 中有不属于备份的条目「{name}」，已拒绝恢复")


def _members(source: Path) -> Iterator[tuple[str, Iterator[bytes]]]:
    """Each regular file of the archive: its checked name and its content in chunks."""
    seen: set[str] = set()
    try:
        with tarfile.open(source, mode="r:gz") as tar:
            for member in tar:
                _check_name(source, member.name)
                if not member.isreg():
                    raise BackupError(f"备份文件 {source} 中的条目「{member.name}」不是普通文件，已拒绝恢复")
                if member.name in seen:
                    raise BackupError(f"备份文件 {source} 中的条目「{member.name}」出现了两次")
                seen.add(member.name)
                handle = tar.extractfile(member)
                assert handle is not None
                yield member.name, _chunks(source, member.name, handle)
    except _DAMAGED as error:
        raise _damaged(source, error) from None


_DAMAGED = (tarfile.TarError, EOFError, zlib.error, OSError)


def _damaged(source: Path, error: BaseException, name: str = "") -> BackupError:
    where = f"读取 {name} 时出错，" if name else ""
    return BackupError(f"备份文件 {source} 不完整或已损坏（{where}{type(error).__name__}: {error}）")


def _chunks(source: Path, name: str, handle: Any) -> Iterator[bytes]:
    try:
        while chunk := handle.read(_CHUNK):
            yield chunk
    except _DAMAGED as error:
        raise _damaged(source, error, name) from None


def _member_bytes(source: Path, wanted: str) -> bytes:
    for name, chunks in _members(source):
        data = b"".join(chunks)
        if name == wanted:
            return data
    raise BackupError(f"备份文件 {source} 缺少 {wanted}")


def _extract(source: Path, into: Path, listed: dict[str, dict[str, Any]]) -> None:
    """Write the listed files under ``into`` (mode 600, folders 700), checking each again."""
    for name, chunks in _members(source):
        if name == MANIFEST_NAME:
            for _ in chunks:
                pass
            continue
        entry = listed.get(name)
        if entry is None:  # the archive changed since it was checked
            raise BackupError(f"备份文件 {source} 在恢复过程中被改动（{name}），已停止")
        target = into.joinpath(*PurePosixPath(name).parts)
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        digest = hashlib.sha256()
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                digest.update(chunk)
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        if digest.hexdigest() != entry["sha256"]:
            raise BackupError(f"备份文件 {source} 在恢复过程中被改动（{name}），已停止")
    folders = {into}
    for name in listed:
        folders.update(p for p in (into / name).parents if p == into or into in p.parents)
    for folder in folders:
        fsync_directory(folder)


def _existing_data(store_dir: Path, uploads_dir: Path) -> str:
    """What data the target holds, in Chinese, or "" when none (an empty journal file, as a
    server leaves after starting once, is none)."""
    found = []
    records = [p for p in (store_dir / "shards").glob("*.json") if not p.name.startswith(".")]
    journal = [p for p in (store_dir / "journal").glob("*.log") if p.stat().st_size]
    if records or journal or (store_dir / "manifest.json").exists():
        found.append("办件数据")
    if uploads_dir.is_dir() and any(
        p.is_file() for folder in uploads_dir.iterdir() if folder.name != "tmp" for p in _walk(folder)
    ):
        found.append("上传的材料")
    return "、".join(found)


def _walk(path: Path) -> Iterator[Path]:
    if path.is_dir():
        for child in path.iterdir():
            yield from _walk(child)
    else:
        yield path


class _holding_lock:
    """Hold the store's lock (if there is a store) so that no server opens it during the swap."""

    def __init__(self, store_dir: Path) -> None:
        self.store_dir = store_dir
        self.handle: Any = None

    def __enter__(self) -> None:
        if not self.store_dir.is_dir():
            return
        self.handle = (self.store_dir / "lock").open("a")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.close()
            raise StoreLocked(f"数据目录 {self.store_dir} 正被另一个服务进程使用") from None

    def __exit__(self, *exc: object) -> None:
        if self.handle is not None:
            self.handle.close()


# --- helpers -------------------------------------------------------------------------------------


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _copy_file(source: Path, target: Path) -> None:
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with source.open("rb") as src, os.fdopen(fd, "wb") as dst:
        shutil.copyfileobj(src, dst, _CHUNK)


def _files(root: Path) -> list[Path]:
    return sorted(p for p in _walk(root) if p.is_file())


def _describe(root: Path, path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return {
        "path": path.relative_to(root).as_posix(),
        "size": path.stat().st_size,
        "sha256": digest.hexdigest(),
    }


def run_in_own_loop(coroutine: Any) -> Any:
    """Run ``coroutine`` in a loop of its own, in a thread of its own (the caller may be inside
    a running loop)."""
    with concurrent.futures.ThreadPoolExecutor(1) as worker:
        return worker.submit(asyncio.run, coroutine).result()
