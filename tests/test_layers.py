"""The import-linter contracts (pyproject.toml, ``[tool.importlinter]``) hold, and catch the
imports that would break a layer: each case adds one such import to a copy of the code."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

LINT = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT), "--no-cache"], cwd=root, capture_output=True, text=True, check=False, timeout=120
    )


def test_the_code_keeps_every_contract() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("layers")
    ignore = shutil.ignore_patterns("__pycache__", "templates", "theme")
    for package in ("generator", "forms_api"):
        shutil.copytree(ROOT / package, root / package, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        (
            "generator/site/pages/home.py",
            "import forms_api.domain.submissions",
            "The catalog side never imports the service",
        ),
        ("generator/schema/base.py", "import generator.catalog", "The catalog side by layer, top to bottom"),
        (
            "forms_api/domain/receipts.py",
            "import starlette.requests",
            "Below the HTTP layers nothing knows the web framework or the server",
        ),
        (
            "forms_api/domain/receipts.py",
            "import forms_api.web.routes",
            "The service by layer, top to bottom",
        ),
        (
            "forms_api/storage/uploads.py",
            "import forms_api.domain.receipts",
            "The service by layer, top to bottom",
        ),
        (
            "forms_api/delivery/notices.py",
            "import forms_api.domain.masking",
            "The service by layer, top to bottom",
        ),
        (
            "forms_api/web/routes.py",
            "import forms_api.console.records",
            "The service by layer, top to bottom",
        ),
        (
            "forms_api/domain/workflow/rules.py",
            "import forms_api.storage.crypto",
            "The workflow is pure: no storage, delivery or stored submissions",
        ),
    ],
)
def test_an_import_against_the_layers_breaks_a_contract(
    copy: Path, module: str, line: str, contract: str
) -> None:
    path = copy / module
    original = path.read_text(encoding="utf-8")
    try:
        path.write_text(original + f"\n{line}  # against the layers\n", encoding="utf-8")
        result = _lint(copy)
    finally:
        path.write_text(original, encoding="utf-8")
    assert result.returncode == 1, result.stdout
    # the report lists each contract by name, then KEPT or BROKEN (long names wrap)
    listing = " ".join(result.stdout.split("Broken contracts")[0].split())
    assert f"{contract} BROKEN" in listing, result.stdout
