"""Rules for 服务网点 (catalog/service-points.yml) and the items' places that name them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.problems import Finding

from .parts import CatalogParts, suggest


def _declared_points(parts: CatalogParts) -> dict[str, str]:
    """Point id -> kind, as written (whether or not the entry is otherwise valid)."""
    found: dict[str, str] = {}
    for f in parts.of_kind("service-points"):
        data: Any = f.data
        points = data.get("points") if isinstance(data, dict) else None
        for entry in points if isinstance(points, list) else []:
            if isinstance(entry, dict) and "id" in entry:
                found.setdefault(str(entry["id"]), str(entry.get("kind", "")))
    return found


def check_points(parts: CatalogParts) -> Iterator[Finding]:
    declared = _declared_points(parts)
    for f, model in parts.models("service-points"):
        seen: set[str] = set()
        for n, point in enumerate(model.points):
            if point.id in seen:
                yield Finding(f.rel, ("points", n, "id"), "E129", f"网点标识「{point.id}」重复")
            seen.add(point.id)
            if point.parent is None:
                if point.kind == "窗口":
                    yield Finding(
                        f.rel,
                        ("points", n, "kind"),
                        "E129",
                        "窗口应填写所在网点（parent），即它所在的大厅或服务站",
                    )
            elif point.parent not in declared:
                yield Finding(
                    f.rel,
                    ("points", n, "parent"),
                    "E129",
                    f"所在网点「{point.parent}」不存在{suggest(point.parent, declared)}",
                )
            elif declared[point.parent] == "窗口" or point.parent == point.id:
                yield Finding(
                    f.rel, ("points", n, "parent"), "E129", f"所在网点「{point.parent}」应为大厅或服务站"
                )
    for f, item in parts.models("item"):
        for n, place in enumerate(item.places):
            if place.point is not None and place.point not in declared:
                yield Finding(
                    f.rel,
                    ("places", n, "point"),
                    "E130",
                    f"服务网点「{place.point}」不存在于 service-points.yml{suggest(place.point, declared)}",
                )
