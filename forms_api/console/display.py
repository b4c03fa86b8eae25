"""How the console shows stored times and pages of lists to staff (masks: :mod:`forms_api.domain.masking`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from forms_api.storage.query import Cursor, Page
from generator.workdays import china_tz


def local_time(timestamp: str | None) -> str:
    """``2026-11-24T10:05:00+08:00`` → ``2026-11-24 10:05`` (China time); empty stays empty."""
    if not timestamp:
        return ""
    moment = dt.datetime.fromisoformat(timestamp)
    if moment.tzinfo is not None:
        moment = moment.astimezone(china_tz())
    return moment.strftime("%Y-%m-%d %H:%M")


def cursors(query: Mapping[str, str]) -> dict[str, Cursor | None]:
    """Which page a list link asks for: ``after`` (the next, older page) or ``before`` (the
    previous, newer one), as keyword arguments for ``Store.find``."""
    return {"after": Cursor.parse(query.get("after")), "before": Cursor.parse(query.get("before"))}


def page_number(text: str | None) -> int:
    """The page number shown, carried in the links (1 when missing or not a number)."""
    try:
        return min(max(1, int(text or "1")), 10**9)
    except ValueError:
        return 1


def pager(query: Mapping[str, str], page: Page) -> dict[str, Any]:
    """The pager of a list: the number of the page shown and the query strings of the
    previous and next pages (keyset links: ``before`` / ``after`` a row), or None."""
    kept = {k: v for k, v in query.items() if v and k not in ("page", "after", "before")}
    number = page_number(query.get("page")) if (query.get("after") or query.get("before")) else 1
    if page.previous is None:
        number = 1
    return {
        "page": number,
        "previous": urlencode({**kept, "before": page.previous.token(), "page": number - 1})
        if page.previous
        else None,
        "next": urlencode({**kept, "after": page.next.token(), "page": number + 1}) if page.next else None,
    }
