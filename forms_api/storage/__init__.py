"""Storage: where what the service accepts is kept durably.

- :mod:`.embedded` — the embedded store: TinyDB shards behind a group-committed journal;
- :mod:`.uploads` — uploaded materials under generated names, and what type a file really is;
- :mod:`.crypto` — personal data encrypted at rest, lookup codes as keyed hashes;
- :mod:`.backup` — ``ipps backup`` / ``ipps restore`` and consistent copies of a live store;
- :mod:`.catalog_text` — catalog files the exports write (reviewable YAML, atomic replacement).

The bottom layer of the service but for the settings: it imports nothing else of it.
"""
