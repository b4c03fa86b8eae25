"""Rendering page bodies: one Jinja environment with the site's filters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from jinja2 import BaseLoader, ChoiceLoader, Environment, PackageLoader, PrefixLoader, StrictUndefined

from generator.schema import TimeLimit
from generator.schema import tables as code_tables

from . import urls


def money(amount: Decimal | int | None) -> str:
    if amount is None:
        return "—"
    value = Decimal(amount)
    text = f"{value:.0f}" if value == value.to_integral_value() else f"{value:.2f}"
    return f"{text} 元"


def time_limit(limit: TimeLimit | None) -> str:
    if limit is None:
        return "法律法规未规定"
    if limit.unit == "即办":
        return "即办（当场办结）"
    return f"{limit.value} 个{limit.unit}"


def cn_date(value: dt.date | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return f"{value.year}年{value.month}月{value.day}日"


def label(code: str, table: str) -> str:
    """The meaning of a code in one of the tables of :mod:`generator.schema.tables`."""
    return getattr(code_tables, table).label(code)


def make_environment(prefixed: Mapping[str, BaseLoader] | None = None) -> Environment:
    """The site's environment; ``prefixed`` adds template folders by name prefix (the forms
    service adds its staff console's templates as ``staff/…``)."""
    env = Environment(
        # site pages by name ("item.html"); the forms, shared with the service, as "forms/…"
        loader=ChoiceLoader(
            [
                PackageLoader("generator", "templates/site"),
                PrefixLoader({"forms": PackageLoader("generator", "templates/forms"), **(prefixed or {})}),
            ]
        ),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,  # templates do not change during a build; checking costs a stat per include
    )
    env.filters.update(money=money, limit=time_limit, cn_date=cn_date, label=label)
    env.globals.update(urls=urls, tables=code_tables)
    return env


def render(
    env: Environment, template: str, page_url: str, context: dict[str, Any], *, absolute: bool = False
) -> str:
    """Render a page body; ``href(target)`` gives a link relative to the page.

    Targets are site-root paths (``items/patent-pledge/``); a page ``depth`` folders deep
    reaches the root through ``../`` repeated ``depth`` times, so a link is the two joined.
    With ``absolute`` (pages the forms service answers with, at URLs of its own) links start
    at the root instead.
    """
    prefix = "/" if absolute else "../" * page_url.count("/")

    def href(target: str) -> str:
        if target.startswith(("http:", "https:", "mailto:", "tel:", "#")):
            return target
        return prefix + target or "./"

    return env.get_template(template).render(href=href, page_url=page_url, **context)
