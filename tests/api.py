"""Helpers for tests of the forms API: an in-process client, valid submissions, sample files."""

from __future__ import annotations

import contextlib
import functools
import inspect
import io
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from forms_api.storage.filetypes import sniff
from generator.identifiers import credit_code_check_char, id_number_check_char
from tests.conftest import SAMPLE_CATALOG

PLEDGE = "20C0500001-339900000000-11339900AY4CL12T8J-01"
"""专利权质押登记 (patent-pledge): online applications, 2 working days, three required materials."""

LICENSE = "20C0500003-339900000000-11339900AY4CL12T8J-01"
"""专利实施许可合同备案 (patent-license-filing): 3 working days."""

SUSPENDED = "20D0900001-339900000000-11339900AY4CL12T8J-01"
"""A suspended item (暂停): its guide is published but it takes no applications."""

JSON = {"Accept": "application/json"}
BROWSER = {"Accept": "text/html,application/xhtml+xml", "User-Agent": "Mozilla/5.0 (X11; Linux x86_64)"}


def id_number(first17: str = "11010519491231002") -> str:
    return first17 + id_number_check_char(first17)


def credit_code(first17: str = "91350100M000100Y4") -> str:
    return first17 + credit_code_check_char(first17)


def pdf(size: int = 2000) -> bytes:
    head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    return head + b"0" * max(0, size - len(head) - 6) + b"\n%%EOF"


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def consultation(**changes: Any) -> dict[str, Any]:
    values = {
        "name": "林晓",
        "phone": "13800138000",
        "email": "",
        "subject": "专利质押需要哪些材料",
        "message": "我公司有两件发明专利，想办理质押登记，请问需要准备哪些材料？",
    }
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


def pledge_fields(**changes: Any) -> dict[str, Any]:
    """A complete application for 专利权质押登记 by a person (files separately)."""
    values = {
        "item_code": PLEDGE,
        "applicant_type": "自然人",
        "applicant_name": "林晓",
        "id_number": id_number(),
        "phone": "13800138000",
        "email": "linxiao@example.com",
        "patent_numbers": "ZL202310123456.7",
        "pledgee_name": "福州银行股份有限公司",
        "secured_amount": "500",
        "debt_term": "2026-12-01 至 2027-11-30",
    }
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


def pledge_files(**changes: bytes | None) -> dict[str, tuple[str, bytes, str]]:
    """The three required materials of 专利权质押登记, as (file name, content, type) parts."""
    files: dict[str, bytes | None] = {
        "application_form": pdf(),
        "pledge_contract": pdf(5000),
        "identity_documents": png(),
    }
    files.update(changes)
    return {
        name: (f"{name}.{sniff(data) or 'bin'}", data, "application/octet-stream")
        for name, data in files.items()
        if data is not None
    }


@contextlib.contextmanager
def client(site_dir: Path, data_dir: Path, **overrides: Any) -> Iterator[Any]:
    """A TestClient of the application (lifespan run: store open) with its data in ``data_dir``."""
    from starlette.testclient import TestClient

    from forms_api.app import create_app
    from forms_api.settings import Settings

    overrides.setdefault("rate_limit", "0")
    settings = Settings(site_dir=site_dir, data_dir=data_dir, catalog_dir=SAMPLE_CATALOG, **overrides)
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8000") as test_client:
        yield test_client


class Blocking:
    """An object of the running application whose coroutine methods test code calls as plain
    functions: each call runs on the application's event loop (the TestClient's portal)."""

    def __init__(self, client: Any, target: Any) -> None:
        self._client, self._target = client, target

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._target, name)
        if not inspect.iscoroutinefunction(attribute):
            return attribute
        return lambda *args, **kwargs: self._client.portal.call(functools.partial(attribute, *args, **kwargs))


def store_of(client: Any) -> Any:
    """The application's store, for test code outside its event loop."""
    return Blocking(client, client.app.state.service.store)


def service_of(client: Any) -> Any:
    return Blocking(client, client.app.state.service)


def store_bytes(data_dir: Path, client: Any = None) -> bytes:
    """Everything the service wrote to disk, concatenated (for plaintext checks): the files
    under ``data_dir`` and, when ``client`` runs on PostgreSQL, every stored row as text."""
    out = io.BytesIO()
    for path in sorted(data_dir.rglob("*")):
        if path.is_file():
            out.write(path.read_bytes())
    url = client.app.state.service.settings.database_url if client is not None else ""
    if url:
        import psycopg

        with psycopg.connect(url) as connection:
            for table in ("records", "record_keys", "counts", "numbering", "shared_files", "blob_chunks"):
                for row in connection.execute(f"SELECT t::text FROM {table} t"):
                    out.write(row[0].encode("utf-8"))
    return out.getvalue()
