"""服务网点 (T/CIPS 007—2024 E.2 网点布局): where applicants are served in person.

The directory groups the halls and stations with their windows; each point's page gives the
address, opening hours on working days, phone, transport, the facilities for older and
disabled visitors, its windows and the items that can be done there (read from the items'
places, so a point's offer is written once). No map tiles: nothing is loaded from outside.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.booking import booking_points
from generator.schema import ServicePoint

from .. import urls
from ..page import Section, SitePage
from ..site import Site

CALENDAR_NOTE = "按国家法定节假日和调休安排：节假日休息，调休上班日照常开放"


def opening_hours(point: ServicePoint) -> str:
    """``工作日 08:30—12:00、13:30—17:30``."""
    return "工作日 " + "、".join(f"{s.start}—{s.end}" for s in point.sessions)


def pages(site: Site) -> Iterator[SitePage]:
    points = site.catalog.points
    if not points:
        return
    yield SitePage(
        url=urls.POINTS,
        title="服务网点",
        description="知识产权服务大厅、服务站和窗口的地址、开放时间、电话、交通、无障碍设施和可办事项。",
        template="points.html",
        context=lambda: index_context(site),
        in_nav=True,
    )
    for point in points.values():
        yield SitePage(
            url=urls.point(point.id),
            title=point.name,
            description=f"{point.name}（{point.kind}）：{point.address}，{opening_hours(point)}，电话 {point.phone}。",
            template="point.html",
            context=lambda point=point: point_context(site, point),
            sections=[
                Section("basic", "地址和开放时间"),
                *([Section("accessibility", "无障碍和适老设施")] if point.accessibility else []),
                *([Section("windows", "窗口")] if _windows(site, point) else []),
                Section("items", "可办事项"),
            ],
        )

    bookable = [(entry, booking_points(site.catalog, entry.slug)) for entry in site.listed]
    yield SitePage(
        url=urls.APPOINTMENTS,
        title="预约办理",
        description="预约到服务大厅、服务站的窗口办理：可预约的事项和网点，每个时段的名额，取消和改约。",
        template="appointments.html",
        context=lambda: {
            "bookable": [(entry, found) for entry, found in bookable if found],
            "hours": opening_hours,
        },
        in_nav=True,
    )


def _windows(site: Site, point: ServicePoint) -> list[ServicePoint]:
    return [p for p in site.catalog.points.values() if p.parent == point.id]


def index_context(site: Site) -> dict[str, Any]:
    tops = [p for p in site.catalog.points.values() if p.parent is None]
    return {
        "groups": [(top, _windows(site, top)) for top in tops],
        "hours": opening_hours,
        "offered": {pid: len(entries) for pid, entries in site.offered_at.items()},
        "calendar_note": CALENDAR_NOTE,
    }


def point_context(site: Site, point: ServicePoint) -> dict[str, Any]:
    points = site.catalog.points
    return {
        "point": point,
        "parent": points.get(point.parent) if point.parent else None,
        "windows": _windows(site, point),
        "hours": opening_hours,
        "calendar_note": CALENDAR_NOTE,
        "offered": site.offered_at.get(point.id, []),
    }
