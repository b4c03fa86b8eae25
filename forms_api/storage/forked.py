"""Heavy reading in a forked child process, so that the server's event loop never waits for it.

A worker *thread* takes the work off the event loop but not off the interpreter: CPython runs
one thread at a time, and a thread writing a 100,000-row workbook for ten seconds holds the
lock so often that public requests queue behind it (measured: a public POST's p99 went from
15 ms to over 100 ms during an export in a thread; benchmarks/README.md). A child made with
``fork()`` runs on the other core with its own interpreter and sees the parent's memory as it
was at that moment, copy on write, as Redis's BGSAVE does: a snapshot of the stored documents
(:meth:`~forms_api.storage.embedded.store.Store.snapshot`) taken just before is exactly what
the child reads, whatever the server writes meanwhile, and nothing is copied or re-read.

The child does only what the function given does (reading the snapshot, writing a file it is
told the path of) and leaves with ``os._exit``: it never touches the event loop, the journal
or the sockets it inherited, and the locks other threads may hold at the fork are never
needed. Its result comes back through a pipe, pickled; an exception comes back as its type
and message (:class:`ChildFailed`).
"""

from __future__ import annotations

import asyncio
import gc
import os
import pickle
import signal
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class ChildFailed(RuntimeError):
    """The work raised in the child; the message is its type, message and where."""


async def run_forked(work: Callable[[], T]) -> T:
    """``work()`` in a forked child; its return value (which must pickle)."""
    loop = asyncio.get_running_loop()
    readable, writable = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        _child(work, readable, writable)
    os.close(writable)
    try:
        data = await loop.run_in_executor(None, _read_all, readable)
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        raise
    finally:
        os.close(readable)
        await loop.run_in_executor(None, os.waitpid, pid, 0)
    if not data:
        raise ChildFailed("子进程未返回结果即退出")
    outcome, value = pickle.loads(data)
    if outcome == "error":
        raise ChildFailed(value)
    return value  # type: ignore[no-any-return]


def _child(work: Callable[[], Any], readable: int, writable: int) -> None:
    status = 0
    try:
        os.close(readable)
        gc.disable()  # collections would touch (and so copy) every page of the parent's objects
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            payload = pickle.dumps(("ok", work()))
        except BaseException as error:
            where = traceback.extract_tb(error.__traceback__)[-1:]
            at = f" ({where[0].filename}:{where[0].lineno})" if where else ""
            payload = pickle.dumps(("error", f"{type(error).__name__}: {error}{at}"))
        view = memoryview(payload)
        while view:
            view = view[os.write(writable, view) :]
    except BaseException:
        status = 1
    finally:
        os._exit(status)


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)
