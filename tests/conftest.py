from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CATALOG = ROOT / "catalog"
MINIMAL_CATALOG = Path(__file__).parent / "fixtures" / "catalog"

_MARKER = re.compile(r"#\s*expect:\s*(E\d{3}(?:[ ,]+E\d{3})*)")


@dataclass
class CatalogCopy:
    """A writable copy of a catalog, for tests that break it on purpose."""

    root: Path
    edited: set[str] = field(default_factory=set)

    def replace(self, rel: str, old: str, new: str) -> None:
        path = self.root / rel
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} should occur once in {rel}"
        path.write_text(text.replace(old, new), encoding="utf-8")
        self.edited.add(rel)

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.edited.add(rel)

    def delete(self, rel: str) -> None:
        (self.root / rel).unlink()

    def expected(self) -> set[tuple[str, int, str]]:
        """Problems marked in edited files with ``# expect: CODE`` on the line they belong to."""
        marks = set()
        for rel in self.edited:
            lines = (self.root / rel).read_text(encoding="utf-8").splitlines()
            for number, line in enumerate(lines, start=1):
                if match := _MARKER.search(line):
                    marks |= {(rel, number, code) for code in re.findall(r"E\d{3}", match.group(1))}
        return marks


@pytest.fixture
def catalog_copy(tmp_path: Path) -> CatalogCopy:
    root = tmp_path / "catalog"
    shutil.copytree(MINIMAL_CATALOG, root)
    return CatalogCopy(root)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample catalog built once per test session, search index included."""
    from generator.site.build import build_site

    return build_site(ROOT / "mkdocs.yml", site_dir=tmp_path_factory.mktemp("site") / "site")


def html_of(site_dir: Path, url: str):  # -> bs4.BeautifulSoup
    """The parsed HTML of a built page, by its site URL (``items/patent-pledge/``)."""
    from bs4 import BeautifulSoup

    path = site_dir / url / "index.html" if not url.endswith(".html") else site_dir / url
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="session")
def site_server(built_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample site served on 127.0.0.1 as in production: by the service, with its security
    headers (nginx sends the same for the files it serves); its base URL."""
    url, server, thread = start_service(built_site, tmp_path_factory.mktemp("site-data"), rate_limit="0")
    yield url
    server.should_exit = True
    thread.join(timeout=15)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    from tests.browser import CHROMIUM, launch_chromium

    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    pytest.importorskip("playwright.sync_api")
    with launch_chromium() as browser:
        yield browser


@pytest.fixture
def visit(chromium: Any, site_server: str) -> Iterator[Any]:
    """A Chromium tab on the sample site; the test fails if any request leaves 127.0.0.1."""
    from tests.browser import Visit

    tab = Visit(chromium, site_server)
    yield tab
    external = tab.external()
    tab.close()
    assert not external, f"requests left 127.0.0.1: {external}"


@pytest.fixture
def smtp_server() -> Iterator[Any]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 for one test: (controller, inbox); tests/mail.py."""
    from tests.mail import local_smtp_server

    with local_smtp_server() as server:
        yield server


@pytest.fixture(scope="session")
def catalog():  # -> generator.catalog.Catalog
    """The sample catalog, loaded once."""
    from generator.catalog import load_catalog

    return load_catalog(SAMPLE_CATALOG)


@pytest.fixture(scope="session")
def site(catalog):  # -> generator.site.site.Site
    """The sample catalog as the site sees it."""
    from generator.site.site import Site

    return Site(catalog)


def start_service(site_dir: Path, data_dir: Path, **overrides: Any):  # -> (base_url, server, thread)
    """The forms service (uvicorn, in a thread) serving ``site_dir`` with its data in ``data_dir``."""
    import socket
    import threading
    import time

    import uvicorn

    from forms_api.app import create_app
    from forms_api.settings import Settings

    settings = Settings(site_dir=site_dir, data_dir=data_dir, catalog_dir=SAMPLE_CATALOG, **overrides)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the service did not start")
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}/", server, thread


@pytest.fixture(scope="session")
def service_url(built_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The forms service on 127.0.0.1 serving the sample site, with a fresh data folder and no
    rate limit (tests that need one start their own)."""
    url, server, thread = start_service(built_site, tmp_path_factory.mktemp("data"), rate_limit="0")
    yield url
    server.should_exit = True
    thread.join(timeout=15)


@pytest.fixture
def api(built_site: Path, tmp_path: Path, engine: Any) -> Iterator[Any]:
    """An in-process client of the forms service (no rate limit), its data in ``tmp_path/data``
    and its records in the ``engine`` (each test using it runs on both engines)."""
    from tests.api import client

    with client(built_site, tmp_path / "data", database_url=engine.url or "") as test_client:
        yield test_client


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Any]:
    """A throwaway PostgreSQL cluster for the session (None where the binaries are missing)."""
    from tests.engines import pg_cluster_fixture

    yield from pg_cluster_fixture()


@pytest.fixture(params=["embedded", "postgres"])
def engine(request: pytest.FixtureRequest, pg_cluster: Any, tmp_path: Path) -> Any:
    """The storage engine a test runs on: each such test runs on both."""
    from tests.engines import engine_for

    return engine_for(request.param, pg_cluster, tmp_path)
