"""Where an item can be booked (预约办理, E.4.5): read by the site (the guide's 预约 link) and
by the service (the booking rules), so that both say the same."""

from __future__ import annotations

from generator.catalog import Catalog
from generator.schema import ServicePoint


def booking_points(catalog: Catalog, slug: str) -> list[ServicePoint]:
    """The points an item can be booked at, in the order its places name them: a place's
    point if it takes appointments, else the hall or station the window is in, if that does.
    None for an item that is not in use or does not support appointments."""
    item = catalog.items[slug]
    if item.status.state != "在用" or not item.supports.appointment:
        return []
    points, found = catalog.points, []
    for place in item.places:
        point = points.get(place.point or "")
        if point is not None and point.appointments is None and point.parent:
            point = points.get(point.parent)
        if point is not None and point.appointments is not None and point not in found:
            found.append(point)
    return found
