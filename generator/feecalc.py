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
            FeeLine(standard_id, standard, fee, entry.quantity, entry.tier_at, entry.online, amount, payable)
        )
    return WorkedExample(lines, reduction, charges.common_case)
