"""The schema is the source of truth: every field is labelled, and the JSON Schemas that
editors use are generated from it and kept in step."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from forms_api.cli.main import main
from generator.schema import FILE_KINDS
from generator.schema_export import json_schema, modeline, render
from tests.conftest import SAMPLE_CATALOG

CJK = re.compile(r"[\u4e00-\u9fff]")


def all_models() -> set[type[BaseModel]]:
    found: set[type[BaseModel]] = set()

    def visit(model: type[BaseModel]) -> None:
        if model in found:
            return
        found.add(model)
        for info in model.model_fields.values():
            for candidate in _types_in(info.annotation):
                visit(candidate)

    for kind in FILE_KINDS:
        visit(kind.model)
    return found


def _types_in(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [t for arg in getattr(annotation, "__args__", ()) for t in _types_in(arg)]


def test_the_walk_reaches_nested_models() -> None:
    names = {m.__name__ for m in all_models()}
    assert {"Item", "Material", "TimeLimit", "Tier", "Step", "CodePatterns"} <= names


@pytest.mark.parametrize("model", sorted(all_models(), key=lambda m: m.__name__), ids=lambda m: m.__name__)
def test_every_field_has_a_chinese_label_and_description(model: type[BaseModel]) -> None:
    for name, info in model.model_fields.items():
        assert info.title and CJK.search(info.title), f"{model.__name__}.{name} has no Chinese label"
        assert info.description and CJK.search(info.description), (
            f"{model.__name__}.{name} has no description"
        )


def test_labels_are_unique_within_a_model() -> None:
    for model in all_models():
        titles = [info.title for info in model.model_fields.values()]
        assert len(titles) == len(set(titles)), model.__name__


@pytest.mark.parametrize("kind", FILE_KINDS, ids=lambda k: k.name)
def test_committed_json_schema_matches_the_models(kind) -> None:
    committed = (SAMPLE_CATALOG / "schema" / kind.schema_file).read_text(encoding="utf-8")
    assert committed == render(kind), "run `make schema` and commit catalog/schema/"


def test_json_schema_carries_labels_enums_and_patterns() -> None:
    item = json_schema(next(k for k in FILE_KINDS if k.name == "item"))
    assert item["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert item["title"] == "服务事项"
    assert item["additionalProperties"] is False
    assert item["properties"]["item_type"]["enum"][-1] == "20"
    assert item["properties"]["name"]["title"] == "事项名称"
    assert "promised_time_limit" in item["required"]
    assert "legal_time_limit" not in item["required"]  # not every service has a statutory limit
    assert item["properties"]["department"]["pattern"].startswith("^")
    material = item["$defs"]["Material"]["properties"]
    assert material["upload_types"]["items"]["enum"] == ["pdf", "jpg", "png", "doc", "docx", "xls", "xlsx"]


def test_ipps_schema_writes_one_file_per_kind(tmp_path: Path) -> None:
    assert main(["schema", "--catalog", str(tmp_path)]) == 0
    written = sorted(p.name for p in (tmp_path / "schema").iterdir())
    assert written == sorted(k.schema_file for k in FILE_KINDS)
    for path in (tmp_path / "schema").iterdir():
        assert json.loads(path.read_text(encoding="utf-8"))["title"]


def test_every_sample_file_names_its_schema_on_the_first_line() -> None:
    for kind in FILE_KINDS:
        for path in sorted(SAMPLE_CATALOG.glob(kind.pattern)):
            rel = path.relative_to(SAMPLE_CATALOG).as_posix()
            first = path.read_text(encoding="utf-8").split("\n", 1)[0]
            assert first == modeline(kind, rel), rel
            target = first.split("$schema=", 1)[1]
            assert (path.parent / target).resolve().is_file(), rel
