"""服务网点 (E.2): the directory and a page per point, and the items' places linked to them.

Validation of broken points (E129, E130) is in tests/test_validation_rules.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.site import urls
from tests.conftest import html_of


def text(node: Any) -> str:
    return " ".join(node.get_text(" ", strip=True).split())


def test_the_directory_lists_every_point_with_its_hours_and_phone(catalog: Any, built_site: Path) -> None:
    page = html_of(built_site, urls.POINTS)
    rows = {row["data-point"]: row for row in page.select("table.ipps-points tr[data-point]")}
    assert set(rows) == set(catalog.points)
    hall = catalog.points["civic-center-hall"]
    cells = rows["civic-center-hall"].find_all("td")
    assert text(cells[2]) == "工作日 08:30—12:00、13:30—17:30"
    assert cells[3].a["href"] == f"tel:{hall.phone}"
    assert "可预约" in text(rows["civic-center-hall"]) and "可预约" not in text(rows["finance-station"])
    # windows follow their hall
    order = list(rows)
    assert order.index("civic-center-window-patent") == order.index("civic-center-hall") + 1


def test_a_point_lists_the_items_done_there_and_its_windows(catalog: Any, built_site: Path) -> None:
    def items_at(point_ids: set[str]) -> set[str]:
        return {
            slug
            for slug, item in catalog.items.items()
            if item.status.state != "取消" and any(p.point in point_ids for p in item.places)
        }

    station = html_of(built_site, urls.point("hi-tech-station"))
    listed = {a["href"].rstrip("/").split("/")[-1] for a in station.select("#items + p + ul a")}
    assert listed == items_at({"hi-tech-station"}) and len(listed) > 5
    assert "无障碍电梯" in text(station.select_one("#accessibility + ul"))

    hall = html_of(built_site, urls.point("civic-center-hall"))
    windows = [a["href"].rstrip("/").split("/")[-1] for a in hall.select("#windows + ul a")]
    assert windows == [p.id for p in catalog.points.values() if p.parent == "civic-center-hall"]
    listed = {a["href"].rstrip("/").split("/")[-1] for a in hall.select("#items + p + ul a")}
    assert listed == items_at({"civic-center-hall", *windows})  # the hall offers what its windows do

    window = html_of(built_site, urls.point("civic-center-window-trademark"))
    trail = [text(a) for a in window.select("p.ipps-muted a")][:2]
    assert trail == ["服务网点", catalog.points["civic-center-hall"].name]


def test_an_items_places_link_to_their_points(built_site: Path) -> None:
    page = html_of(built_site, urls.item("patent-pledge"))
    links = [a["href"] for a in page.select("#places + div li strong a")]
    assert [h.rstrip("/").split("/")[-1] for h in links] == ["civic-center-hall", "hi-tech-station"]
    for href in links:  # the links resolve to built pages
        target = (built_site / urls.item("patent-pledge") / href).resolve() / "index.html"
        assert target.is_file()
