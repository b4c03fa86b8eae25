"""Bytes a visitor downloads to run one search, measured in real Chromium.

    .venv/bin/python -m benchmarks.search_bytes SITE_DIR 质押

Opens the search page, then types the query: ``search`` is what the query itself made the
browser download (Pagefind's script and WebAssembly, index chunks, result fragments),
``total`` adds the page load. Sizes are response bodies (the test server does not compress).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from generator.site import urls
from tests.browser import Visit, launch_chromium, serve_directory


@dataclass(frozen=True)
class Transferred:
    search: int
    total: int
    results: int


def measure(site: Path, query: str) -> Transferred:
    with serve_directory(site) as base, launch_chromium() as browser:
        tab = Visit(browser, base)
        try:
            tab.open(urls.SEARCH)
            before = len(tab.bodies)
            tab.page.fill("#ipps-search-q", query)
            tab.page.press("#ipps-search-q", "Enter")
            tab.wait_for_results(query)
            tab.page.wait_for_load_state("networkidle")
            if tab.external():
                raise RuntimeError(f"requests left the site: {tab.external()}")
            search = sum(size for _, size in tab.bodies[before:])
            total = sum(size for _, size in tab.bodies)
            return Transferred(search, total, len(tab.result_urls()))
        finally:
            tab.close()


if __name__ == "__main__":
    result = measure(Path(sys.argv[1]), sys.argv[2])
    print(f"search={result.search / 1024:.1f} KB total={result.total / 1024:.1f} KB results={result.results}")
