"""The writer thread: appends changes to the journal in batches, one fsync per batch."""

from __future__ import annotations

import collections
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .journal import Journal
from .shards import write_atomically

BATCH_LIMIT = 1024
"""Most changes committed by one fsync."""

_EMPTY = object()


@dataclass
class Commit:
    """A change to append, already encoded (see :func:`~forms_api.storage.embedded.journal.encode`);
    ``done`` is called (from the writer thread) after the fsync, with the error if the write
    failed."""

    frame: bytes
    done: Callable[[BaseException | None], None]


@dataclass
class Checkpoint:
    """A new journal file starting at ``next_seq``; shard files to write (already serialized),
    then the manifest naming ``seq`` as the last journal record they all contain."""

    files: list[tuple[Path, bytes]]
    manifest: Path
    manifest_data: bytes
    seq: int
    next_seq: int
    done: Callable[[BaseException | None], None] = field(default=lambda error: None)


class Writer:
    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self._queue: queue.Queue[Commit | Checkpoint | None] = queue.Queue()
        self._backlog: collections.deque[Commit | Checkpoint | None] = collections.deque()
        """Jobs taken from the queue ahead of their turn, to be run next."""
        self._segments: list[tuple[int, Path]] = []
        self._thread = threading.Thread(target=self._run, name="ipps-store-writer", daemon=True)

    def start(self, next_seq: int) -> None:
        self.journal.open_segment(next_seq)
        assert self.journal.current is not None
        self._segments = [(next_seq, self.journal.current)]
        self._thread.start()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def submit(self, job: Commit | Checkpoint) -> None:
        self._queue.put(job)

    def stop(self) -> None:
        """Finish the queued jobs, then stop."""
        self._queue.put(None)
        self._thread.join()
        self.journal.close()

    def _run(self) -> None:
        while True:
            job = self._next(block=True)
            if job is None:
                return
            if isinstance(job, Checkpoint):
                self._checkpoint(job)
            else:
                self._commit(self._batch(job))

    def _next(self, *, block: bool) -> Commit | Checkpoint | object | None:
        """The next job (``None``: stop), or ``_EMPTY`` when not blocking and none waits."""
        if self._backlog:
            return self._backlog.popleft()
        if block:
            return self._queue.get()
        try:
            return self._queue.get_nowait()
        except queue.Empty:
            return _EMPTY

    def _batch(self, first: Commit) -> list[Commit]:
        """``first`` and the commits waiting right behind it, for one fsync."""
        batch = [first]
        while len(batch) < BATCH_LIMIT:
            more = self._next(block=False)
            if not isinstance(more, Commit):
                if more is not _EMPTY:
                    self._backlog.appendleft(more)  # a checkpoint or stop: after this batch
                break
            batch.append(more)
        return batch

    def _commit_waiting(self) -> None:
        """Commit the changes that arrived meanwhile (a checkpoint does this between files)."""
        more = self._next(block=False)
        if isinstance(more, Commit):
            self._commit(self._batch(more))
        elif more is not _EMPTY:
            self._backlog.appendleft(more)

    def _commit(self, batch: list[Commit]) -> None:
        try:
            self.journal.append([commit.frame for commit in batch])
        except BaseException as error:  # the disk refused: nothing of the batch is acknowledged
            for commit in batch:
                commit.done(error)
            return
        for commit in batch:
            commit.done(None)

    def _checkpoint(self, job: Checkpoint) -> None:
        """Start the journal file for the changes after the checkpoint, write the shards and
        the manifest, then delete the journal files the shards now cover.

        Changes keep being committed (to the new file) between shard files, so that a
        checkpoint never holds up submissions for longer than one file takes to write.
        """
        try:
            self.journal.open_segment(job.next_seq)
            assert self.journal.current is not None
            self._segments.append((job.next_seq, self.journal.current))
            for path, data in job.files:
                self._commit_waiting()
                write_atomically(path, data)
            self._commit_waiting()
            write_atomically(job.manifest, job.manifest_data)
            # A journal file can go once every record in it is in the shards: its successor
            # starts no later than the record after the checkpoint.
            keep = [seg for i, seg in enumerate(self._segments) if not self._covered(i, job.seq)]
            if keep and keep[0][1] != self._segments[0][1]:
                self.journal.drop_before(keep[0][1])
            self._segments = keep
        except BaseException as error:  # the journal still holds everything: retry next time
            job.done(error)
            return
        job.done(None)

    def _covered(self, index: int, seq: int) -> bool:
        if index + 1 >= len(self._segments):
            return False
        return self._segments[index + 1][0] <= seq + 1
