"""One guide page (办事指南) per item, cancelled items included so that no link breaks."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from generator import feecalc, forms
from generator.booking import booking_points
from generator.forms import accepts_applications, takes_consultations
from generator.schema import FaqEntry, Item

from .. import urls
from ..page import Section, SitePage
from ..site import Site
from .results import guide_figures


def pages(site: Site) -> Iterator[SitePage]:
    for slug, item in site.catalog.items.items():
        yield SitePage(
            url=urls.item(slug),
            title=item.name,
            description=_description(item),
            template="item.html",
            context=lambda slug=slug: context(site, slug),
            sections=sections(item, site.handbook_of.get(slug, ())),
        )


def _description(item: Item) -> str:
    state = {"暂停": "（暂停受理）", "取消": "（已取消）"}.get(item.status.state, "")
    return (
        f"{item.name}{state}办事指南：受理条件、申请材料、办理流程、办理时限、收费标准、办理地点和咨询方式。"
    )


def sections(item: Item, handbook: Sequence[FaqEntry] = ()) -> list[Section]:
    """The page's sections; ``handbook``: the item's entries in the 咨询问答手册."""
    found = [
        Section("basic", "基本信息"),
        Section("conditions", "受理条件"),
        Section("materials", "申请材料"),
        Section("process", "办理流程"),
        Section("time-limits", "办理时限"),
        Section("fees", "收费"),
    ]
    if item.result:
        found.append(Section("result", "办理结果"))
    found += [Section("places", "办理地点和时间"), Section("contacts", "咨询与监督")]
    if item.faqs or handbook:
        found.append(Section("faqs", "常见问题"))
    if accepts_applications(item):
        found.append(Section("apply", "在线申请"))
    if takes_consultations(item):
        found.append(Section("consult", "咨询"))
    found.append(Section("versions", "版本与变更记录"))
    return found


def context(site: Site, slug: str) -> dict[str, Any]:
    item = site.item(slug)
    category = site.category(item.category)
    replacement = item.status.replaced_by
    return {
        "slug": slug,
        "item": item,
        "department": site.department(item.department),
        "co_departments": [site.department(d) for d in item.co_departments],
        "category": category,
        "fee_example": feecalc.worked_example(site.catalog, item.fees),
        "related": [(s, site.item(s)) for s in item.related],
        "themes": site.themes_of.get(slug, []),
        "replacement": (replacement, site.item(replacement)) if replacement else None,
        "changes": list(reversed(item.changes)),
        "hours": item.hours,
        "bookable": bool(booking_points(site.catalog, slug)),
        # the forms of the page (generator/templates/forms/), empty
        "forms": forms,
        "application_form": forms.application_form(item) if accepts_applications(item) else None,
        "takes_consultations": takes_consultations(item),
        "handbook": site.handbook_of.get(slug, []),
        # the published 服务评价结果 (catalog/results.yml) for this item, if any
        "evaluation": guide_figures(site, slug),
        "results": site.catalog.results,
    }
