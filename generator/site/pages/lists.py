"""The service item list (annex A) and the implementation list (annex B).

Each list is split into pages of ``PER_PAGE`` rows, so that no page grows with the catalog.
The filters (客体, 对象, 性质, 部门) work on the whole list: with JavaScript, the page loads
``data/list-index.json`` and shows the matching rows; without it, the classification pages
linked under the filters list the same items.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from generator.schema.tables import NATURES, SERVICE_OBJECTS, SUBJECTS

from .. import urls
from ..columns import ANNEX_A, ANNEX_B, Column
from ..page import SitePage, paginate
from ..site import Listed, Site

PER_PAGE = 100

LISTS = (
    (
        urls.ITEMS,
        "服务事项清单",
        ANNEX_A,
        "知识产权公共服务事项清单（T/CIPS 007—2024 附录 A）：事项类别、事项名称、服务对象、服务内容、服务形式和实施部门。",
    ),
    (
        urls.IMPLEMENTATION,
        "服务事项实施清单",
        ANNEX_B,
        "知识产权公共服务事项实施清单（T/CIPS 007—2024 附录 B）：实施部门、流程条件、办理方式、进度要求、材料要求和监督评价。",
    ),
)


def pages(site: Site) -> Iterator[SitePage]:
    facet_options = filters(site)
    for base, title, columns, description in LISTS:
        chunks = paginate(site.listed, PER_PAGE)
        for number, chunk in enumerate(chunks, start=1):
            yield SitePage(
                url=urls.paged(base, number),
                title=title if number == 1 else f"{title}（第 {number} 页）",
                description=description,
                template="list.html",
                context=partial(
                    _context, site, base, title, columns, chunk, number, len(chunks), facet_options
                ),
                in_nav=number == 1,
                searchable=False,
                wide=True,
            )


def _context(
    site: Site,
    base: str,
    title: str,
    columns: tuple[Column, ...],
    chunk: list[Listed],
    number: int,
    total: int,
    facet_options: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "title": title,
        "base": base,
        "columns": columns,
        "rows": [_row(site, entry, columns) for entry in chunk],
        "page_number": number,
        "pages_total": total,
        "total": len(site.listed),
        "filters": facet_options,
    }


def _row(site: Site, entry: Listed, columns: tuple[Column, ...]) -> dict[str, Any]:
    return {
        "entry": entry,
        "cells": {column.key: column.value(site, entry) for column in columns},
        "facets": facets(entry),
    }


def facets(entry: Listed) -> dict[str, str]:
    """The values a row is filtered by, as space-separated tokens."""
    item = entry.item
    return {
        "subject": " ".join(urls.SUBJECT_SLUGS[s] for s in item.subjects),
        "object": " ".join(item.service_objects),
        "nature": urls.NATURE_SLUGS[item.nature],
        "department": " ".join([item.department, *item.co_departments]),
    }


def filters(site: Site) -> list[dict[str, Any]]:
    departments = {d for e in site.listed for d in (e.item.department, *e.item.co_departments)}
    return [
        {
            "key": "subject",
            "label": "服务客体",
            "options": [(urls.SUBJECT_SLUGS[s], s, urls.browse("subject", s)) for s in SUBJECTS.entries],
        },
        {
            "key": "object",
            "label": "服务对象",
            "options": [
                (code, name, urls.browse("object", code)) for code, name in SERVICE_OBJECTS.entries.items()
            ],
        },
        {
            "key": "nature",
            "label": "服务性质",
            "options": [(urls.NATURE_SLUGS[n], n, urls.browse("nature", n)) for n in NATURES.entries],
        },
        {
            "key": "department",
            "label": "实施部门",
            "options": [
                (dept_id, dept.short_name or dept.name, urls.browse("department", dept_id))
                for dept_id, dept in site.catalog.departments.items()
                if dept_id in departments
            ],
        },
    ]


def list_index(site: Site) -> dict[str, Any]:
    """What the list filters load: every listed item with its facets and both annexes' cells."""
    return {
        "annex_a": [column.key for column in ANNEX_A],
        "annex_b": [column.key for column in ANNEX_B],
        "items": [
            {
                "url": urls.item(entry.slug),
                "facets": facets(entry),
                "a": [column.value(site, entry) for column in ANNEX_A],
                "b": [column.value(site, entry) for column in ANNEX_B],
            }
            for entry in site.listed
        ],
    }
