"""Load POST /api/consultations of one `ipps serve` worker with wrk, at two store sizes.

For each size the store is pre-filled with that many consultations (through the service
itself, so records are real ones), then `ipps serve` is started in its own process on a copy
of that data and loaded with wrk over loopback for a fixed time. Every 201 counts only once
the record has been fsynced (that is what 201 means here); afterwards the store is counted
to check that every acknowledged submission is in it. The ceiling is Starlette's hello-world
POST under the same server settings and the same wrk command.

    .venv/bin/python -m benchmarks.bench_api --sizes 1000 100000 --duration 20

Needs wrk (Debian package ``wrk``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BODY = {
    "name": "林晓",
    "phone": "13800138000",
    "subject": "专利质押需要哪些材料",
    "message": "我公司有两件发明专利，想办理质押登记，请问需要准备哪些材料？办理时限多久？",
}
HELLO_APP = textwrap.dedent(
    """
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def hello(request):
        await request.body()
        return JSONResponse({"hello": "world"}, status_code=201)

    app = Starlette(routes=[Route("/api/consultations", hello, methods=["POST"])])
    """
)


@dataclass
class Result:
    label: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    created: int
    errors: int
    stored_before: int = 0
    stored_after: int = 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def minimal_site(folder: Path) -> Path:
    """Enough of a built site for the service to start: the API is what is measured."""
    from forms_api.web.pages import MARKER, SHELL_URL

    (folder / SHELL_URL).mkdir(parents=True)
    (folder / "index.html").write_text("<!doctype html><title>首页</title>", encoding="utf-8")
    (folder / SHELL_URL / "index.html").write_text(
        f"<!doctype html><html><head><title>表单</title></head><body>{MARKER}</body></html>",
        encoding="utf-8",
    )
    return folder


async def _prefill(data_dir: Path, count: int) -> None:
    from forms_api.domain.submissions import Service
    from forms_api.settings import Settings
    from forms_api.storage.crypto import Vault
    from forms_api.storage.embedded import Store
    from generator.catalog import load_catalog

    settings = Settings(data_dir=data_dir, catalog_dir=ROOT / "catalog")
    store = Store(settings.store_dir)
    service = Service(settings, load_catalog(settings.catalog_dir), store, Vault.open(settings.key_path))
    done = 0
    while done < count:
        batch = min(500, count - done)
        await asyncio.gather(*(service.submit_consultation(BODY, "接口") for _ in range(batch)))
        done += batch
    await store.close()


def prefill(data_dir: Path, count: int) -> float:
    started = time.perf_counter()
    asyncio.run(_prefill(data_dir, count))
    return time.perf_counter() - started


def server_log() -> Any:
    """Where a benchmarked server's output goes: a file, read only if it fails to start (a pipe
    nobody reads would fill with its log lines and block it)."""
    return tempfile.TemporaryFile()


def started_badly(log: Any) -> str:
    log.seek(0)
    return log.read().decode(errors="replace")


@contextlib.contextmanager
def serving(command: list[str], env: dict[str, str], port: int) -> Iterator[None]:
    log = server_log()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 60
    while True:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            break
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"server did not start: {started_badly(log)}")
        time.sleep(0.1)
    try:
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


def wrk(url: str, duration: int, connections: int, script: Path) -> tuple[float, float, float, int, int]:
    """requests/s, p50 ms, p99 ms, 2xx count, non-2xx + socket errors."""
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def latency(label: str) -> float:
        value, unit = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    total = int(re.search(r"(\d+) requests in", out)[1])
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(bad[1]) if bad else 0) + (sum(map(int, socket_errors.groups())) if socket_errors else 0)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    return rate, latency("50%"), latency("99%"), total - (int(bad[1]) if bad else 0), errors


def count_stored(data_dir: Path) -> int:
    """Consultations in the embedded store at ``data_dir`` (no server running there)."""
    from forms_api.storage.embedded import Store

    async def count() -> int:
        store = Store(data_dir / "store")
        try:
            return await store.count("consultation")
        finally:
            await store.close()

    return asyncio.run(count())


def measure_service(work: Path, site: Path, size: int, args: argparse.Namespace, script: Path) -> Result:
    data_dir = work / f"data-{size}"
    if not (data_dir / "store" / "manifest.json").exists():
        shutil.rmtree(data_dir, ignore_errors=True)
        seconds = prefill(data_dir, size)
        print(f"  pre-filled {size:,} consultations in {seconds:.1f} s", flush=True)
    run_dir = work / f"run-{size}"
    shutil.rmtree(run_dir, ignore_errors=True)
    shutil.copytree(data_dir, run_dir)
    # Write the copy out now: left to the kernel, its writeback (100 MB at 100,000 records)
    # would land some 30 s later, in the middle of the measurement, and stall every fsync.
    os.sync()
    port = free_port()
    env = {
        **os.environ,
        "IPPS_DATA_DIR": str(run_dir),
        "IPPS_RATE_LIMIT": "0",
        "IPPS_CATALOG_DIR": str(ROOT / "catalog"),
    }
    command = [sys.executable, "-m", "forms_api.cli", "serve", "--port", str(port), "--site-dir", str(site)]
    base = f"http://127.0.0.1:{port}/"
    before = count_stored(run_dir)
    with serving(command, env, port):
        warmed = wrk(base + "api/consultations", 2, args.connections, script)[3]  # warm-up
        rate, p50, p99, created, errors = wrk(
            base + "api/consultations", args.duration, args.connections, script
        )
    after = count_stored(run_dir)
    shutil.rmtree(run_dir, ignore_errors=True)
    if after - before < warmed + created:
        raise SystemExit(f"{size}: {warmed + created} acknowledged but only {after - before} stored")
    return Result(f"ipps, {size:,} stored", rate, p50, p99, created, errors, before, after)


def measure_hello(work: Path, args: argparse.Namespace, script: Path) -> Result:
    (work / "hello_app.py").write_text(HELLO_APP, encoding="utf-8")
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "hello_app:app",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--app-dir",
        str(work),
    ]
    with serving(command, dict(os.environ), port):
        url = f"http://127.0.0.1:{port}/api/consultations"
        wrk(url, 2, args.connections, script)
        rate, p50, p99, created, errors = wrk(url, args.duration, args.connections, script)
    return Result("Starlette hello-world POST", rate, p50, p99, created, errors)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000])
    parser.add_argument("--duration", type=int, default=20, help="seconds of load per measurement")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--work", type=Path, help="keep pre-filled stores here between runs")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    work = args.work or Path(tempfile.mkdtemp(prefix="ipps-bench-api-"))  # on disk: fsync is real
    work.mkdir(parents=True, exist_ok=True)
    site = work / "site"
    if not site.exists():
        minimal_site(site)
    script = work / "post.lua"
    body = json.dumps(BODY, ensure_ascii=False).replace("\\", "\\\\").replace('"', '\\"')
    script.write_text(
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        'wrk.headers["Accept"] = "application/json"\n'
        f'wrk.body = "{body}"\n',
        encoding="utf-8",
    )
    results = []
    for size in args.sizes:
        print(f"measuring with {size:,} stored …", flush=True)
        results.append(measure_service(work, site, size, args, script))
    print("measuring the ceiling …", flush=True)
    results.append(measure_hello(work, args, script))
    print(f"\nwrk -t1 -c{args.connections} -d{args.duration}s, POST /api/consultations, one worker\n")
    print("| | requests/s | p50 | p99 | 201 answers | errors | stored before → after |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        stored = f"{r.stored_before:,} → {r.stored_after:,}" if r.stored_after else "—"
        print(
            f"| {r.label} | {r.requests_per_second:,.0f} | {r.p50_ms:.1f} ms | {r.p99_ms:.1f} ms "
            f"| {r.created:,} | {r.errors} | {stored} |"
        )
    first, last = results[0], results[len(args.sizes) - 1]
    if len(args.sizes) > 1:
        print(
            f"\n{args.sizes[-1]:,} against {args.sizes[0]:,} stored (target: both at most 1.3): "
            f"time per request ×{first.requests_per_second / last.requests_per_second:.2f}, "
            f"p99 ×{last.p99_ms / first.p99_ms:.2f}"
        )
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
