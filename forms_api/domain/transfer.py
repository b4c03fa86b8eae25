"""Everything of one store moved into another: ``ipps store copy`` and the PostgreSQL backups.

:func:`copy_everything` copies, from a data directory (embedded store) or a PostgreSQL
database to another of either:

- every record of every kind (applications, consultations, ratings, the audit log, …) with
  all of its keys, in the order stored, as the source store holds it — personal data that is
  encrypted at rest stays encrypted on the way (8.2.6 d): nothing is decrypted, and the
  target is given the same data key (its file copied into a target data directory, or its
  fingerprint recorded in a target database, so that no host with another key can serve it);
- the numbering state, so that receipts go on from where the source stopped;
- every background job (notices sent, failed or still to send) with its history; one that was
  running (the copy is made with the service stopped) is queued again;
- every uploaded file a record names, streamed a chunk at a time;
- the staff accounts (with their lockouts).

It refuses a target that holds anything, and afterwards checks the copy: the number of
records of each kind on both sides, the SHA-256 of every file as read back from the target
against the digest its record holds, the numbering and the accounts. Any difference is a
:class:`CopyFailed` that says what differs.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from forms_api.settings import Settings
from forms_api.storage.blobs import Blobs, blobs_for
from forms_api.storage.engines import open_store
from forms_api.storage.keys import KeyFileError, fingerprint, install, load_or_create
from forms_api.storage.signing import RETIRED, signing_key_path
from forms_api.storage.uploads import StoredFile

from .columns import columns_of
from .staff.accounts import Accounts

BATCH = 500
"""Records written to the target in one write."""


class CopyRefused(Exception):
    """The copy cannot start; nothing was written. The message (Chinese) says why."""


class CopyFailed(Exception):
    """The copy was written but does not match its source; the message says what differs."""


@dataclass(frozen=True)
class Copied:
    records: dict[str, int]
    """Records copied, by kind."""
    files: int
    file_bytes: int
    jobs: int
    accounts: int
    numbering: dict[str, int]


def describe(settings: Settings) -> str:
    """The place in words, without any password: ``数据目录 var`` or ``数据库 host:5432/ipps``."""
    if settings.engine == "embedded":
        return f"数据目录 {settings.data_dir}"
    url = urlsplit(settings.database_url)
    return f"数据库 {url.hostname or 'localhost'}:{url.port or 5432}{url.path}"


def session_key_path(settings: Settings) -> Path:
    return settings.data_dir / "secrets" / "session.key"


def _key_files(settings: Settings) -> tuple[tuple[str, Path], ...]:
    """The key files by name: the data key, the session key and the signing key."""
    return (
        ("data", settings.key_path),
        ("session", session_key_path(settings)),
        ("signing", signing_key_path(settings.data_dir)),
    )


async def copy_everything(
    source: Settings, target: Settings, progress: Callable[[str], None] = lambda _: None
) -> Copied:
    if source.engine == target.engine and (
        source.database_url == target.database_url
        if source.engine == "postgres"
        else source.data_dir.resolve() == target.data_dir.resolve()
    ):
        raise CopyRefused("源和目标是同一个位置")
    keys = _source_keys(source)
    source_store = await open_store(source, columns=columns_of)
    try:
        target_store = await open_store(target, columns=columns_of)
    except BaseException:
        await source_store.close()
        raise
    source_blobs, target_blobs = blobs_for(source), blobs_for(target)
    source_accounts, target_accounts = Accounts.of(source), Accounts.of(target)
    try:
        await source_store.check_keys({name: fingerprint(key, name) for name, key in keys.items()})
        occupied = await target_store.kinds() or next(iter(target_store.export_jobs()), None)
        if occupied or next(iter(target_blobs.names()), None) or target_accounts.users():
            raise CopyRefused(f"目标{describe(target)}中已有数据；请复制到新建的空数据目录或空数据库")
        _give_keys(keys, source, target)
        await target_store.check_keys({name: fingerprint(key, name) for name, key in keys.items()})

        progress("正在复制办件记录……")
        records: dict[str, int] = {}
        files: dict[str, StoredFile] = {}
        batch = []
        for insert in source_store.export():
            batch.append(insert)
            records[insert.kind] = records.get(insert.kind, 0) + 1
            files.update((f.stored_name, f) for f in stored_files(insert.document))
            if len(batch) >= BATCH:
                await target_store.write(inserts=batch)
                batch = []
        if batch:
            await target_store.write(inserts=batch)
        numbering = await source_store.numbering()
        await target_store.continue_numbering(numbering)
        jobs = list(source_store.export_jobs())
        for start in range(0, len(jobs), BATCH):
            await target_store.import_jobs(jobs[start : start + BATCH])

        progress(f"正在复制上传的材料（{len(files)} 个）……")
        missing = [name for name in files if not _exists(source_blobs, name)]
        if missing:
            raise CopyFailed(
                f"源中缺少 {len(missing)} 个记录引用的文件，例如 {missing[0]}；目标不完整，请删除后查明原因"
            )
        for stored in files.values():
            target_blobs.write(stored, source_blobs.read(stored.stored_name))

        accounts = source_accounts.document()
        if accounts["users"]:
            target_accounts.replace_document(accounts)

        progress("正在核对……")
        problems = await _differences(source_store, target_store, records, numbering)
        problems += _file_differences(target_blobs, files.values())
        copied_jobs = {run.id: run.status for run in target_store.export_jobs()}
        if set(copied_jobs) != {run.id for run in jobs}:
            problems.append(f"后台任务数不一致（源 {len(jobs)} 个，目标 {len(copied_jobs)} 个）")
        if target_accounts.document()["users"] != accounts["users"]:
            problems.append("员工账号不一致")
        if problems:
            raise CopyFailed("复制后核对不一致：" + "；".join(problems[:10]))
        return Copied(
            records=records,
            files=len(files),
            file_bytes=sum(f.size for f in files.values()),
            jobs=len(jobs),
            accounts=len(accounts["users"]),
            numbering=numbering,
        )
    finally:
        for accounts_ in (source_accounts, target_accounts):
            accounts_.close()
        for blobs in (source_blobs, target_blobs):
            blobs.close()
        await target_store.close()
        await source_store.close()


def stored_files(document: Any) -> Iterator[StoredFile]:
    """Every stored file a document names (materials, corrections, result documents)."""
    if isinstance(document, dict):
        if isinstance(document.get("stored_name"), str) and "sha256" in document:
            yield StoredFile(document["stored_name"], document["size"], document["sha256"], document["type"])
        for value in document.values():
            yield from stored_files(value)
    elif isinstance(document, list):
        for value in document:
            yield from stored_files(value)


def _source_keys(source: Settings) -> dict[str, bytes]:
    """The keys the source's encrypted fields and sessions need; they must exist already."""
    keys = {}
    for name, path in _key_files(source):
        if not path.exists():
            if name != "data":
                continue  # sessions end with a copy anyway; nothing was signed without a key
            raise CopyRefused(
                f"找不到加密密钥 {path}：没有它，目标中的电话号码和证件号码将无法解密。"
                "请在设置中指明密钥文件（key_file）后再复制"
            )
        try:
            keys[name] = load_or_create(path, "密钥文件")
        except KeyFileError as error:
            raise CopyRefused(str(error)) from None
    return keys


