"""Rotating the platform's keys (8.2.6 d): ``ipps keys rotate data|session|signing``.

- **data** (``data.key``, AES-GCM for phone and ID numbers): a new key is written beside the
  old one as ``data.key.next``; every encrypted value of every record (any field named
  ``…_enc``, wherever it sits in the record) is decrypted with the old key and encrypted with
  the new one, a batch per store write; then the old key's lookup-code key is kept in
  ``retired/`` (lookup codes are stored as hashes and cannot be hashed anew) and the new key
  takes the old one's place in one rename. Until then the old key stays readable: a crash at
  any point leaves either old values or new ones, each readable with one of the two files, and
  ``data.key.next`` makes the server refuse to start until the rotation is run again, which
  goes on where it stopped (values already under the new key are left as they are).
- **session** (``session.key``): replaced; every staff session ends and staff log in again.
- **signing** (``signing.key``): replaced; the old key's public half is kept in
  ``retired/signing-<key id>.pub``, so what it signed still verifies.

Each rotation writes an audit entry and, on PostgreSQL, records the new key's fingerprint, so
a host still holding the old key refuses to start until it is given the new one. It is run
with the service stopped: the embedded store is locked by a running server and says so.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forms_api.settings import Settings
from forms_api.storage import keys
from forms_api.storage.crypto import Vault, lookup_key, next_key_path, retired_lookup_key_path
from forms_api.storage.embedded.journal import fsync_directory
from forms_api.storage.signing import RETIRED, Signer, public_pem, signing_key_path

from .jobs.runner import system_audit
from .receipts import Numbers

KINDS = ("data", "session", "signing")
BATCH = 500
"""Records re-encrypted per store write."""
KEY_NAMES = {"data": "数据加密密钥", "session": "会话密钥", "signing": "签名密钥"}


@dataclass(frozen=True)
class Rotated:
    name: str
    old_fingerprint: str
    new_fingerprint: str
    records: int = 0
    """Records whose encrypted values were encrypted anew (data key only)."""


def session_key_path(settings: Settings) -> Path:
    return settings.data_dir / "secrets" / "session.key"


def reencrypt(value: Any, vault: Vault) -> Any:
    """``value`` with every ``…_enc`` text under it encrypted with ``vault``'s current key;
    the same object when nothing needed it."""
    if isinstance(value, dict):
        changed = {}
        for name, inner in value.items():
            if name.endswith("_enc") and isinstance(inner, str) and inner:
                new = vault.reencrypted(inner)
            else:
                new = reencrypt(inner, vault)
                new = None if new is inner else new
            if new is not None:
                changed[name] = new
        return {**value, **changed} if changed else value
    if isinstance(value, list):
        items = [reencrypt(inner, vault) for inner in value]
        return items if any(new is not old for new, old in zip(items, value, strict=True)) else value
    return value


def changes_of(document: Mapping[str, Any], vault: Vault) -> dict[str, Any]:
    """The top-level fields of ``document`` that change when it is encrypted anew."""
    updated = reencrypt(document, vault)
    return {name: value for name, value in updated.items() if value is not document[name]}


async def rotate_data_key(settings: Settings, store: Any, progress: Callable[[str], None]) -> Rotated:
    path = settings.key_path
    if not path.exists():
        raise keys.KeyFileError(f"找不到数据加密密钥 {path}，没有可轮换的密钥")
    old = keys.read_key(path, "密钥文件")
    pending = next_key_path(path)
    if pending.exists():
        progress(f"继续上次未完成的轮换（{pending}）")
    else:
        keys.install(pending, secrets.token_bytes(keys.KEY_BYTES))
    new = keys.read_key(pending, "新密钥文件")
    vault = Vault(new, previous=[old])
    count, batch = 0, []
    for insert in store.export():  # a snapshot; the audit log holds no encrypted values
        if insert.kind != "audit" and (changes := changes_of(insert.document, vault)):
            batch.append((insert.key, changes))
        if len(batch) >= BATCH:
            await store.write(updates=batch)
            count += len(batch)
            progress(f"已重新加密 {count} 条记录")
            batch = []
    if batch:
        await store.write(updates=batch)
        count += len(batch)
    rotated = Rotated("data", keys.fingerprint(old, "data"), keys.fingerprint(new, "data"), count)
    await _finish(store, rotated)
    retired = retired_lookup_key_path(path, old)
    retired.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    keys.install(retired, lookup_key(old))  # written before the old key goes
    keys.replace(path, new)
    pending.unlink()
    fsync_directory(path.parent)
    return rotated


async def rotate_session_key(settings: Settings, store: Any) -> Rotated:
    path = session_key_path(settings)
    old = keys.load_or_create(path, "会话密钥文件")
    new = secrets.token_bytes(keys.KEY_BYTES)
    rotated = Rotated("session", keys.fingerprint(old, "session"), keys.fingerprint(new, "session"))
    await _finish(store, rotated)
    keys.replace(path, new)
    return rotated


async def rotate_signing_key(settings: Settings, store: Any) -> Rotated:
    path = signing_key_path(settings.data_dir)
    old = Signer.open(path)
    new = secrets.token_bytes(keys.KEY_BYTES)
    fresh = Signer(new)
    rotated = Rotated("signing", old.fingerprint, fresh.fingerprint)
    await _finish(store, rotated)
    retired = path.parent / RETIRED / f"signing-{old.key_id}.pub"
    retired.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not retired.exists():  # the public half, kept before the private one goes
        retired.write_bytes(public_pem(old.public))
        fsync_directory(retired.parent)
    keys.replace(path, new)
    return rotated


async def _finish(store: Any, rotated: Rotated) -> None:
    """The rotation's audit entry, and the new fingerprint where the database keeps them."""
    details = {
        "key": rotated.name,
        "key_name": KEY_NAMES[rotated.name],
        "old": rotated.old_fingerprint[:16],
        "new": rotated.new_fingerprint[:16],
        "records": rotated.records,
    }
    await store.write(inserts=[await system_audit(Numbers(store), "key_rotated", None, details)])
    await store.replace_key(rotated.name, rotated.new_fingerprint)
