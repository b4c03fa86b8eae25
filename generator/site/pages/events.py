"""培训讲座 (T/CIPS 007—2024 F.1.4): lectures and trainings prompted by frequent questions.

The index lists the coming events (with registration while it is open) and the past ones
(with their materials); each event has a page with the topic, time, place, the questions that
prompted it, and the registration form (the service keeps the count and the waitlist).
Which events are past is decided when the site is built (it is rebuilt daily).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from generator import forms, workdays
from generator.schema import Event

from .. import urls
from ..page import Section, SitePage
from ..site import Site


def pages(site: Site) -> Iterator[SitePage]:
    events = site.catalog.events
    if not events:
        return
    today = workdays.today()
    yield SitePage(
        url=urls.EVENTS,
        title="培训讲座",
        description="针对咨询中的常见问题举办的讲座和培训：时间地点、在线报名（报满可候补），以及往期讲义和回放。",
        template="events.html",
        context=lambda: index_context(events, today),
        sections=[Section("upcoming", "近期活动"), Section("past", "往期活动")],
        in_nav=True,
    )
    for event in events:
        yield SitePage(
            url=urls.event(event.id),
            title=event.title,
            description=f"{event.title}（{event.kind}）：{event.date.month}月{event.date.day}日 {event.time.start}—{event.time.end}。{event.topic}",
            template="event.html",
            context=lambda event=event: event_context(site, event, today),
        )


def index_context(events: list[Event], today: dt.date) -> dict[str, Any]:
    return {
        "upcoming": sorted((e for e in events if e.date >= today), key=lambda e: e.date),
        "past": sorted((e for e in events if e.date < today), key=lambda e: e.date, reverse=True),
        "today": today,
    }


def event_context(site: Site, event: Event, today: dt.date) -> dict[str, Any]:
    sources = {entry.source: entry for entry in site.catalog.faq}
    return {
        "event": event,
        "point": site.catalog.points.get(event.point or ""),
        "items": [(slug, site.item(slug)) for slug in event.items],
        "faqs": [sources[s] for s in event.faqs if s in sources],
        "past": event.date < today,
        "open": today <= event.register_until,
        "forms": forms,
    }
