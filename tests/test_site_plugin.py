"""The mkdocs plugin as mkdocs itself uses it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from mkdocs.config import load_config

from generator.site.plugin import CatalogPlugin
from tests.conftest import ROOT, html_of


def test_plain_mkdocs_build_builds_the_site(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert html_of(tmp_path / "site", "items/patent-pledge/").h1.get_text() == "专利权质押登记"
    assert (tmp_path / "site" / "pagefind" / "pagefind.js").is_file()
    assert (tmp_path / "site" / "data" / "catalog.json").is_file()
    assert not (ROOT / "content" / "items").exists()  # generated pages are never written into content/


def test_the_plugin_is_registered_and_listed() -> None:
    config = load_config(str(ROOT / "mkdocs.yml"))
    assert isinstance(config.plugins["ipps"], CatalogPlugin)


class _Server:
    def __init__(self) -> None:
        self.watched: list[str] = []

    def watch(self, path: str, *args: object, **kwargs: object) -> None:
        self.watched.append(path)


def test_mkdocs_serve_watches_the_catalog() -> None:
    config = load_config(str(ROOT / "mkdocs.yml"))
    plugin = config.plugins["ipps"]
    plugin.on_config(config)
    try:
        server = _Server()
        plugin.on_serve(server, config=config, builder=None)
    finally:
        plugin.on_build_error(error=RuntimeError("not building"))  # restores the collector
    assert [Path(p).resolve() for p in server.watched] == [(ROOT / "catalog").resolve()]


def test_an_invalid_catalog_stops_the_build_with_every_problem(tmp_path: Path) -> None:
    import shutil

    catalog = tmp_path / "catalog"
    shutil.copytree(ROOT / "tests" / "fixtures" / "catalog", catalog)
    item = catalog / "items" / "pledge.yml"
    item.write_text(
        item.read_text(encoding="utf-8").replace("department: bureau", "department: nobody"), encoding="utf-8"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "forms_api.cli",
            "build",
            "--catalog",
            str(catalog),
            "--site-dir",
            str(tmp_path / "site"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "目录校验未通过" in result.stderr
    assert "E103" in result.stderr
    assert "Traceback" not in result.stderr
