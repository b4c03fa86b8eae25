"""The blob stores of uploaded files: a folder (embedded) and PostgreSQL, one interface."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from forms_api.storage.blobs import CHUNK, Blobs, Directory
from tests.api import pdf


def blobs_of(engine: Any, tmp_path: Path) -> Blobs:
    if engine.url is None:
        return Directory(tmp_path / "uploads")
    from forms_api.storage.postgres.blobs import DatabaseBlobs

    return DatabaseBlobs(engine.url)


def test_a_file_of_several_chunks_goes_in_and_comes_out_a_chunk_at_a_time(
    engine: Any, tmp_path: Path
) -> None:
    blobs = blobs_of(engine, tmp_path)
    try:
        data = pdf(int(3.5 * CHUNK))
        stored = blobs.save(data)
        assert stored.type == "pdf" and stored.size == len(data)
        assert stored.sha256 == hashlib.sha256(data).hexdigest()
        chunks = list(blobs.read(stored.stored_name))
        assert [len(c) for c in chunks] == [CHUNK, CHUNK, CHUNK, len(data) - 3 * CHUNK]
        assert b"".join(chunks) == data
        small = blobs.save(pdf())
        assert sorted(blobs.names()) == sorted([stored.stored_name, small.stored_name])
        blobs.remove(stored)
        assert list(blobs.names()) == [small.stored_name]
        with pytest.raises(FileNotFoundError):
            list(blobs.read(stored.stored_name))
        with pytest.raises(ValueError):
            blobs.save(b"not a document at all")  # only checked content is stored
        assert list(blobs.names()) == [small.stored_name]
    finally:
        blobs.close()


def test_only_generated_names_are_accepted(engine: Any, tmp_path: Path) -> None:
    from forms_api.storage.uploads import StoredFile

    blobs = blobs_of(engine, tmp_path)
    try:
        with pytest.raises(ValueError):
            blobs.write(StoredFile("../../etc/passwd", 1, "0" * 64, "pdf"), [b"x"])
    finally:
        blobs.close()