def _give_keys(keys: dict[str, bytes], source: Settings, target: Settings) -> None:
    """A target data directory gets the source's key files (a database records fingerprints)."""
    if target.engine != "embedded":
        return
    for name, path in _key_files(target):
        if name in keys:
            install(path, keys[name])
            if load_or_create(path, "密钥文件") != keys[name]:
                raise CopyRefused(f"目标已有另一把密钥 {path}；请复制到新建的空数据目录")
    for source_file, target_file in _retired_files(source, target):
        target_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not target_file.exists():
            shutil.copy2(source_file, target_file)


def _retired_files(source: Settings, target: Settings) -> list[tuple[Path, Path]]:
    """What rotated keys left (lookup-code keys, public signing keys): ``retired/`` beside
    the source's key files, and where each goes beside the target's."""
    pairs = []
    for (_, source_key), (_, target_key) in zip(_key_files(source), _key_files(target), strict=True):
        folder = source_key.parent / RETIRED
        for path in sorted(folder.iterdir()) if folder.is_dir() else ():
            pairs.append((path, target_key.parent / RETIRED / path.name))
    return sorted(set(pairs))


def _exists(blobs: Blobs, name: str) -> bool:
    try:
        next(iter(blobs.read(name)), None)
    except FileNotFoundError:
        return False
    return True


async def _differences(
    source: Any, target: Any, records: dict[str, int], numbering: dict[str, int]
) -> list[str]:
    problems = []
    for kind in sorted(set(await source.kinds()) | set(await target.kinds())):
        there, here = await source.count(kind), await target.count(kind)
        if there != here or records.get(kind, 0) != here:
            problems.append(f"{kind} 记录数不一致（源 {there} 条，目标 {here} 条）")
    copied = await target.numbering()
    for series, last in numbering.items():
        if copied.get(series, 0) < last:
            problems.append(f"编号 {series} 未接续（源 {last}，目标 {copied.get(series, 0)}）")
    return problems


def _file_differences(blobs: Blobs, files: Any) -> list[str]:
    problems = []
    for stored in files:
        digest, size = hashlib.sha256(), 0
        for chunk in blobs.read(stored.stored_name):
            digest.update(chunk)
            size += len(chunk)
        if digest.hexdigest() != stored.sha256 or size != stored.size:
            problems.append(f"文件 {stored.stored_name} 的 SHA-256 与记录不符")
    return problems
