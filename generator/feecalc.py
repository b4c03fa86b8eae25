"""Fee arithmetic: amounts of tiered fees, reductions and worked totals for an item.

Amounts are ``Decimal`` yuan, rounded to the fen (0.01) half up, as fee notices are.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from generator.catalog import Catalog
from generator.schema import Charges, Fee, FeeStandard, Reduction

FEN = Decimal("0.01")


def unit_amount(fee: Fee, at: int | None = None, *, online: bool = False) -> Decimal:
    """The amount of one unit of ``fee``; for a tiered fee, of unit number ``at``."""
    if fee.tiers:
        if at is None:
            raise ValueError(f"{fee.id} is tiered: say which unit")
        for tier in fee.tiers:
            if tier.start <= at and (tier.end is None or at <= tier.end):
                return tier.amount
        return Decimal(0)  # below the first tier: e.g. the first 10 claims cost nothing extra
    if online and fee.online_amount is not None:
        return fee.online_amount
    assert fee.amount is not None
    return fee.amount


def amount_for(fee: Fee, quantity: int, at: int | None = None, *, online: bool = False) -> Decimal:
    """``quantity`` units of ``fee``; for a tiered fee, units ``at`` … ``at + quantity - 1``."""
    if fee.tiers:
        first = at or 1
        return sum((unit_amount(fee, n) for n in range(first, first + quantity)), Decimal(0))
    return unit_amount(fee, online=online) * quantity


def reduced(amount: Decimal, reduction: Reduction) -> Decimal:
    """What is paid after ``reduction`` (85 % off leaves 15 %)."""
    return (amount * (100 - reduction.percent_off) / 100).quantize(FEN, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class FeeLine:
    standard_id: str
    standard: FeeStandard
    fee: Fee
    quantity: int
    at: int | None
    online: bool
    amount: Decimal
    """Before any reduction."""
    payable: Decimal
    """After the example's reduction, when it covers this fee."""
    note: str | None = None
    """When and how this fee is paid, as the item says."""

    @property
    def reduced(self) -> bool:
        return self.payable != self.amount


@dataclass(frozen=True)
class WorkedExample:
    lines: list[FeeLine]
    reduction: Reduction | None
    case: str | None

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))

    @property
    def payable(self) -> Decimal:
        return sum((line.payable for line in self.lines), Decimal(0))


def worked_example(catalog: Catalog, charges: Charges) -> WorkedExample | None:
    """The total an applicant pays in the item's common case, or ``None`` when free."""
    if charges.free or not charges.items:
        return None
    found = catalog.reduction(charges.reduction) if charges.reduction else None
    reduction = found[1] if found else None
    lines = []
    for entry in charges.items:
        standard_id = entry.fee.partition("/")[0]
        standard, fee = catalog.fee(entry.fee)  # type: ignore[misc]  # references are validated
        amount = amount_for(fee, entry.quantity, entry.tier_at, online=entry.online)
        covered = reduction is not None and fee.id in reduction.applies_to and found[0] is standard  # type: ignore[index]
        payable = reduced(amount, reduction) if covered and reduction else amount
        lines.append(
            FeeLine(
                standard_id,
                standard,
                fee,
                entry.quantity,
                entry.tier_at,
                entry.online,
                amount,
                payable,
                entry.note,
            )
        )
    return WorkedExample(lines, reduction, charges.common_case)


# --- Describing fee standards (the fee standard pages) ---------------------------------------


@dataclass(frozen=True)
class Band:
    """A band of a tiered fee as a visitor reads it: units ``start`` … ``end`` at ``amount`` each."""

    start: int
    end: int | None
    """Inclusive; ``None`` for an open-ended last band."""
    amount: Decimal
    """Per unit; 0 for the units the tiers leave out (e.g. the first 10 claims)."""
    unit: str

    @property
    def free(self) -> bool:
        return self.amount == 0

    @property
    def span(self) -> str:
        """Which units: ``第 1—3 年``, ``第 11 项``, ``第 301 页起``."""
        if self.end is None:
            return f"第 {self.start} {self.unit}起"
        if self.end == self.start:
            return f"第 {self.start} {self.unit}"
        return f"第 {self.start}—{self.end} {self.unit}"


def bands(fee: Fee) -> list[Band]:
    """The bands of a tiered fee in order, the units before the first tier and any gap between
    tiers included as free bands (what :func:`unit_amount` charges for them); ``[]`` if not tiered."""
    found: list[Band] = []
    next_unit = 1
    for tier in fee.tiers:
        if tier.start > next_unit:
            found.append(Band(next_unit, tier.start - 1, Decimal(0), fee.unit))
        found.append(Band(tier.start, tier.end, tier.amount, fee.unit))
        if tier.end is None:
            break
        next_unit = tier.end + 1
    return found


@dataclass(frozen=True)
class ReductionLine:
    fee: Fee
    band: Band | None
    """For a tiered fee: the band the example uses (the first tier)."""
    amount: Decimal
    """One unit at the full rate."""
    payable: Decimal
    """One unit after the reduction."""

    @property
    def saved(self) -> Decimal:
        return self.amount - self.payable


@dataclass(frozen=True)
class ReductionExample:
    reduction: Reduction
    lines: list[ReductionLine]

    @property
    def percent_paid(self) -> int:
        """What share of the full rate is paid: 15 for 85 % off."""
        return 100 - self.reduction.percent_off


def reduction_example(standard: FeeStandard, reduction: Reduction) -> ReductionExample:
    """One unit of every fee ``reduction`` covers, at the full rate and reduced; a tiered fee
    is taken at its first tier (e.g. the first years of the annual fee)."""
    lines = []
    for fee_id in reduction.applies_to:
        fee = standard.fee(fee_id)
        if fee is None:  # references are validated; never show a line for a missing fee
            continue
        band = None
        if fee.tiers:
            first = fee.tiers[0]
            band = Band(first.start, first.end, first.amount, fee.unit)
            amount = unit_amount(fee, first.start)
        else:
            amount = unit_amount(fee)
        lines.append(ReductionLine(fee, band, amount, reduced(amount, reduction)))
    return ReductionExample(reduction, lines)
