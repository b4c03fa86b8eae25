"""How the console shows stored times and pages of lists to staff (masks: :mod:`forms_api.domain.masking`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from generator.workdays import china_tz


def local_time(timestamp: str | None) -> str:
    """``2026-11-24T10:05:00+08:00`` → ``2026-11-24 10:05`` (China time); empty stays empty."""
    if not timestamp:
        return ""
    moment = dt.datetime.fromisoformat(timestamp)
    if moment.tzinfo is not None:
        moment = moment.astimezone(china_tz())
    return moment.strftime("%Y-%m-%d %H:%M")


def page_number(text: str | None) -> int:
    """The page asked for by ``?page=`` (1 when missing or not a number)."""
    try:
        return max(1, int(text or "1"))
    except ValueError:
        return 1


def pager(query: Mapping[str, str], number: int, found: int, size: int) -> dict[str, Any]:
    """The pager of a list shown ``size`` rows a page, ``found`` rows having been read for page
    ``number`` (one more than it shows when there is a next page): the page and the query
    strings of the previous and next pages, or None."""
    kept = {k: v for k, v in query.items() if v and k != "page"}
    return {
        "page": number,
        "previous": urlencode({**kept, "page": number - 1}) if number > 1 else None,
        "next": urlencode({**kept, "page": number + 1}) if found > number * size else None,
    }
