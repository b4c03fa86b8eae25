"""The service under load and under a crash: every acknowledged submission is kept, once."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from forms_api.storage.embedded.store import CHECKPOINT_RECORDS
from tests.api import consultation
from tests.conftest import ROOT, SAMPLE_CATALOG, start_service


def count_stored(data_dir: Path, kind: str) -> int:
    """How many records of ``kind`` the embedded store in ``data_dir`` holds (server stopped)."""
    from forms_api.storage.embedded import Store
    from tests.test_store import run

    async def count() -> int:
        store = Store(data_dir / "store")
        try:
            return await store.count(kind)
        finally:
            await store.close()

    return run(count())


def post_json(base: str, path: str, values: dict, timeout: float = 10) -> tuple[int, dict]:
    request = urllib.request.Request(
        base + path.lstrip("/"),
        data=json.dumps(values).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def get_json(base: str, path: str) -> tuple[int, dict]:
    request = urllib.request.Request(base + path.lstrip("/"), headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def server_process(
    site_dir: Path, data_dir: Path, port: int, *options: str, **environment: str
) -> Iterator[subprocess.Popen]:
    """``ipps serve`` in its own process, as an operator runs it (``options`` such as
    ``--workers 2``; ``environment``: more ``IPPS_*`` settings). What it prints goes to files
    beside the data folder (``process.log``: its log lines), never to a pipe nobody reads: a
    full pipe would block the server at its next log line."""
    log = data_dir.parent / f"serve-{port}-{time.monotonic_ns()}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    out = log.open("wb")
    environ = {
        **os.environ,
        "IPPS_DATA_DIR": str(data_dir),
        "IPPS_CATALOG_DIR": str(SAMPLE_CATALOG),
        "IPPS_RATE_LIMIT": "0",
        **environment,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "forms_api.cli",
            "serve",
            "--port",
            str(port),
            "--site-dir",
            str(site_dir),
            *options,
        ],
        cwd=ROOT,
        env=environ,
        stdout=out,
        stderr=out,
        start_new_session=True,  # kill -9 of the group takes every worker with it
    )
    out.close()
    process.log = log  # type: ignore[attr-defined]
    base = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while True:
        with contextlib.suppress(OSError):
            if get_json(base, "api/health")[0] == 200:
                break
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"ipps serve did not start: {log.read_text(errors='replace')}")
        time.sleep(0.1)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


def test_parallel_submissions_are_all_stored_with_unique_receipts(built_site, tmp_path) -> None:
    base, server, thread = start_service(built_site, tmp_path / "data", rate_limit="0")
    try:
        with ThreadPoolExecutor(max_workers=24) as pool:
            answers = list(
                pool.map(
                    lambda i: post_json(base, "api/consultations", consultation(subject=f"问题{i}")),
                    range(300),
                )
            )
        assert [status for status, _ in answers] == [201] * 300
        receipts = [body["receipt_no"] for _, body in answers]
        assert len(set(receipts)) == 300
        for _, body in answers[::25]:
            status, view = get_json(base, f"api/lookup/{body['receipt_no']}?code={body['lookup_code']}")
            assert status == 200 and view["receipt_no"] == body["receipt_no"]
    finally:
        server.should_exit = True
        thread.join(timeout=15)
    assert count_stored(tmp_path / "data", "consultation") == 300


def test_every_acknowledged_receipt_survives_kill_9(built_site, tmp_path) -> None:
    data_dir = tmp_path / "data"
    port = free_port()
    acknowledged: list[dict] = []
    lock = threading.Lock()
    stop = threading.Event()

    def submit_until_stopped(worker: int) -> None:
        number = 0
        while not stop.is_set():
            number += 1
            try:
                status, body = post_json(
                    base, "api/consultations", consultation(subject=f"{worker}-{number}"), 5
                )
            except (OSError, http.client.HTTPException):
                return  # the server is gone (an answer cut off by the kill acknowledged nothing)
            if status == 201:
                with lock:
                    acknowledged.append(body | {"subject": f"{worker}-{number}"})

    base = f"http://127.0.0.1:{port}/"
    with server_process(built_site, data_dir, port) as process:
        workers = [threading.Thread(target=submit_until_stopped, args=(w,)) for w in range(8)]
        for worker in workers:
            worker.start()
        while len(acknowledged) < CHECKPOINT_RECORDS + 200:  # past the first checkpoint
            time.sleep(0.01)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        stop.set()
        for worker in workers:
            worker.join(timeout=10)
    assert len(acknowledged) >= CHECKPOINT_RECORDS + 200
    assert (data_dir / "store" / "manifest.json").exists(), "the crash came after a checkpoint"

    with server_process(built_site, data_dir, port):
        for receipt in acknowledged:
            status, view = get_json(base, f"api/lookup/{receipt['receipt_no']}?code={receipt['lookup_code']}")
            assert status == 200, receipt
            assert view["subject"] == receipt["subject"]
        status, body = post_json(base, "api/consultations", consultation())
        assert status == 201
        assert body["receipt_no"] not in {r["receipt_no"] for r in acknowledged}
    stored = count_stored(data_dir, "consultation")
    # acknowledged ones, plus at most the few stored whose answer was lost in the kill
    assert len(acknowledged) + 1 <= stored <= len(acknowledged) + 1 + 8
