"""Reading every document a query matches, as a list, without holding up the event loop.

``store.snapshot`` answers an iterable: the embedded store's is in memory, PostgreSQL's reads
through a connection of its own as it is iterated. Short lists (a day's appointments, an
event's registrations) are read whole here, in a worker thread.
"""

from __future__ import annotations

from typing import Any

from anyio.to_thread import run_sync

from forms_api.storage.query import Query


async def all_of(store: Any, query: Query, *, newest_first: bool = False) -> list[dict[str, Any]]:
    snapshot = await store.snapshot(query, newest_first=newest_first)
    return await run_sync(lambda: [dict(document) for document in snapshot])
