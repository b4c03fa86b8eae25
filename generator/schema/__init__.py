"""The catalog schema: one model per kind of catalog file.

This package is the single source of truth for what the catalog may contain. Validation,
the JSON Schemas in ``catalog/schema/``, the editor's field reference, the forms and the
open-data exports all read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .assets import DataAsset, DataAssetsFile
from .base import CatalogModel
from .common import Change, Contact, LegalBasis, TimeLimit
from .departments import Department, DepartmentsFile
from .directories import Directory, DirectoryEntry
from .events import Event, EventMaterial, EventsFile
from .faq import FaqEntry, FaqFile
from .fees import Fee, FeeStandard, Reduction, Tier
from .guides import Guide, GuideChoice, GuideQuestion, GuideResult
from .indicators import Formula, Indicator, IndicatorsFile
from .items import Charges, FeeItem, FormField, Item, Material, Status, Step
from .platform import Platform
from .points import Appointments, ServicePoint, ServicePointsFile, Session
from .results import Figure, ItemFigures, PublishedMeasure, ResultsFile
from .standards import StandardsFile
from .themes import Theme, ThemesFile


@dataclass(frozen=True)
class FileKind:
    """A kind of catalog file: where it lives and which model describes it."""

    name: str
    label: str
    pattern: str
    """Glob relative to ``catalog/``."""
    model: type[CatalogModel]
    required: tuple[str, ...] = ()
    """Files of this kind that must exist, relative to ``catalog/``."""

    @property
    def schema_file(self) -> str:
        return f"{self.name}.schema.json"


FILE_KINDS: tuple[FileKind, ...] = (
    FileKind("platform", "平台信息", "platform.yml", Platform, ("platform.yml",)),
    FileKind("departments", "部门与机构", "departments.yml", DepartmentsFile, ("departments.yml",)),
    FileKind(
        "directory",
        "服务名录",
        "directories/*.yml",
        Directory,
        ("directories/basic.yml", "directories/value-added.yml"),
    ),
    FileKind("item", "服务事项", "items/*.yml", Item),
    FileKind("fee-standard", "收费标准", "fees/*.yml", FeeStandard),
    FileKind("themes", "主题服务", "themes.yml", ThemesFile, ("themes.yml",)),
    FileKind("data-assets", "数据资产目录", "data-assets.yml", DataAssetsFile, ("data-assets.yml",)),
    FileKind("standards", "标准体系", "standards.yml", StandardsFile, ("standards.yml",)),
    FileKind("faq", "咨询问答手册", "faq.yml", FaqFile),
    FileKind("indicators", "服务评价指标体系", "indicators.yml", IndicatorsFile),
    FileKind("results", "服务评价结果", "results.yml", ResultsFile),
    FileKind("guide", "智能导办", "guides/*.yml", Guide),
    FileKind("service-points", "服务网点", "service-points.yml", ServicePointsFile),
    FileKind("events", "培训讲座", "events.yml", EventsFile),
)

__all__ = [
    "FILE_KINDS",
    "Appointments",
    "CatalogModel",
    "Change",
    "Charges",
    "Contact",
    "DataAsset",
    "Department",
    "Directory",
    "DirectoryEntry",
    "Event",
    "EventMaterial",
    "EventsFile",
    "FaqEntry",
    "FaqFile",
    "Fee",
    "FeeItem",
    "FeeStandard",
    "Figure",
    "FileKind",
    "FormField",
    "Formula",
    "Guide",
    "GuideChoice",
    "GuideQuestion",
    "GuideResult",
    "Indicator",
    "IndicatorsFile",
    "Item",
    "ItemFigures",
    "LegalBasis",
    "Material",
    "Platform",
    "PublishedMeasure",
    "Reduction",
    "ResultsFile",
    "ServicePoint",
    "ServicePointsFile",
    "Session",
    "StandardsFile",
    "Status",
    "Step",
    "Theme",
    "Tier",
    "TimeLimit",
]
