"""What the service asks its store for, as data: both engines answer the same :class:`Query`.

A stored document has a handful of **columns**, the values queries select on: its status,
item, department, the due date of its running clock, the day it was created, a flag, the
record and actor of an audit entry, and the text a search looks in. The store does not know
what they mean: whoever opens it passes a :data:`Indexer`, a function from a document to its
:class:`Columns` (the service's is :func:`forms_api.domain.columns.columns_of`), and the store
computes them every time a document is written, so a value that depends on several fields
(the due date only while the clock runs) is always the one the document implies.

A :class:`Query` names one kind and narrows it by columns; every condition given must hold.
Rows come newest first (the order they were stored in) a page at a time; a page ends with
a :class:`Cursor` for the next one (keyset paging: asking for page 1,000 costs what page 2
costs). Counts (:meth:`tally`) take several queries at once, as a queue page shows them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

TEXT_SEPARATOR = "\x1f"
"""Joins the parts of :attr:`Columns.text`; never in a search (:func:`needle` removes it)."""


@dataclass(frozen=True, slots=True)
class Columns:
    """The values of one document that queries can select on ("" or None: none)."""

    status: str = ""
    item: str = ""
    """The item's implementation code."""
    department: str = ""
    due: dt.date | None = None
    """The due date while a clock runs (an application in hand, an unanswered consultation)."""
    created: str = ""
    """The day the document was created, ``YYYY-MM-DD`` (China time)."""
    flag: bool = False
    """A yes/no mark a queue lists (a consultation marked as a FAQ candidate)."""
    target: str = ""
    """The record an audit entry is about."""
    actor: str = ""
    text: str = ""
    """What a search looks in, upper case, parts joined by :data:`TEXT_SEPARATOR`."""


Indexer = Callable[[Mapping[str, Any]], Columns]
"""A document's columns: computed by the store whenever the document is written."""


def no_columns(document: Mapping[str, Any]) -> Columns:
    """For a store opened only to read documents by key or in bulk (backups, copies)."""
    return Columns()


def needle(text: str) -> str:
    """A search text as it is matched: stripped, upper case, without separators or other
    control characters."""
    return "".join(ch for ch in text if ch >= " ").strip().upper()


@dataclass(frozen=True)
class Query:
    """Documents of ``kind`` for which every condition given holds.

    ``status``, ``items`` and ``departments`` are sets of allowed values (None: any value,
    an empty set: none at all); a due range selects documents with a running clock due in
    it (both ends included); a created range works on the creation day; ``text`` is a part of
    the search text (case ignored).
    """

    kind: str
    status: frozenset[str] | None = None
    items: frozenset[str] | None = None
    departments: frozenset[str] | None = None
    due_from: dt.date | None = None
    due_until: dt.date | None = None
    created_from: dt.date | None = None
    created_until: dt.date | None = None
    flag: bool | None = None
    target: str = ""
    actor: str = ""
    text: str = ""

    def __post_init__(self) -> None:
        for name in ("status", "items", "departments"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, frozenset):
                object.__setattr__(self, name, frozenset(value))
        object.__setattr__(self, "text", needle(self.text))

    @property
    def has_due(self) -> bool:
        return self.due_from is not None or self.due_until is not None

    def narrowed(self, **changes: Any) -> Query:
        """This query with more conditions; sets given for a set condition are intersected."""
        for name in ("status", "items", "departments"):
            if name in changes and changes[name] is not None and getattr(self, name) is not None:
                changes[name] = getattr(self, name) & frozenset(changes[name])
        return replace(self, **changes)

    def matches(self, columns: Columns) -> bool:
        """Whether a document with ``columns`` is selected (the reference both engines follow)."""
        if self.status is not None and columns.status not in self.status:
            return False
        if self.items is not None and columns.item not in self.items:
            return False
        if self.departments is not None and columns.department not in self.departments:
            return False
        if self.has_due:
            if columns.due is None:
                return False
            if self.due_from is not None and columns.due < self.due_from:
                return False
            if self.due_until is not None and columns.due > self.due_until:
                return False
        if self.created_from is not None and columns.created < self.created_from.isoformat():
            return False
        if self.created_until is not None and columns.created > self.created_until.isoformat():
            return False
        if self.flag is not None and columns.flag != self.flag:
            return False
        if self.target and columns.target != self.target:
            return False
        if self.actor and columns.actor != self.actor:
            return False
        return not self.text or self.text in columns.text


@dataclass(frozen=True)
class Cursor:
    """Where a page ended (or began): the position of its last (first) row in store order."""

    position: int

    def token(self) -> str:
        return str(self.position)

    @classmethod
    def parse(cls, token: str | None) -> Cursor | None:
        """The cursor of a ``token`` from a link, or None for a missing or unusable one."""
        if not token or not token.isdigit() or len(token) > 18:
            return None
        return cls(int(token))


@dataclass(frozen=True)
class Page:
    """One page of documents (copies), newest first, and the cursors around it."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    next: Cursor | None = None
    """Where the next (older) page starts; None on the last page."""
    previous: Cursor | None = None
    """Where the previous (newer) page ends; None on the first page."""


Select = Callable[[int, "int | None", "int | None"], Awaitable[list[tuple[int, dict[str, Any]]]]]
"""An engine's primitive: ``(limit, below, above)`` -> up to ``limit`` ``(position, document)``
pairs, newest first below ``below`` (all when None) or oldest first above ``above``."""


async def page_of(select: Select, limit: int, after: Cursor | None, before: Cursor | None) -> Page:
    """The page :meth:`find` answers, from an engine's :data:`Select`: the first page, the one
    after ``after`` (older) or the one before ``before`` (newer; the first page once fewer
    than a page are newer), with the cursors of the pages around it. One rule, both engines."""
    if limit < 1:
        return Page()
    if before is not None:
        found = await select(limit + 1, None, before.position)
        if len(found) <= limit:  # reached the newest: that is the first page
            return await page_of(select, limit, None, None)
        found = found[:limit][::-1]
        more_before, more_after = True, True
    else:
        found = await select(limit + 1, after.position if after else None, None)
        more_after = len(found) > limit
        found = found[:limit]
        more_before = after is not None and bool(found)
    return Page(
        rows=[document for _, document in found],
        next=Cursor(found[-1][0]) if more_after and found else None,
        previous=Cursor(found[0][0]) if more_before and found else None,
    )
