"""The embedded store: TinyDB, made durable and fast enough for a public service.

TinyDB's own documentation warns that it is not safe for several threads or processes,
rewrites the whole file on every write and gives no atomicity; a plain TinyDB insert into
one JSON file was measured at 4.9 ms with 1,000 records and 19.3 ms with 5,000, growing
linearly. This package answers each of those:

One writer
    Only the writer thread (:class:`~forms_api.storage.embedded.writer.Writer`) changes the store. A
    request hands it a change and awaits the result; the process holds an exclusive lock on
    the data directory, so a second process cannot open the same store.

Durable before acknowledged, without rewriting files
    A change is first appended to a journal (``journal/<n>.log``): one length- and
    checksum-framed JSON record per change. The writer takes every change waiting at that
    moment, appends them all and calls ``fsync`` once (group commit), and only then applies
    them and answers the requests: an acknowledged receipt number has reached the disk and
    survives ``kill -9`` and power loss (as far as the disk honours ``fsync``).

Cost that does not grow with the number stored
    Documents live in TinyDB tables of at most ``SHARD_SIZE`` documents (shards); a new shard
    starts when the current one is full, so an insert touches one small table whatever the
    total. An index from receipt number to shard, rebuilt at start, finds any document.

No corruption after a crash
    Shards are written to disk only at checkpoints, each one to a temporary file that is
    fsynced and then renamed over the old one (atomic on POSIX), after which the directory
    is fsynced; the manifest, naming the last journal record the shards contain, is
    replaced the same way, and older journal files are then deleted. At start, the store
    loads the shards and replays the journal records after the manifest's; a record cut
    short by a crash (it was never acknowledged) fails its length or checksum and is
    dropped with everything after it.

Checkpoints that do not stall requests
    A checkpoint starts when the journal holds ``CHECKPOINT_RECORDS`` changes. The writer
    opens a new journal file first, so requests keep committing to it while the dirty
    shards are serialised one at a time on the event loop (yielding between shards) and
    written by the writer between group commits; then the manifest is replaced and the
    journal files it covers are deleted. A checkpoint that fails leaves the journal in
    place, and the next one tries again.

Garbage collection that does not grow with the store
    Every stored document is a tree of Python objects, and a full collection walks them
    all. With ``freeze_gc`` (the service sets it) the loaded documents are moved to the
    permanent generation after start and after each checkpoint, so collections only walk
    what is new since (figures: benchmarks/README.md).
"""

from .store import Insert, Store, StoreLocked

__all__ = ["Insert", "Store", "StoreLocked"]
