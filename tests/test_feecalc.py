"""Fee arithmetic: tier boundaries, online amounts, reductions and their rounding."""

from __future__ import annotations

from decimal import Decimal

import pytest

from generator import feecalc
from generator.catalog import Catalog
from generator.schema import Fee, FeeStandard, Reduction


@pytest.fixture(scope="module")
def patent(catalog: Catalog) -> FeeStandard:
    return catalog.fee_standards["cnipa-patent"]


def fee(standard: FeeStandard, fee_id: str) -> Fee:
    found = standard.fee(fee_id)
    assert found is not None, fee_id
    return found


def reduction(percent_off: int) -> Reduction:
    return Reduction(id="test", name="测试", percent_off=percent_off, applies_to=["x"], conditions="测试")


# --- tiered amounts -------------------------------------------------------------------------


def test_description_pages_across_the_300_page_boundary(patent: FeeStandard) -> None:
    description = fee(patent, "description-surcharge")
    # pages 295–300 at 50 yuan, pages 301–305 at 100 yuan
    assert feecalc.amount_for(description, 11, at=295) == Decimal(6 * 50 + 5 * 100)
    assert feecalc.unit_amount(description, 300) == Decimal(50)
    assert feecalc.unit_amount(description, 301) == Decimal(100)
    assert feecalc.unit_amount(description, 10_000) == Decimal(100)  # the last band is open-ended


def test_description_pages_up_to_30_cost_nothing(patent: FeeStandard) -> None:
    description = fee(patent, "description-surcharge")
    assert feecalc.amount_for(description, 30) == 0
    assert feecalc.amount_for(description, 32) == Decimal(2 * 50)  # pages 31 and 32


def test_claims_1_to_10_cost_nothing_extra(patent: FeeStandard) -> None:
    claims = fee(patent, "claims-surcharge")
    assert feecalc.amount_for(claims, 10) == 0
    assert feecalc.unit_amount(claims, 10) == 0
    assert feecalc.unit_amount(claims, 11) == Decimal(150)
    assert feecalc.amount_for(claims, 12) == Decimal(2 * 150)  # claims 11 and 12
    assert feecalc.amount_for(claims, 5, at=9) == Decimal(3 * 150)  # claims 9–13


def test_annual_fee_by_year_of_protection(patent: FeeStandard) -> None:
    annual = fee(patent, "invention-annual")
    expected = {1: 900, 3: 900, 4: 1200, 6: 1200, 7: 2000, 10: 4000, 13: 6000, 16: 8000, 20: 8000}
    for year, amount in expected.items():
        assert feecalc.unit_amount(annual, year) == Decimal(amount), year
    assert feecalc.amount_for(annual, 4, at=3) == Decimal(900 + 3 * 1200)  # years 3–6


def test_a_tiered_fee_needs_the_unit(patent: FeeStandard) -> None:
    with pytest.raises(ValueError, match="invention-annual"):
        feecalc.unit_amount(fee(patent, "invention-annual"))


def test_online_amounts(catalog: Catalog) -> None:
    trademark = catalog.fee_standards["cnipa-trademark"]
    registration = fee(trademark, "registration")
    assert feecalc.amount_for(registration, 1) == Decimal(300)
    assert feecalc.amount_for(registration, 1, online=True) == Decimal(270)
    assert feecalc.amount_for(fee(trademark, "excess-items"), 2, online=True) == Decimal(54)
    # a fee without an online amount costs the same online
    assert feecalc.amount_for(fee(trademark, "renewal"), 1, online=True) == Decimal(1000)


# --- reductions -------------------------------------------------------------------------------


def test_reductions_leave_the_rest_to_pay() -> None:
    assert feecalc.reduced(Decimal(900), reduction(85)) == Decimal("135.00")
    assert feecalc.reduced(Decimal(900), reduction(70)) == Decimal("270.00")
    assert feecalc.reduced(Decimal(2500), reduction(85)) == Decimal("375.00")
    assert feecalc.reduced(Decimal(500), reduction(100)) == 0


