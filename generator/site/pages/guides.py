"""智能导办 (T/CIPS 007—2024 E.1.3 线上办事引导, E.4.3 智能导办, E.4.5 问答式引导).

Every guide in ``catalog/guides/`` becomes one page per stop of its decision tree: the first
question at ``guides/<guide>/``, and the page after each path of answers at
``guides/<guide>/<choice>/<choice>/``. Each answer is a plain link to the next page, so a
guide works without JavaScript; with it, site.js loads the next page in place. A result page
names the items, the materials for the answers given and the fee worked out with the
reduction they qualify for, with links to apply, book and ask.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.booking import booking_points
from generator.guidance import Stop, needed_materials, walk, worked_fee

from .. import urls
from ..page import SitePage
from ..site import Site


def pages(site: Site) -> Iterator[SitePage]:
    guides = site.catalog.guides
    if not guides:
        return
    yield SitePage(
        url=urls.GUIDES,
        title="智能导办",
        description="回答几个问题，找到要办理的事项、需要准备的材料和应缴的费用：专利申请与费用减缴、质押登记、侵权维权等。",
        template="guides-index.html",
        context=lambda: {
            "guides": guides,
            "first": {slug: _first(slug, guide) for slug, guide in guides.items()},
        },
        in_nav=True,
        searchable=True,
    )
    for slug, guide in guides.items():
        for stop in walk(slug, guide):
            yield SitePage(
                url=urls.guide(slug, stop.path()),
                title=_title(stop),
                description=f"{guide.title}：{guide.summary}",
                template="guide-step.html",
                context=lambda stop=stop: context(site, stop),
                searchable=not stop.answers,  # search finds the guide once, at its first question
            )


def _first(slug: str, guide: Any) -> Any:
    return next(q for q in guide.questions if q.id == guide.start)


def _title(stop: Stop) -> str:
    """The page title: where the page is and, after answers, which ones (every path its own title)."""
    if not stop.answers:
        return stop.guide.title
    given = "、".join(a.choice.short or a.choice.label for a in stop.answers)
    heading = stop.result.title if stop.result else f"第 {len(stop.answers) + 1} 问：{stop.question.text}"  # type: ignore[union-attr]
    return f"{heading}（{given}）- {stop.guide.title}"


def context(site: Site, stop: Stop) -> dict[str, Any]:
    catalog = site.catalog
    found: dict[str, Any] = {
        "stop": stop,
        "guide": stop.guide,
        "answered": [
            {"answer": answer, "change": urls.guide(stop.slug, stop.path(n))}
            for n, answer in enumerate(stop.answers)
        ],
        "next_url": lambda choice: urls.guide(stop.slug, (*stop.path(), choice.id)),
    }
    if stop.result is not None:
        main = stop.result.items[0]
        found.update(
            items=[(slug, catalog.items[slug]) for slug in stop.result.items],
            main_slug=main,
            main=catalog.items[main],
            bookable=bool(booking_points(catalog, main)),
            materials=needed_materials(catalog, stop),
            fee=worked_fee(catalog, stop),
        )
    return found
