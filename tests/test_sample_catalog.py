"""The sample catalog is complete and realistic enough to publish as it stands."""

from __future__ import annotations

from decimal import Decimal

from generator.catalog import Catalog
from generator.schema.tables import SUBJECTS
from tests.conftest import SAMPLE_CATALOG


def test_at_least_30_items(catalog: Catalog) -> None:
    assert len(catalog.items) >= 30


def test_every_subject_is_covered(catalog: Catalog) -> None:
    covered = {s for item in catalog.items.values() for s in item.subjects}
    assert covered == set(SUBJECTS.entries)


def test_directories_are_complete_and_used(catalog: Catalog) -> None:
    basic, value_added = catalog.directories["basic"], catalog.directories["value-added"]
    assert [e.seq for e in basic.entries] == list(range(1, 11))
    assert [e.seq for e in value_added.entries] == list(range(1, 13))
    used = {item.category for item in catalog.items.values()}
    assert {e.id for e in basic.entries + value_added.entries} <= used


def test_fee_figures_match_the_official_schedule(catalog: Catalog) -> None:
    def amount(ref: str) -> Decimal | None:
        found = catalog.fee(ref)
        assert found, ref
        return found[1].amount

    assert amount("cnipa-patent/invention-application") == 900
    assert amount("cnipa-patent/substantive-examination") == 2500
    assert amount("cnipa-trademark/registration") == 300
    assert catalog.fee("cnipa-trademark/registration")[1].online_amount == 270
    annual = catalog.fee("cnipa-patent/invention-annual")[1]
    assert [(t.start, t.end, t.amount) for t in annual.tiers][-1] == (16, 20, 8000)
    reductions = {r.id: r.percent_off for r in catalog.fee_standards["cnipa-patent"].reductions}
    assert reductions == {"individual-85": 85, "joint-70": 70}


def test_themes_assets_and_standards(catalog: Catalog) -> None:
    assert len(catalog.themes) >= 4
    assert len(catalog.assets) >= 5
    codes = {s.code for s in catalog.standards.followed}
    assert {"GB/T 37286", "GB/T 40756-2021", "GB/T 39554.1-2020"} <= {
        c.split("-20")[0] if c.startswith("GB/T 37286") else c for c in codes
    }


def test_status_variety(catalog: Catalog) -> None:
    states = {item.status.state for item in catalog.items.values()}
    assert states == {"在用", "暂停", "取消"}


def test_software_copyright_aliases(catalog: Catalog) -> None:
    item = catalog.items["software-copyright-guidance"]
    assert {"软著", "软件著作权登记"} <= set(item.aliases)


def test_no_placeholder_text() -> None:
    for path in SAMPLE_CATALOG.rglob("*.yml"):
        text = path.read_text(encoding="utf-8")
        for placeholder in ("示例1", "示例2", "lorem", "TODO", "待补充", "XXX"):
            assert placeholder not in text, f"{placeholder} in {path}"