def test_reductions_round_to_the_fen_half_up() -> None:
    assert feecalc.reduced(Decimal("0.70"), reduction(85)) == Decimal("0.11")  # 0.105: half up, not to even
    assert feecalc.reduced(Decimal("0.33"), reduction(85)) == Decimal("0.05")  # 0.0495
    assert feecalc.reduced(Decimal("33.33"), reduction(70)) == Decimal("10.00")  # 9.999
    assert feecalc.reduced(Decimal(1), reduction(85)).as_tuple().exponent == -2


def test_reduction_example_covers_every_fee_at_its_first_tier(patent: FeeStandard) -> None:
    for found in patent.reductions:
        example = feecalc.reduction_example(patent, found)
        assert [line.fee.id for line in example.lines] == found.applies_to
        assert example.percent_paid == 100 - found.percent_off
        for line in example.lines:
            assert line.payable == feecalc.reduced(line.amount, found)
            assert line.saved == line.amount - line.payable
            if line.fee.tiers:
                first = line.fee.tiers[0]
                assert (
                    line.band is not None and line.band.start == first.start and line.amount == first.amount
                )
            else:
                assert line.band is None and line.amount == line.fee.amount
    individual = feecalc.reduction_example(patent, patent.reductions[0])
    lines = {line.fee.id: line for line in individual.lines}
    assert (lines["invention-application"].amount, lines["invention-application"].payable) == (900, 135)
    annual = lines["invention-annual"]
    assert annual.band is not None and annual.band.span == "第 1—3 年"
    assert (annual.amount, annual.payable) == (900, 135)


def test_worked_example_of_an_item(catalog: Catalog) -> None:
    example = feecalc.worked_example(catalog, catalog.items["patent-application-guidance"].fees)
    assert example is not None and example.reduction is not None
    assert example.total == 900 + 50 + 2500
    assert example.payable == 135 + 50 + 375  # the publication printing fee is not reduced
    assert feecalc.worked_example(catalog, catalog.items["patent-pledge"].fees) is None


# --- describing tiers -------------------------------------------------------------------------


def spans(found: Fee) -> list[tuple[str, Decimal]]:
    return [(band.span, band.amount) for band in feecalc.bands(found)]


def test_bands_of_the_sample_fees(patent: FeeStandard) -> None:
    assert spans(fee(patent, "invention-annual")) == [
        ("第 1—3 年", 900),
        ("第 4—6 年", 1200),
        ("第 7—9 年", 2000),
        ("第 10—12 年", 4000),
        ("第 13—15 年", 6000),
        ("第 16—20 年", 8000),
    ]
    assert spans(fee(patent, "description-surcharge")) == [
        ("第 1—30 页", 0),
        ("第 31—300 页", 50),
        ("第 301 页起", 100),
    ]
    assert spans(fee(patent, "claims-surcharge")) == [("第 1—10 项", 0), ("第 11 项起", 150)]
    assert feecalc.bands(fee(patent, "invention-application")) == []


def test_bands_fill_gaps_and_agree_with_unit_amount() -> None:
    tiered = Fee(
        id="test",
        name="测试",
        unit="页",
        tiers=[
            {"start": 2, "end": 2, "amount": 10},
            {"start": 5, "end": 6, "amount": 20},
            {"start": 7, "amount": 30},
        ],
    )
    found = feecalc.bands(tiered)
    assert [(b.span, b.amount, b.free) for b in found] == [
        ("第 1 页", 0, True),
        ("第 2 页", 10, False),
        ("第 3—4 页", 0, True),
        ("第 5—6 页", 20, False),
        ("第 7 页起", 30, False),
    ]
    for band in found:
        for unit in range(band.start, (band.end or band.start + 3) + 1):
            assert feecalc.unit_amount(tiered, unit) == band.amount, unit
