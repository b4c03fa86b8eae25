"""Numbered places that at most one holder has at a time, safe across workers and hosts.

A limited resource (the places of an appointment slot, the seats of a lecture, a person's one
active booking for an item) is a set of names; holding one means a record stored with the
unique key :func:`held` of its current *round*. The store refuses a second record with the
same key, so of two writes racing for a place exactly one gets it, on either engine.
Giving a place back stores the marker :func:`freed` of that round (in the same write as the
change that frees it); the next holder takes the following round. The round of a place is
found by looking the markers up (:func:`round_of`): a place is freed a few times at most.
"""

from __future__ import annotations

from forms_api.storage.embedded import Insert

FREED_KIND = "freed"


def held(name: str, round_: int) -> str:
    return f"place:{name}:{round_}"


def freed(name: str, round_: int) -> str:
    return f"freed:{name}:{round_}"


def is_place(key: object) -> bool:
    """Whether a refused key (``KeyError.args[0]``) is a place's."""
    return str(key).startswith("place:")


def name_of(key: object) -> str:
    """The place a refused key is of (``place:<name>:<round>`` -> ``<name>``), or ""."""
    return str(key).removeprefix("place:").rsplit(":", 1)[0] if is_place(key) else ""


async def round_of(store: object, name: str) -> int:
    """How many times ``name`` has been freed: the round its next holder takes."""
    n = 0
    while await store.contains(freed(name, n)):  # type: ignore[attr-defined]
        n += 1
    return n


def freeing(name: str, round_: int, at: str) -> Insert:
    """The marker that gives ``name`` back after ``round_``, to write with the change."""
    return Insert(FREED_KIND, freed(name, round_), {"kind": FREED_KIND, "at": at})
