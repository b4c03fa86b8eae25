"""``ipps validate`` as editors and CI see it: output formats and exit status."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from forms_api.cli.main import main
from tests.conftest import ROOT, CatalogCopy


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "forms_api.cli", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_clean_sample_prints_only_a_summary_line() -> None:
    result = run("validate")
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("校验通过")
    assert result.stderr == ""


def test_problems_exit_1_with_one_line_each(catalog_copy: CatalogCopy) -> None:
    catalog_copy.replace("items/pledge.yml", "department: bureau", "department: bureu")
    catalog_copy.replace("items/pledge.yml", 'item_type: "20"', 'item_type: "99"')
    result = run("validate", "--catalog", "catalog", cwd=catalog_copy.root.parent)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("catalog/items/pledge.yml:6:12: E004: ")
    assert lines[1].startswith("catalog/items/pledge.yml:14:13: E103: ")
    assert lines[2] == "校验未通过：共发现 2 个问题，涉及 1 个文件（共检查 10 个文件）。"


def test_github_format_annotates_file_and_line(catalog_copy: CatalogCopy) -> None:
    catalog_copy.replace("items/pledge.yml", "department: bureau", "department: bureu")
    result = run("validate", "--catalog", str(catalog_copy.root), "--format", "github", cwd=catalog_copy.root)
    assert result.returncode == 1
    annotation = result.stdout.splitlines()[0]
    assert annotation.startswith("::error file=items/pledge.yml,line=14,col=13,title=E103::实施部门「bureu」")


def test_json_format_is_a_list_of_problems(catalog_copy: CatalogCopy) -> None:
    catalog_copy.replace("items/pledge.yml", "department: bureau", "department: bureu")
    result = run("validate", "--catalog", str(catalog_copy.root), "--format", "json", cwd=catalog_copy.root)
    assert result.returncode == 1
    (problem,) = json.loads(result.stdout)
    assert problem == {
        "file": "items/pledge.yml",
        "line": 14,
        "column": 13,
        "code": "E103",
        "title": "引用的部门或机构不存在",
        "message": "实施部门「bureu」不在 departments.yml 中，是否应为「bureau」？",
    }


def test_json_format_of_a_clean_catalog_is_an_empty_list(catalog_copy: CatalogCopy) -> None:
    result = run("validate", "--catalog", str(catalog_copy.root), "--format", "json")
    assert (result.returncode, json.loads(result.stdout)) == (0, [])


@pytest.mark.parametrize(
    ("args", "wording"),
    [
        (["validate", "--format", "xml"], "无效的选项"),
        (["validate", "--catalog", "/no/such/dir"], "不存在"),
        (["frobnicate"], "无效的选项"),
        ([], "缺少必需的参数"),
    ],
)
def test_usage_errors_exit_2_in_chinese(
    args: list[str], wording: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as raised:
        main(args)
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert "用法：" in err
    assert wording in err
