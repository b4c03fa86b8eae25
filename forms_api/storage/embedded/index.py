"""Secondary indexes of the embedded store, kept in memory and maintained on every write.

One :class:`KindIndex` per kind holds, by **position** (the order documents of that kind were
stored in, 0 for the first; rebuilt identically at every start, so a page cursor survives a
restart):

- the stored document and its :class:`~forms_api.storage.query.Columns`;
- the positions of each status and of each audit target, ascending;
- the running clocks as ``(due day, position)``, sorted;
- counters per ``(status, item, department, flag)``, and the due days per
  ``(item, department)``, so that a queue's count is a sum over a few hundred counters or a
  binary search, whatever the number stored.

A page is read newest first from the narrowest list that the query allows (a status, a
target, the clocks in a due range when there are few of them, or every position), testing
the other conditions on the columns, and stops when the page is full. What a query costs
therefore depends on the rows it skips, not on the number stored; a search text that
matches nothing looks at every row of its queue (about 10 ms for 100,000 in CPython here).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import heapq
import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..query import Columns, Query

TEXTS_SEPARATOR = "\x1e"
"""Between the texts of two documents (never in a search: :func:`~..query.needle`)."""

SMALL_DUE_RANGE = 5_000
"""Up to this many clocks in a due range, a page collects and sorts them; above, it walks
the positions newest first (most of them will match)."""


class KindIndex:
    def __init__(self) -> None:
        self.documents: list[dict[str, Any]] = []
        self.columns: list[Columns] = []
        self.by_status: dict[str, list[int]] = {}
        self.by_target: dict[str, list[int]] = {}
        self.clocks: list[tuple[int, int]] = []
        self.counts: Counter[tuple[str, str, str, bool]] = Counter()
        self.due_days: dict[tuple[str, str], list[int]] = {}
        self._texts: tuple[str, list[int]] | None = None
        """Every text joined in position order, and where each starts: built when a search
        needs it after a change (a few ms at 100,000), searched with ``str.rfind``."""

    def __len__(self) -> int:
        return len(self.documents)

    # --- maintenance -----------------------------------------------------------------------

    def add(self, document: dict[str, Any], columns: Columns) -> int:
        position = len(self.documents)
        self.documents.append(document)
        self.columns.append(columns)
        self._enter(position, columns)
        return position

    def replace(self, position: int, document: dict[str, Any], columns: Columns) -> None:
        self.documents[position] = document
        old = self.columns[position]
        if old != columns:
            self._leave(position, old)
            self.columns[position] = columns
            self._enter(position, columns)

    def _enter(self, position: int, c: Columns) -> None:
        self._texts = None
        _insort(self.by_status.setdefault(c.status, []), position)
        if c.target:
            _insort(self.by_target.setdefault(c.target, []), position)
        self.counts[(c.status, c.item, c.department, c.flag)] += 1
        if c.due is not None:
            day = c.due.toordinal()
            bisect.insort(self.clocks, (day, position))
            bisect.insort(self.due_days.setdefault((c.item, c.department), []), day)

    def _leave(self, position: int, c: Columns) -> None:
        _remove(self.by_status[c.status], position)
        if c.target:
            _remove(self.by_target[c.target], position)
        key = (c.status, c.item, c.department, c.flag)
        self.counts[key] -= 1
        if not self.counts[key]:
            del self.counts[key]
        if c.due is not None:
            day = c.due.toordinal()
            _remove(self.clocks, (day, position))
            _remove(self.due_days[(c.item, c.department)], day)

    # --- reading ---------------------------------------------------------------------------

    def select(
        self, query: Query, limit: int, *, below: int | None = None, above: int | None = None
    ) -> list[int]:
        """Positions of up to ``limit`` matching documents: newest first below ``below``, or
        oldest first above ``above``."""
        found: list[int] = []
        columns = self.columns
        test = _compile(query)
        for position in self._candidates(query, below, above):
            if test(columns[position]):
                found.append(position)
                if len(found) == limit:
                    break
        return found

    def count(self, query: Query) -> int:
        if not (query.created_from or query.created_until or query.text or query.target or query.actor):
            if not query.has_due:
                return sum(n for key, n in self.counts.items() if _counted(query, *key))
            if query.status is None and query.flag is None:
                low, high = _due_bounds(query)
                return sum(
                    bisect.bisect_right(days, high) - bisect.bisect_left(days, low)
                    for (item, department), days in self.due_days.items()
                    if _in_scope(query, item, department)
                )
        columns, test = self.columns, _compile(query)
        return sum(1 for position in self._candidates(query, None, None) if test(columns[position]))

    def _candidates(self, query: Query, below: int | None, above: int | None) -> Iterator[int]:
        """Positions that may match, in the order asked for, without repeats."""
        if query.target:
            return _walk([self.by_target.get(query.target, [])], below, above)
        if query.text:
            return self._containing(query.text, below, above)
        if query.status is not None:
            return _walk([self.by_status.get(s, []) for s in query.status], below, above)
        if query.has_due:
            low, high = _due_bounds(query)
            start = bisect.bisect_left(self.clocks, (low, -1))
            end = bisect.bisect_right(self.clocks, (high, len(self.documents)))
            if end - start <= SMALL_DUE_RANGE:
                chosen = sorted(position for _, position in self.clocks[start:end])
                return _walk([chosen], below, above)
        if above is not None:
            return iter(range(above + 1, len(self.documents)))
        top = len(self.documents) if below is None else min(below, len(self.documents))
        return iter(range(top - 1, -1, -1))

    def _containing(self, needle: str, below: int | None, above: int | None) -> Iterator[int]:
        """Positions whose text contains ``needle``: newest first below ``below``, or oldest
        first above ``above`` (found in C by ``str.rfind``/``str.find`` over the joined texts)."""
        if self._texts is None:
            starts, offset = [], 0
            for columns in self.columns:
                starts.append(offset)
                offset += len(columns.text) + 1
            self._texts = (TEXTS_SEPARATOR.join(c.text for c in self.columns), starts)
        joined, starts = self._texts
        count = len(starts)
        if above is not None:
            at = starts[above + 1] if above + 1 < count else len(joined)
            while (found := joined.find(needle, at)) != -1:
                position = bisect.bisect_right(starts, found) - 1
                yield position
                at = starts[position + 1] if position + 1 < count else len(joined)
            return
        end = len(joined) if below is None or below >= count else max(starts[below] - 1, 0)
        while end > 0 and (found := joined.rfind(needle, 0, end)) != -1:
            position = bisect.bisect_right(starts, found) - 1
            yield position
            end = starts[position] - 1 if position else 0


def _compile(query: Query) -> Callable[[Columns], bool]:
    """``query.matches`` with only the conditions ``query`` has: a search over 100,000 rows
    tests one thing per row, not a dozen."""
    checks: list[Callable[[Columns], bool]] = []
    if query.status is not None:
        checks.append(lambda c, allowed=query.status: c.status in allowed)
    if query.items is not None:
        checks.append(lambda c, allowed=query.items: c.item in allowed)
    if query.departments is not None:
        checks.append(lambda c, allowed=query.departments: c.department in allowed)
    if query.has_due:
        low = query.due_from or dt.date.min
        high = query.due_until or dt.date.max
        checks.append(lambda c: c.due is not None and low <= c.due <= high)
    if query.created_from is not None:
        first = query.created_from.isoformat()
        checks.append(lambda c: c.created >= first)
    if query.created_until is not None:
        last = query.created_until.isoformat()
        checks.append(lambda c: c.created <= last)
    if query.flag is not None:
        checks.append(lambda c, flag=query.flag: c.flag == flag)
    if query.target:
        checks.append(lambda c, target=query.target: c.target == target)
    if query.actor:
        checks.append(lambda c, actor=query.actor: c.actor == actor)
    if query.text:
        checks.append(lambda c, needle=query.text: needle in c.text)
    if not checks:
        return lambda c: True
    return functools.reduce(_both, checks)


def _both(first: Callable[[Columns], bool], second: Callable[[Columns], bool]) -> Callable[[Columns], bool]:
    return lambda c: first(c) and second(c)


def _walk(lists: list[list[int]], below: int | None, above: int | None) -> Iterator[int]:
    """The positions of sorted ``lists`` merged: descending below ``below`` (all when None),
    or ascending above ``above``."""
    if above is not None:
        parts: list[Iterable[int]] = [
            itertools.islice(positions, bisect.bisect_right(positions, above), None) for positions in lists
        ]
        return iter(parts[0]) if len(parts) == 1 else heapq.merge(*parts)
    parts = [_descending(positions, below) for positions in lists]
    return iter(parts[0]) if len(parts) == 1 else heapq.merge(*parts, reverse=True)


def _descending(positions: list[int], below: int | None) -> Iterator[int]:
    end = len(positions) if below is None else bisect.bisect_left(positions, below)
    for i in range(end - 1, -1, -1):
        yield positions[i]


def _due_bounds(query: Query) -> tuple[int, int]:
    low = query.due_from.toordinal() if query.due_from is not None else 0
    high = query.due_until.toordinal() if query.due_until is not None else 10**7
    return low, high


def _in_scope(query: Query, item: str, department: str) -> bool:
    return (query.items is None or item in query.items) and (
        query.departments is None or department in query.departments
    )


def _counted(query: Query, status: str, item: str, department: str, flag: bool) -> bool:
    return (
        (query.status is None or status in query.status)
        and (query.flag is None or flag == query.flag)
        and _in_scope(query, item, department)
    )


def _insort(values: list[Any], value: Any) -> None:
    if not values or values[-1] < value:  # the usual case: a new document is the newest
        values.append(value)
    else:
        bisect.insort(values, value)


def _remove(values: list[Any], value: Any) -> None:
    at = bisect.bisect_left(values, value)
    if at < len(values) and values[at] == value:
        del values[at]
