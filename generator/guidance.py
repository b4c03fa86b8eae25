"""智能导办: walking a guide's decision tree, and what a result means for the answers given.

Every path of answers from the first question is one page of the site
(``guides/<guide>/<choice>/<choice>/``), so the whole guide works without JavaScript. The
catalog's rules (generator/validation/guides.py) make sure a guide has no loop and every choice
leads somewhere, so the walk ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from generator.catalog import Catalog
from generator.feecalc import WorkedExample, worked_example
from generator.schema import Charges, FeeItem, Item, Material
from generator.schema.guides import Guide, GuideChoice, GuideQuestion, GuideResult


@dataclass(frozen=True)
class Answer:
    question: GuideQuestion
    choice: GuideChoice


@dataclass(frozen=True)
class Stop:
    """Where a path of answers has got to: the next question, or a result."""

    slug: str
    guide: Guide
    answers: tuple[Answer, ...]
    question: GuideQuestion | None = None
    result: GuideResult | None = None

    @property
    def chosen(self) -> frozenset[str]:
        return frozenset(a.choice.id for a in self.answers)

    def path(self, upto: int | None = None) -> tuple[str, ...]:
        return tuple(a.choice.id for a in self.answers[:upto])


def nodes(guide: Guide) -> dict[str, GuideQuestion | GuideResult]:
    return {**{q.id: q for q in guide.questions}, **{r.id: r for r in guide.results}}


def walk(slug: str, guide: Guide) -> Iterator[Stop]:
    """Every stop of the guide, depth first, the first question first."""
    by_id = nodes(guide)

    def visit(node_id: str, answers: tuple[Answer, ...]) -> Iterator[Stop]:
        node = by_id[node_id]
        if isinstance(node, GuideResult):
            yield Stop(slug, guide, answers, result=node)
            return
        yield Stop(slug, guide, answers, question=node)
        for choice in node.choices:
            yield from visit(choice.next, (*answers, Answer(node, choice)))

    yield from visit(guide.start, ())


@dataclass(frozen=True)
class NeededMaterial:
    item_slug: str
    item: Item
    material: Material


def needed_materials(catalog: Catalog, stop: Stop) -> list[NeededMaterial]:
    """The materials this applicant needs: the result's list, kept where its answers say so;
    without a list, every required material of the result's items."""
    assert stop.result is not None
    result, chosen = stop.result, stop.chosen
    if not result.materials:
        return [
            NeededMaterial(slug, catalog.items[slug], material)
            for slug in result.items
            for material in catalog.items[slug].materials
            if material.required
        ]
    needed = []
    for entry in result.materials:
        if entry.when and not chosen.intersection(entry.when):
            continue
        item = catalog.items[entry.item]
        material = next(m for m in item.materials if m.id == entry.material)
        needed.append(NeededMaterial(entry.item, item, material))
    return needed


def applicable_reduction(stop: Stop) -> str | None:
    """The reduction the answers qualify for: the first fee entry whose answers were chosen
    (or that names none)."""
    assert stop.result is not None
    for entry in stop.result.fees:
        if not entry.when or stop.chosen.intersection(entry.when):
            return entry.reduction
    return None


def worked_fee(catalog: Catalog, stop: Stop) -> WorkedExample | None:
    """What this applicant pays for the result, with the reduction the answers qualify for."""
    assert stop.result is not None
    lines = [
        FeeItem(**line.model_dump(exclude={"when"}))
        for line in stop.result.charges
        if not line.when or stop.chosen.intersection(line.when)
    ]
    if not lines:
        return None
    charges = Charges(free=False, items=lines, reduction=applicable_reduction(stop))
    return worked_example(catalog, charges)
