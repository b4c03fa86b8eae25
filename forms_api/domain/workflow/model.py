"""The workflow's values: who acts, what it needs of an item, what an action changes, refusals."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from generator.schema import Item, TimeLimit


class Refused(Exception):
    """The action is not possible on this record now; ``message`` says why, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Actor:
    """Who acts: a staff member (role, departments) or the applicant (role ``applicant``)."""

    name: str
    role: str
    departments: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ItemRules:
    """What the workflow needs of an application's item: its time limit, departments, materials."""

    limit: TimeLimit
    department: str
    co_departments: tuple[str, ...] = ()
    materials: Mapping[str, str] = field(default_factory=dict)
    """material id -> name"""

    @classmethod
    def of(cls, item: Item) -> ItemRules:
        return cls(
            limit=item.promised_time_limit,
            department=item.department,
            co_departments=tuple(item.co_departments),
            materials={m.id: m.name for m in item.materials},
        )

    @property
    def departments(self) -> frozenset[str]:
        return frozenset((self.department, *self.co_departments))

    @property
    def instant(self) -> bool:
        """即办件: the promised limit is 即办, so accepting and completing may be one step."""
        return self.limit.unit == "即办"


@dataclass(frozen=True)
class Outcome:
    """Fields to set on the record and the timeline event to append."""

    changes: dict[str, Any]
    event: dict[str, Any]

    def applied_to(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """A new record with the changes and the event (``record`` is left as it was)."""
        return {**record, **self.changes, "timeline": [*record.get("timeline", []), self.event]}
