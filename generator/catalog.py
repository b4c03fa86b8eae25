"""Loading ``catalog/`` into schema objects, with every problem reported in one pass.

``load_catalog`` is what the site generator, the forms service and the command line use: it
returns a complete :class:`Catalog` or raises :class:`CatalogInvalid` carrying every problem
found, each with file, line and column. ``check_catalog`` returns the problems without
raising, for ``ipps validate``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from generator.problems import Finding, Problem
from generator.schema import (
    FILE_KINDS,
    DataAsset,
    Department,
    Directory,
    DirectoryEntry,
    Event,
    FaqEntry,
    Fee,
    FeeStandard,
    Guide,
    Indicator,
    Item,
    Platform,
    Reduction,
    ResultsFile,
    ServicePoint,
    StandardsFile,
    Theme,
)
from generator.validation.messages import translate
from generator.validation.parts import FILES_DIR, CatalogParts, SourceFile
from generator.validation.rules import run_rules
from generator.yamlsource import START, YamlSyntaxError, paused_gc, read_many


@dataclass(frozen=True)
class Catalog:
    """A catalog that passed every check."""

    root: Path
    platform: Platform
    departments: dict[str, Department]
    directories: dict[str, Directory]
    """Keyed by file stem: ``basic`` and ``value-added``."""
    items: dict[str, Item]
    """Keyed by slug (the file name without ``.yml``), in file name order."""
    fee_standards: dict[str, FeeStandard]
    themes: dict[str, Theme]
    assets: list[DataAsset]
    standards: StandardsFile
    faq: list[FaqEntry] = field(default_factory=list)
    """The 咨询问答手册 (``faq.yml``, which may be absent), in file order."""
    indicators: list[Indicator] = field(default_factory=list)
    """The 服务评价指标体系 (``indicators.yml``, which may be absent), in file order."""
    results: ResultsFile | None = None
    """The published 服务评价结果 (``results.yml``, written by ``ipps results export``), if any."""
    events: list[Event] = field(default_factory=list)
    """The 培训讲座 (``events.yml``, which may be absent), in file order."""
    points: dict[str, ServicePoint] = field(default_factory=dict)
    """The 服务网点 (``service-points.yml``, which may be absent) by id, in file order."""
    guides: dict[str, Guide] = field(default_factory=dict)
    """The 智能导办 guides (``guides/*.yml``) by file stem, in their ``order``, then by stem."""

    @property
    def files_dir(self) -> Path:
        return self.root / FILES_DIR

    def directory_entry(self, entry_id: str) -> tuple[Directory, DirectoryEntry] | None:
        for directory in self.directories.values():
            for entry in directory.entries:
                if entry.id == entry_id:
                    return directory, entry
        return None

    def fee(self, ref: str) -> tuple[FeeStandard, Fee] | None:
        standard_id, _, fee_id = ref.partition("/")
        standard = self.fee_standards.get(standard_id)
        fee = standard.fee(fee_id) if standard else None
        return (standard, fee) if standard and fee else None

    def reduction(self, ref: str) -> tuple[FeeStandard, Reduction] | None:
        standard_id, _, reduction_id = ref.partition("/")
        standard = self.fee_standards.get(standard_id)
        found = next((r for r in standard.reductions if r.id == reduction_id), None) if standard else None
        return (standard, found) if standard and found else None


class CatalogInvalid(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the catalog")
        self.problems = problems


def check_catalog(
    root: Path, display_root: Path | None = None, *, without: tuple[str, ...] = ()
) -> tuple[CatalogParts, list[Problem]]:
    """Read and check the catalog at ``root``; return what was read and every problem.
    Files of the kinds named in ``without`` are not read (a command about to rewrite one)."""
    root = Path(root)
    prefix = _display_prefix(root, display_root)
    parts = CatalogParts(root)
    problems: list[Problem] = []
    findings: list[Finding] = []

    paths: list[Path] = []
    for kind in FILE_KINDS:
        if kind.name in without:
            continue
        for required in kind.required:
            if not (root / required).is_file():
                problems.append(
                    Problem(prefix + required, 1, 1, "E009", f"缺少必需的文件 {required}（{kind.label}）")
                )
        for path in sorted(root.glob(kind.pattern.replace(".yml", ".yaml"))):
            rel = path.relative_to(root).as_posix()
            problems.append(Problem(prefix + rel, 1, 1, "E006", "文件扩展名应为 .yml，否则不会被读取"))
        for path in sorted(root.glob(kind.pattern)):
            parts.files.append(SourceFile(kind, path.relative_to(root).as_posix()))
            paths.append(path)

    with paused_gc():  # everything read stays alive: no cycles to collect
        for source, result in zip(parts.files, read_many(paths), strict=True):
            if isinstance(result, YamlSyntaxError):
                position = result.position
                problems.append(
                    Problem(prefix + source.rel, position.line, position.column, "E001", result.message)
                )
                continue
            source.document = result
            problems.extend(_duplicates(source, prefix))
            findings.extend(_validate(source))
        findings.extend(run_rules(parts))

    documents = {f.rel: f.document for f in parts.files if f.document is not None}
    for finding in findings:
        document = documents.get(finding.file)
        position = document.locate(finding.loc, key=finding.key) if document else START
        problems.append(
            Problem(prefix + finding.file, position.line, position.column, finding.code, finding.message)
        )
    return parts, sorted(set(problems))


def load_catalog(root: Path, display_root: Path | None = None, *, without: tuple[str, ...] = ()) -> Catalog:
    """The catalog at ``root``; raises :class:`CatalogInvalid` listing every problem."""
    parts, problems = check_catalog(root, display_root, without=without)
    if problems:
        raise CatalogInvalid(problems)
    return Catalog(
        root=Path(root),
        platform=parts.single("platform"),
        departments={d.id: d for d in parts.single("departments").departments},
        directories={f.stem: m for f, m in parts.models("directory")},
        items={f.stem: m for f, m in parts.models("item")},
        fee_standards={f.stem: m for f, m in parts.models("fee-standard")},
        themes={t.id: t for t in parts.single("themes").themes},
        assets=list(parts.single("data-assets").assets),
        standards=parts.single("standards"),
        faq=list(faq.faqs) if (faq := parts.single("faq")) else [],
        indicators=list(found.indicators) if (found := parts.single("indicators")) else [],
        results=parts.single("results"),
        events=list(found.events) if (found := parts.single("events")) else [],
        points={p.id: p for p in found.points} if (found := parts.single("service-points")) else {},
        guides=dict(
            sorted(((f.stem, m) for f, m in parts.models("guide")), key=lambda g: (g[1].order, g[0]))
        ),
    )


def _display_prefix(root: Path, display_root: Path | None) -> str:
    base = Path.cwd() if display_root is None else display_root
    try:
        shown = root.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        shown = root.resolve().as_posix()
    return "" if shown == "." else shown + "/"


def _duplicates(source: SourceFile, prefix: str) -> Iterator[Problem]:
    assert source.document is not None
    for dup in source.document.duplicates:
        yield Problem(
            prefix + source.rel,
            dup.position.line,
            dup.position.column,
            "E008",
            f"字段「{dup.key}」重复出现（第一次在第 {dup.first.line} 行），后出现的值会覆盖前面的值",
        )


def _validate(source: SourceFile) -> list[Finding]:
    assert source.document is not None
    try:
        source.model = source.kind.model.model_validate(source.document.data)
    except ValidationError as exc:
        findings = [translate(source.rel, source.kind.model, error) for error in exc.errors()]
        source.invalid = {finding.loc for finding in findings}
        return findings
    return []
