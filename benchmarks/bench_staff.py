"""The staff console at several store sizes, and what staff work does to public requests.

For each size a store is pre-filled with that many consultations through the service (as
``bench_api`` does), then ``ipps serve`` is started on a copy and measured over HTTP:

- start: from launching the process until ``/api/health`` answers;
- RSS: the server's resident memory when idle, and its peak growth during an export;
- ``GET /staff/`` (the workbench with every queue's count) and a staff search by subject,
  one that matches (``q=质押``) and one that matches nothing (the worst case: every row of
  the queue is looked at), p50 and p95 of sequential requests;
- a full XLSX export of the consultations: its time alone, then its time and the latency of
  public ``POST /api/consultations`` sent by 16 concurrent clients while it runs (the clients
  are Python threads of this process, on the same two cores);
- public POST latency while ``GET /staff/`` pages load.

    .venv/bin/python -m benchmarks.bench_staff --sizes 1000 100000

Needs nothing beyond the project's own environment.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import http.cookiejar
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks.bench_api import BODY, ROOT, free_port, minimal_site, prefill, server_log, started_badly

PASSWORD = "benchmark password 1"


def add_supervisor(data_dir: Path) -> None:
    from argon2 import PasswordHasher

    from forms_api.domain.staff.accounts import Accounts

    accounts = Accounts(data_dir, hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    accounts.add("bench", "supervisor", PASSWORD, known_departments=[])


class Browser:
    """A logged-in member of staff: cookies kept, redirects not followed for POSTs."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, bytes]:
        with self.opener.open(self.base + path, timeout=600) as answer:
            return answer.status, answer.read()

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, bytes]:
        data = urllib.parse.urlencode(fields).encode()
        request = urllib.request.Request(self.base + path, data=data, method="POST")
        with self.opener.open(request, timeout=600) as answer:
            return answer.status, answer.read()

    def log_in(self) -> None:
        _, page = self.get("/staff/login")
        token = re.search(rb'name="csrf" value="([^"]+)"', page)[1].decode()
        self.post(
            "/staff/login", {"csrf": token, "username": "bench", "password": PASSWORD, "next": "/staff/"}
        )

    def csrf(self) -> str:
        _, page = self.get("/staff/export")
        return re.search(rb'name="csrf" value="([^"]+)"', page)[1].decode()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def timed(call: Any) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 1),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 1),
        "n": len(ordered),
    }


def public_post(base: str) -> float:
    data = json.dumps(BODY).encode()
    request = urllib.request.Request(
        base + "/api/consultations", data=data, headers={"Content-Type": "application/json"}, method="POST"
    )

    def send() -> None:
        with urllib.request.urlopen(request, timeout=600) as answer:
            assert answer.status == 201, answer.status

    return timed(send)


def posts_while(base: str, busy: threading.Event, clients: int) -> list[float]:
    """Latencies of public POSTs from ``clients`` threads for as long as ``busy`` is set."""
    found: list[float] = []
    lock = threading.Lock()

    def client() -> None:
        while busy.is_set():
            took = public_post(base)
            with lock:
                found.append(took)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return found


def tree_pss_mb(pid: int) -> float:
    """Proportional set size of a process and its descendants (a forked child's pages shared
    with its parent are counted once between them, not twice as RSS would)."""
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) / 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue  # the process ended meanwhile
    return total


def export_under_load(base: str, staff: Browser, pid: int, clients: int = 16) -> dict[str, Any]:
    """A full XLSX export of the consultations alone, then again with ``clients`` public
    clients posting meanwhile: its times, the latency of those POSTs, and how much the
    server's memory grew (its own RSS, and the PSS of it with the export's child)."""
    result: dict[str, Any] = {}
    token = staff.csrf()
    fields = {"csrf": token, "kind": "consultation", "format": "xlsx"}
    started_alone = time.perf_counter()
    staff.post("/staff/export", fields)
    result["export_xlsx_alone_s"] = round(time.perf_counter() - started_alone, 2)
    before, before_tree = rss_mb(pid), tree_pss_mb(pid)
    peak, peak_tree = [before], [before_tree]
    busy = threading.Event()
    busy.set()

    def watch() -> None:
        while busy.is_set():
            peak[0] = max(peak[0], rss_mb(pid))
            peak_tree[0] = max(peak_tree[0], tree_pss_mb(pid))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        posting = pool.submit(posts_while, base, busy, clients)
        export_started = time.perf_counter()
        status, body = staff.post("/staff/export", fields)
        export_s = time.perf_counter() - export_started
        busy.clear()
        during = posting.result()
    watcher.join()
    assert status == 200 and body[:2] == b"PK", status
    result["export_xlsx_s"] = round(export_s, 2)
    result["export_bytes"] = len(body)
    result["export_rss_growth_mb"] = round(peak[0] - before)
    result["export_tree_pss_growth_mb"] = round(peak_tree[0] - before_tree)
    result["post_during_export"] = percentiles(during)
    return result


def measure(size: int, work: Path, site: Path, requests: int) -> dict[str, Any]:
    data = work / f"data-{size}"
    if not (data / "store").is_dir():
        prefill(data, size)
    copy = work / f"run-{size}"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(data, copy)
    add_supervisor(copy)
    port = free_port()
    env = {
        **os.environ,
        "IPPS_DATA_DIR": str(copy),
        "IPPS_SITE_DIR": str(site),
        "IPPS_CATALOG_DIR": str(ROOT / "catalog"),
        "IPPS_RATE_LIMIT": "0",
    }
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    log = server_log()
    process = subprocess.Popen(
        [sys.executable, "-m", "forms_api.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        while True:
            try:
                with urllib.request.urlopen(base + "/api/health", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(started_badly(log)) from None
                time.sleep(0.02)
        start_s = time.perf_counter() - started
        time.sleep(1)
        result: dict[str, Any] = {
            "size": size,
            "start_s": round(start_s, 2),
            "rss_idle_mb": round(rss_mb(process.pid)),
        }
        staff = Browser(base)
        staff.log_in()
        staff.get("/staff/")  # warm
        for label, path in (
            ("workbench", "/staff/"),
            ("consultation_queue", "/staff/?queue=consult_new"),
            ("search_match", "/staff/?queue=consult_new&q=" + urllib.parse.quote("质押")),
            ("search_nothing", "/staff/?queue=consult_new&q=" + urllib.parse.quote("无此内容")),
        ):
            result[label] = percentiles([timed(lambda path=path: staff.get(path)) for _ in range(requests)])
        # public POSTs while the workbench loads, one page after the other
        busy = threading.Event()
        busy.set()
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            posting = pool.submit(posts_while, base, busy, 4)
            for _ in range(requests):
                staff.get("/staff/")
            busy.clear()
            result["post_during_workbench"] = percentiles(posting.result())
        result.update(export_under_load(base, staff, process.pid))
        return result
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000])
    parser.add_argument("--requests", type=int, default=40, help="sequential requests per staff page")
    parser.add_argument("--work", type=Path, help="keep pre-filled stores here between runs")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="ipps-bench-staff-"))
    work.mkdir(parents=True, exist_ok=True)
    site = minimal_site(Path(tempfile.mkdtemp(prefix="ipps-bench-site-")))
    (site / "staff").mkdir(exist_ok=True)
    for size in args.sizes:
        print(json.dumps(measure(size, work, site, args.requests), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
