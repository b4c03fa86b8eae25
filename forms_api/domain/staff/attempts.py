"""Failed staff logins slowed down, without letting anyone lock a colleague out.

A lockout that follows five wrong passwords from anywhere is a way to keep every member of
staff out of the console: anyone can send five wrong passwords. Instead, failures are kept per
account *and* client address, in ``staff/attempts.json`` beside the accounts (a row with
PostgreSQL; :mod:`forms_api.storage.documents`), never in the accounts themselves:

- from one address, the first :data:`FREE` failures for an account within :data:`WINDOW` cost
  nothing; after them, each further attempt must wait twice as long as the last one after the
  previous failure (2 s, 4 s, 8 s … at most :data:`MAX_WAIT`), the password not even checked
  before then;
- from everywhere together, once an account has :data:`ACCOUNT_FAILURES` failures within the
  hour, addresses it has never logged in from successfully (within :data:`USUAL_FOR`) wait in
  the same way, by that count, while its usual addresses do not: an attacker without the
  password cannot keep the real user out from the user's usual place;
- a success clears the failures from that address and returns how many there were on the
  account since its previous success (:class:`Since`), which the console shows once;
- ``ipps user unlock NAME`` clears an account's failures from every address.

Names that do not exist are counted like real ones, so that the waits do not tell which exist.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import time
from dataclasses import dataclass
from typing import Any

from forms_api.settings import Settings
from forms_api.storage.documents import Document, LocalDocument, document_for

ATTEMPTS_DOCUMENT = "staff/attempts.json"
FREE = 3
WINDOW = dt.timedelta(minutes=15)
ACCOUNT_FAILURES = 20
ACCOUNT_WINDOW = dt.timedelta(hours=1)
MAX_WAIT = 900
USUAL_FOR = dt.timedelta(days=90)
FRESHNESS = 1.0
"""Seconds a reader keeps the document it read (only the check before a login reads it)."""


@dataclass(frozen=True)
class Since:
    """Failures on an account since its previous successful login."""

    failures: int
    last_at: str = ""
    last_from: str = ""

    def text(self) -> str:
        if not self.failures:
            return ""
        when = dt.datetime.fromisoformat(self.last_at).astimezone(_china()).strftime("%m-%d %H:%M")
        return (
            f"自您上次登录以来，您的账号有 {self.failures} 次登录失败，最近一次在 {when}，"
            f"来自 {self.last_from}。如不是您本人所为，请告知管理员。"
        )


def _china() -> dt.tzinfo:
    from generator.workdays import china_tz

    return china_tz()


def masked_address(address: str) -> str:
    """203.0.113.7 → 203.0.113.*; IPv6 keeps its first half."""
    if "." in address:
        return address.rsplit(".", 1)[0] + ".*"
    if ":" in address:
        return ":".join(address.split(":")[:4]) + ":*"
    return address[:8]


class LoginAttempts:
    def __init__(self, document: Document) -> None:
        self.document = document
        self._cached: dict[str, Any] | None = None
        self._read_at = 0.0

    @classmethod
    def of(cls, settings: Settings) -> LoginAttempts:
        return cls(document_for(settings, ATTEMPTS_DOCUMENT))

    @classmethod
    def in_folder(cls, data_dir: Any) -> LoginAttempts:
        return cls(LocalDocument(data_dir / ATTEMPTS_DOCUMENT))

    def close(self) -> None:
        self.document.close()

    # -- before checking a password ----------------------------------------------------------

    def wait(self, name: str, client: str, now: dt.datetime) -> int | None:
        """Seconds ``client`` must wait before trying ``name`` again, or None to go ahead."""
        entry = self._read().get(name)
        if not entry:
            return None
        failures = [f for f in entry.get("failures", []) if _at(f) > now - ACCOUNT_WINDOW]
        mine = [f for f in failures if f["client"] == client and _at(f) > now - WINDOW]
        waits = [_wait_after(mine, now)]
        usual = entry.get("usual", {}).get(client)
        if len(failures) >= ACCOUNT_FAILURES and not (usual and _at({"at": usual}) > now - USUAL_FOR):
            waits.append(_wait_after(failures[ACCOUNT_FAILURES - FREE :], now))
        found = max((w for w in waits if w), default=0)
        return found or None

    # -- after -------------------------------------------------------------------------------

    def failed(self, name: str, client: str, now: dt.datetime) -> None:
        def change(data: dict[str, Any]) -> None:
            entry = data.setdefault(name, {})
            kept = [f for f in entry.get("failures", []) if _at(f) > now - ACCOUNT_WINDOW]
            entry["failures"] = [*kept, {"at": now.isoformat(), "client": client}]
            entry["since"] = entry.get("since", 0) + 1
            entry["last_failure"] = {"at": now.isoformat(), "client": client}

        self._update(change, now)

    def succeeded(self, name: str, client: str, now: dt.datetime) -> Since:
        found: list[Since] = []

        def change(data: dict[str, Any]) -> None:
            entry = data.setdefault(name, {})
            last = entry.get("last_failure") or {}
            found.append(
                Since(entry.get("since", 0), last.get("at", ""), masked_address(last.get("client", "")))
            )
            entry["failures"] = [f for f in entry.get("failures", []) if f["client"] != client]
            entry["since"] = 0
            entry.pop("last_failure", None)
            entry.setdefault("usual", {})[client] = now.isoformat()

        self._update(change, now)
        return found[0]

    def unlock(self, name: str) -> int:
        """Forget ``name``'s failures from every address; how many there were."""
        count: list[int] = []

        def change(data: dict[str, Any]) -> None:
            entry = data.get(name) or {}
            count.append(len(entry.get("failures", [])))
            entry["failures"] = []

        self._update(change, None)
        return count[0]

    # -- the document ------------------------------------------------------------------------

    def _read(self) -> dict[str, Any]:
        if self._cached is None or time.monotonic() - self._read_at > FRESHNESS:
            raw, _ = self.document.read()
            self._cached = json.loads(raw) if raw else {}
            self._read_at = time.monotonic()
        return self._cached.get("accounts", {})

    def _update(self, change: Any, now: dt.datetime | None) -> None:
        def rewrite(raw: bytes | None) -> bytes:
            data = json.loads(raw) if raw else {}
            accounts = data.setdefault("accounts", {})
            change(accounts)
            if now is not None:
                _prune(accounts, now)
            return json.dumps(data, ensure_ascii=False).encode("utf-8")

        self.document.update(rewrite)
        self._cached = None


def _at(failure: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(failure["at"])


def _wait_after(failures: list[dict[str, Any]], now: dt.datetime) -> int:
    """The wait before the next attempt after ``failures`` (oldest first)."""
    extra = len(failures) - FREE
    if extra < 0:
        return 0
    step = min(2 ** (extra + 1), MAX_WAIT)
    left = step - (now - _at(failures[-1])).total_seconds()
    return math.ceil(left) if left > 0 else 0


def _prune(accounts: dict[str, Any], now: dt.datetime) -> None:
    """Drop what no longer matters: old failures, accounts with nothing left to remember."""
    for name in list(accounts):
        entry = accounts[name]
        entry["failures"] = [f for f in entry.get("failures", []) if _at(f) > now - ACCOUNT_WINDOW]
        usual = {c: at for c, at in entry.get("usual", {}).items() if _at({"at": at}) > now - USUAL_FOR}
        entry["usual"] = usual
        if not entry["failures"] and not usual:  # never logged in (or a name that does not exist)
            del accounts[name]
