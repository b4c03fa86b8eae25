"""What a fresh clone and the editors' pull-request check rely on."""

from __future__ import annotations

import re

import yaml

from generator.problems import PROBLEM_CODES
from tests.conftest import ROOT


def test_readme_opens_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.splitlines()]
    assert commands == ["make run", "make test"]


def test_ci_runs_the_readme_test_command() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "set -euo pipefail" in script
    assert re.search(r"^make test$", script, re.MULTILINE)


def test_pull_request_workflow_validates_with_annotations_and_builds() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "content.yml").read_text(encoding="utf-8"))
    assert "pull_request" in workflow[True]  # YAML 1.1 reads the key `on` as true
    steps = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    assert "ipps validate --format github" in steps
    assert any(step.startswith(("mkdocs build", "ipps build")) for step in steps)


def test_editor_guide_explains_every_problem_code() -> None:
    guide = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| (E\d{3}) \| ([^|]+) \|", guide, re.MULTILINE))
    assert {code: title.strip() for code, title in rows.items()} == PROBLEM_CODES


def test_no_source_file_is_ignored_by_git() -> None:
    import subprocess

    ignored = subprocess.run(
        [
            "git",
            "ls-files",
            "--others",
            "--ignored",
            "--exclude-standard",
            "generator",
            "forms_api",
            "tests",
            "catalog",
            "content",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert [p for p in ignored if "__pycache__" not in p and not p.endswith(".pyc")] == []


def test_every_setting_is_in_the_readme() -> None:
    """A setting nobody can find is a setting nobody uses: each is named as its variable."""
    import dataclasses

    from forms_api.settings import Settings

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [f.name for f in dataclasses.fields(Settings) if f"IPPS_{f.name.upper()}" not in readme]
    assert missing == []


def test_every_declared_dependency_is_locked_with_hashes() -> None:
    """make installs from requirements.lock with --require-hashes: a dependency added to
    pyproject.toml without `make lock` would fail there, and this says which."""
    import re
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    names = {re.split(r"[\[<>=;! ]", spec, maxsplit=1)[0].lower().replace("_", "-") for spec in declared}
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    pinned = set(re.findall(r"^([A-Za-z0-9._-]+)==", lock, re.MULTILINE))
    pinned = {name.lower().replace("_", "-") for name in pinned}
    assert names <= pinned, names - pinned
    entries = re.split(r"\n(?=[a-z0-9])", lock.split("\n\n", 1)[-1])
    assert all("--hash=sha256:" in entry for entry in entries if "==" in entry)
    assert "--require-hashes -r requirements.lock" in (ROOT / "Makefile").read_text(encoding="utf-8")
