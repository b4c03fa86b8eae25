"""How the console shows stored times to staff (masks: :mod:`forms_api.masking`)."""

from __future__ import annotations

import datetime as dt

from ..workdays import china_tz


def local_time(timestamp: str | None) -> str:
    """``2026-11-24T10:05:00+08:00`` → ``2026-11-24 10:05`` (China time); empty stays empty."""
    if not timestamp:
        return ""
    moment = dt.datetime.fromisoformat(timestamp)
    if moment.tzinfo is not None:
        moment = moment.astimezone(china_tz())
    return moment.strftime("%Y-%m-%d %H:%M")
