"""Several workers on one PostgreSQL database, as production runs: ``ipps serve --workers 2``.

What one process used to keep to itself must hold across processes: receipt numbering, the
submission rate limit, failed logins and lockouts, sessions and their CSRF tokens, and every
acknowledged receipt after ``kill -9`` of the whole server.
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx2 as httpx
import psycopg
import pytest

from forms_api.cli.main import main
from tests.api import JSON, consultation, pledge_fields, pledge_files
from tests.conftest import ROOT
from tests.console import soup
from tests.engines import engine_for
from tests.test_api_durability import free_port, get_json, post_json, server_process

CLIENTS, EACH = 50, 50
ALLOWED = 2_000
"""Of the 2,500 submissions from one address, the rate limit lets this many through."""


@pytest.fixture
def database(pg_cluster: Any, tmp_path: Path) -> str:
    url = engine_for("postgres", pg_cluster, tmp_path).url
    assert url is not None
    return url


def stored(url: str, kind: str = "consultation") -> int:
    with psycopg.connect(url) as connection:
        return connection.execute("SELECT count(*) FROM records WHERE kind = %s", (kind,)).fetchone()[0]


def test_more_than_one_worker_on_the_embedded_store_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.delenv("IPPS_DATABASE_URL", raising=False)
    monkeypatch.setenv("IPPS_DATA_DIR", str(tmp_path))
    assert main(["serve", "--workers", "2", "--port", "1"]) == 2
    error = capsys.readouterr().err
    assert "内置数据存储只能由一个进程使用" in error and "PostgreSQL" in error and "database_url" in error
    assert not (tmp_path / "store").exists()  # refused before anything was opened
    with pytest.raises(SystemExit):
        main(["serve", "--workers", "0"])
    assert "工作进程数应为 1 至" in capsys.readouterr().err


def test_two_workers_take_2500_submissions_with_one_rate_limit(
    built_site: Path, tmp_path: Path, database: str
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    limit = {"IPPS_DATABASE_URL": database, "IPPS_RATE_LIMIT": f"{ALLOWED}/hour"}
    with server_process(built_site, tmp_path / "data", port, "--workers", "2", **limit) as process:
        workers = _children(process.pid)
        assert len(workers) == 2, workers

        def submit_50(client: int) -> list[tuple[int, dict]]:
            return [
                post_json(base, "api/consultations", consultation(subject=f"{client}-{n}"), 30)
                for n in range(EACH)
            ]

        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            answers = [answer for batch in pool.map(submit_50, range(CLIENTS)) for answer in batch]
        statuses = Counter(status for status, _ in answers)
        assert statuses == {201: ALLOWED, 429: CLIENTS * EACH - ALLOWED}, statuses
        refused = next(body for status, body in answers if status == 429)
        assert refused["error"]["code"] == "rate_limited" and "过于频繁" in refused["error"]["message"]
        receipts = [body["receipt_no"] for status, body in answers if status == 201]
        assert len(set(receipts)) == ALLOWED  # unique across workers
        assert stored(database) == ALLOWED  # nothing lost, nothing twice
        for _, body in [a for a in answers if a[0] == 201][::97]:
            found, view = get_json(base, f"api/lookup/{body['receipt_no']}?code={body['lookup_code']}")
            assert found == 200 and view["receipt_no"] == body["receipt_no"]
        assert _children(process.pid) == workers  # no worker died on the way


def _children(pid: int) -> list[int]:
    """The worker processes of the server ``pid`` (not multiprocessing's resource tracker)."""
    listed = subprocess.run(
        ["ps", "-ww", "-o", "pid=,args=", "--ppid", str(pid)], capture_output=True, text=True
    )
    rows = [line.split(None, 1) for line in listed.stdout.splitlines()]
    return sorted(int(row[0]) for row in rows if "spawn_main" in row[1])


def test_logins_throttling_sessions_and_csrf_hold_across_workers(
    built_site: Path, tmp_path: Path, database: str
) -> None:
    data_dir = tmp_path / "data"
    environ = {**os.environ, "IPPS_DATA_DIR": str(data_dir), "IPPS_DATABASE_URL": database}
    for name, password in (("zhang", "a long password 1"), ("wang", "a long password 2")):  # acceptors
        added = subprocess.run(
            [sys.executable, "-m", "forms_api.cli", "user", "add", name, "--role", "acceptor"],
            input=password + "\n",
            cwd=ROOT,
            env=environ,
            capture_output=True,
            text=True,
        )
        assert added.returncode == 0, added.stderr
    assert not (data_dir / "staff" / "users.json").exists()  # the accounts are in the database

    port = free_port()
    with (
        server_process(built_site, data_dir, port, "--workers", "2", IPPS_DATABASE_URL=database),
        httpx.Client(base_url=f"http://127.0.0.1:{port}") as browser,
    ):

        def log_in(name: str, password: str) -> httpx.Response:
            browser.cookies.clear()
            form = soup(browser.get("/staff/login").text).select_one("form[action='/staff/login']")
            fields = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
            return browser.post("/staff/login", data={**fields, "username": name, "password": password})

        # Three wrong passwords, spread over both workers by new connections, are counted
        # together: the next attempt from this address, on either worker, must wait.
        for _ in range(3):
            with httpx.Client(base_url=f"http://127.0.0.1:{port}") as other:
                form = soup(other.get("/staff/login").text).select_one("form[action='/staff/login']")
                fields = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
                other.post("/staff/login", data={**fields, "username": "wang", "password": "wrong guess 12"})
        time.sleep(1.1)  # both workers read the attempts again (FRESHNESS)
        slowed = [log_in("wang", "a long password 2") for _ in range(4)]
        assert all(a.status_code == 429 and "秒后再试" in a.text for a in slowed)

        answer = log_in("zhang", "a long password 1")
        assert answer.status_code == 303, answer.text
        # The signed session and its CSRF token are good on every worker: twenty fresh
        # connections (which the kernel hands to either worker) all see the console.
        cookie = browser.cookies.get("ipps_staff", path="/staff")
        for _ in range(20):
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", cookies={"ipps_staff": cookie}) as other:
                assert other.get("/staff/").status_code == 200
        receipt = browser.post(
            "/api/applications", data=pledge_fields(), files=pledge_files(), headers=JSON
        ).json()
        page = soup(browser.get(f"/staff/records/{receipt['receipt_no']}").text)
        accept = page.select_one("form[action$='/actions/accept']")
        fields = {i["name"]: i.get("value", "") for i in accept.select("input[type=hidden]")}
        answers = []
        for _ in range(2):  # the second is a stale form (revision), whichever worker takes it
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", cookies={"ipps_staff": cookie}) as other:
                answers.append(other.post(accept["action"], data=fields).status_code)
        assert answers == [303, 409]
        with psycopg.connect(database) as connection:
            (status,) = connection.execute(
                "SELECT status FROM records WHERE key = %s", (receipt["receipt_no"],)
            ).fetchone()
        assert status != "待受理"


def test_every_acknowledged_receipt_survives_kill_9_of_all_workers(
    built_site: Path, tmp_path: Path, database: str
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    acknowledged: list[dict] = []
    lock = threading.Lock()
    stop = threading.Event()

    def submit_until_stopped(client: int) -> None:
        number = 0
        while not stop.is_set():
            number += 1
            try:
                status, body = post_json(
                    base, "api/consultations", consultation(subject=f"{client}-{number}"), 5
                )
            except (OSError, http.client.HTTPException):
                return  # the server is gone (an answer cut off by the kill acknowledged nothing)
            if status == 201:
                with lock:
                    acknowledged.append(body | {"subject": f"{client}-{number}"})

    data_dir = tmp_path / "data"
    with server_process(built_site, data_dir, port, "--workers", "2", IPPS_DATABASE_URL=database) as process:
        clients = [threading.Thread(target=submit_until_stopped, args=(c,)) for c in range(8)]
        for client in clients:
            client.start()
        while len(acknowledged) < 400:
            time.sleep(0.01)
        os.killpg(process.pid, signal.SIGKILL)  # the master and both workers, mid-burst
        process.wait()
        stop.set()
        for client in clients:
            client.join(timeout=10)

    with server_process(built_site, data_dir, port, IPPS_DATABASE_URL=database):
        for receipt in acknowledged:
            status, view = get_json(base, f"api/lookup/{receipt['receipt_no']}?code={receipt['lookup_code']}")
            assert status == 200, receipt
            assert view["subject"] == receipt["subject"]
        status, body = post_json(base, "api/consultations", consultation())
        assert status == 201 and body["receipt_no"] not in {r["receipt_no"] for r in acknowledged}
    # acknowledged ones and the new one, plus at most one in flight per client at the kill
    assert len(acknowledged) + 1 <= stored(database) <= len(acknowledged) + 1 + 8
