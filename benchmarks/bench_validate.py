"""How long `ipps validate` takes on a synthetic 10,000-item catalog (target: at most 10 s).

    .venv/bin/python -m benchmarks.bench_validate [--size 10000] [--runs 3]

Times the whole command as an editor runs it (a fresh process, from reading the files to
the summary line), best of ``--runs``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.synthetic import make_catalog


def time_validate(catalog: Path) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "forms_api.cli", "validate", "--catalog", str(catalog)],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"validation failed:\n{result.stdout[-2000:]}")
    return elapsed, result.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        catalog = make_catalog(Path(tmp) / "catalog", args.size)
        timings = []
        for _ in range(args.runs):
            elapsed, summary = time_validate(catalog)
            timings.append(elapsed)
        print(summary)
        print(f"items={args.size} runs={args.runs} best={min(timings):.2f}s worst={max(timings):.2f}s")


if __name__ == "__main__":
    main()
