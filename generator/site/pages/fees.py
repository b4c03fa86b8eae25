"""The fee standards (T/CIPS 007 8.3.2 d): an index and one page per standard.

A standard's page lists every fee (each row has ``id="fee-<fee id>"``: item pages link there),
the tiered fees as their bands, the reductions with a worked example, and the items whose
fees refer to the standard. That last list is paginated like the other lists: the standard's
own page shows the first ``PER_PAGE`` items, ``fees/<id>/page/<n>/`` the rest, so that no
page grows with the catalog. All amounts come from :mod:`generator.feecalc`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from generator import feecalc
from generator.schema import Fee, FeeStandard, Reduction

from .. import urls
from ..page import Section, SitePage, paginate
from ..site import Listed, Site

PER_PAGE = 100
INDEX_ITEMS = 10
"""How many referring items the index shows per standard (the standard's page lists them all)."""
INDEX_NOTES = 10
"""How many charging items' fee notes the index quotes."""


@dataclass(frozen=True)
class Referral:
    """An item whose fees refer to a standard: which of its fees, and the reduction it uses."""

    entry: Listed
    fees: list[Fee]
    reduction: Reduction | None
    """The standard's reduction the item's worked example uses."""


def referrals(site: Site) -> dict[str, list[Referral]]:
    """For each standard, the listed items that refer to it, in list order."""
    catalog = site.catalog
    found: dict[str, list[Referral]] = defaultdict(list)
    for entry in site.listed:
        charges = entry.item.fees
        fees_of: dict[str, list[Fee]] = {}
        for line in charges.items:
            ref = catalog.fee(line.fee)
            if ref is None:  # references are validated
                continue
            fees = fees_of.setdefault(line.fee.partition("/")[0], [])
            if ref[1] not in fees:
                fees.append(ref[1])
        reduction_of: dict[str, Reduction] = {}
        if charges.reduction and (reduction := catalog.reduction(charges.reduction)):
            standard_id = charges.reduction.partition("/")[0]
            fees_of.setdefault(standard_id, [])
            reduction_of[standard_id] = reduction[1]
        for standard_id, fees in fees_of.items():
            found[standard_id].append(Referral(entry, fees, reduction_of.get(standard_id)))
    return found


def pages(site: Site) -> Iterator[SitePage]:
    referring = referrals(site)
    yield SitePage(
        url=urls.FEES,
        title="收费标准",
        description=f"{site.platform.name}服务事项涉及的收费标准：收费单位、收费依据、生效和核对日期、收费项目及引用它们的事项。",
        template="fees-index.html",
        context=lambda: index_context(site, referring),
        sections=[Section("standards", "收费标准一览"), Section("centre", "本中心是否收费")],
        in_nav=True,
    )
    for standard_id, standard in site.catalog.fee_standards.items():
        yield from standard_pages(site, standard_id, standard, referring.get(standard_id, []))


def standard_pages(
    site: Site, standard_id: str, standard: FeeStandard, referring: list[Referral]
) -> Iterator[SitePage]:
    """The standard's page, then one page per further ``PER_PAGE`` referring items."""
    chunks = paginate(referring, PER_PAGE)
    for number, chunk in enumerate(chunks, start=1):
        first = number == 1
        yield SitePage(
            url=urls.paged(urls.fee_standard(standard_id), number),
            title=standard.name if first else f"{standard.name}：引用本标准的事项（第 {number} 页）",
            description=_description(standard)
            if first
            else f"引用{standard.issuer}《{standard.name}》的服务事项（第 {number} 页）。",
            template="fee-standard.html",
            context=partial(standard_context, site, standard_id, chunk, number, len(chunks), len(referring)),
            sections=_sections(standard) if first else [Section("items", "引用本标准的事项")],
            searchable=first,
        )


def _description(standard: FeeStandard) -> str:
    reductions = "和减缴政策" if standard.reductions else ""
    return (
        f"{standard.issuer}《{standard.name}》：{len(standard.fees)} 个收费项目的金额、计费单位、"
        f"适用条件{reductions}，以及引用本标准的服务事项。"
    )


def _sections(standard: FeeStandard) -> list[Section]:
    found = [Section("basic", "基本信息"), Section("fees", "收费项目")]
    if standard.reductions:
        found.append(Section("reductions", "费用减缴"))
    found.append(Section("items", "引用本标准的事项"))
    return found


def index_context(site: Site, referring: dict[str, list[Referral]]) -> dict[str, Any]:
    charging = [entry for entry in site.listed if not entry.item.fees.free]
    noted = [entry for entry in charging if entry.item.fees.note]
    return {
        "standards": [
            {
                "id": standard_id,
                "standard": standard,
                "referrals": referring.get(standard_id, [])[:INDEX_ITEMS],
                "referral_count": len(referring.get(standard_id, [])),
            }
            for standard_id, standard in site.catalog.fee_standards.items()
        ],
        "listed_count": len(site.listed),
        "free_count": len(site.listed) - len(charging),
        "charging_count": len(charging),
        "notes": noted[:INDEX_NOTES],
        "notes_more": max(len(noted) - INDEX_NOTES, 0),
    }


def standard_context(
    site: Site, standard_id: str, chunk: list[Referral], number: int, pages_total: int, referral_count: int
) -> dict[str, Any]:
    standard = site.catalog.fee_standards[standard_id]
    return {
        "standard_id": standard_id,
        "standard": standard,
        "fees": [{"fee": fee, "bands": feecalc.bands(fee)} for fee in standard.fees],
        "examples": [feecalc.reduction_example(standard, r) for r in standard.reductions]
        if number == 1
        else [],
        "referrals": chunk,
        "referral_count": referral_count,
        "page_number": number,
        "pages_total": pages_total,
    }
