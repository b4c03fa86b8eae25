"""Site build at scale (issue 3 §5): build time, item page sizes, search bytes, baseline.

    .venv/bin/python -m benchmarks.bench_build [--sizes 1000 10000] [--baseline-size 1000]

For each size: a synthetic catalog (benchmarks/synthetic.py) built with the full `ipps build`
(a fresh process: validation, pages, open data, Pagefind index), its time, and the largest
and median item page size. At the largest size, the bytes a visitor transfers to run one
search (measured in Chromium, see benchmarks/search_bytes.py). The baseline is plain
mkdocs-material with default settings (every page in the sidebar, the built-in lunr search)
over the same item pages as Markdown; it runs at ``--baseline-size`` only, because at 10,000
items its pages would take tens of gigabytes (every page carries the whole sidebar).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bs4 import BeautifulSoup

from benchmarks.synthetic import make_catalog

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ("质押", "软著", "专利")


def build(catalog: Path, site: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "forms_api.cli", "build", "--catalog", str(catalog), "--site-dir", str(site)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def item_page_sizes(site: Path) -> list[int]:
    return [p.stat().st_size for p in (site / "items").glob("*/index.html") if p.parent.name != "page"]


def kb(size: float) -> str:
    return f"{size / 1024:.1f} KB"


def baseline(site: Path, work: Path, size: int) -> dict[str, str]:
    """Plain mkdocs-material, default settings, over our item pages written as Markdown."""
    docs = work / "docs"
    (docs / "items").mkdir(parents=True)
    (docs / "index.md").write_text("# 首页\n", encoding="utf-8")
    for page in sorted((site / "items").glob("*/index.html")):
        if page.parent.name == "page":
            continue
        article = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one("article")
        (docs / "items" / f"{page.parent.name}.md").write_text(article.decode_contents(), encoding="utf-8")
    (work / "mkdocs.yml").write_text(
        "site_name: 基线\ntheme:\n  name: material\n  language: zh\n", encoding="utf-8"
    )
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=work, check=True, capture_output=True)
    elapsed = time.perf_counter() - started
    sizes = item_page_sizes(work / "site")
    index = work / "site" / "search" / "search_index.json"
    return {
        "items": str(size),
        "build": f"{elapsed:.1f} s",
        "largest item page": kb(max(sizes)),
        "median item page": kb(statistics.median(sizes)),
        "all item pages": f"{sum(sizes) / 1024 / 1024:.0f} MB",
        "search index (loaded whole for any query)": kb(index.stat().st_size),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--baseline-size", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        largest_site = None
        for size in args.sizes:
            catalog = make_catalog(work / f"catalog-{size}", size)
            site = work / f"site-{size}"
            elapsed = build(catalog, site)
            sizes = item_page_sizes(site)
            print(
                f"ipps build  items={size:>6}  time={elapsed:6.1f} s  "
                f"largest item page={kb(max(sizes))}  median item page={kb(statistics.median(sizes))}"
            )
            largest_site = (size, site)
        if largest_site:
            from benchmarks.search_bytes import measure

            size, site = largest_site
            for query in QUERIES:
                transferred = measure(site, query)
                print(
                    f"search      items={size:>6}  query={query}  "
                    f"search bytes={kb(transferred.search)}  with page load={kb(transferred.total)}  "
                    f"results={transferred.results}"
                )
        if args.baseline_size:
            catalog = make_catalog(work / "catalog-baseline", args.baseline_size)
            site = work / "site-baseline-source"
            build(catalog, site)
            for key, value in baseline(site, work / "baseline", args.baseline_size).items():
                print(f"baseline    {key}: {value}")


if __name__ == "__main__":
    main()
