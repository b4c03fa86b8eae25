"""Rules for 培训讲座 (catalog/events.yml): what an event names exists, ids are unique."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.problems import Finding

from .parts import FILES_DIR, CatalogParts, suggest
from .points import _declared_points


def _faq_sources(parts: CatalogParts) -> set[str]:
    found = set()
    for f in parts.of_kind("faq"):
        data: Any = f.data
        entries = data.get("faqs") if isinstance(data, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and "source" in entry:
                found.add(str(entry["source"]))
    return found


def check_events(parts: CatalogParts) -> Iterator[Finding]:
    points = _declared_points(parts)
    items = {f.stem for f in parts.of_kind("item")}
    sources = _faq_sources(parts)
    files = parts.root / FILES_DIR
    for f, model in parts.models("events"):
        seen: set[str] = set()
        for n, event in enumerate(model.events):
            loc = ("events", n)
            if event.id in seen:
                yield Finding(f.rel, (*loc, "id"), "E131", f"活动标识「{event.id}」重复")
            seen.add(event.id)
            if event.point is not None and event.point not in points:
                yield Finding(
                    f.rel,
                    (*loc, "point"),
                    "E130",
                    f"服务网点「{event.point}」不存在于 service-points.yml{suggest(event.point, points)}",
                )
            for i, slug in enumerate(event.items):
                if slug not in items:
                    yield Finding(
                        f.rel, (*loc, "items", i), "E131", f"事项「{slug}」不存在{suggest(slug, items)}"
                    )
            for i, source in enumerate(event.faqs):
                if source not in sources:
                    yield Finding(
                        f.rel, (*loc, "faqs", i), "E131", f"咨询问答手册中没有来源为「{source}」的问题"
                    )
            for i, material in enumerate(event.materials):
                if material.file and not (files / material.file).is_file():
                    yield Finding(
                        f.rel,
                        (*loc, "materials", i, "file"),
                        "E112",
                        f"附件「{material.file}」不存在，应放在 catalog/{FILES_DIR}/{material.file}",
                    )
