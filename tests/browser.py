"""Real Chromium against a served site: shared by the browser tests and the benchmarks.

Chromium comes from Debian (/usr/bin/chromium); Playwright only drives it. The flags keep
it from calling Google's services, which this network refuses.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve_directory(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (a free port) and give its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextmanager
def launch_chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Visit:
    """A browser tab on the served site that records every request and response size."""

    def __init__(self, browser: Any, base: str, *, javascript: bool = True, **context: Any) -> None:
        self.base = base
        self.context = browser.new_context(java_script_enabled=javascript, **context)
        self.requests: list[str] = []
        self.bodies: list[tuple[str, int]] = []
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.context.on("response", self._response)
        # a request for another host is recorded above and answered with an error here
        self.context.route(lambda url: not url.startswith(base), lambda route: route.abort())
        self.page = self.context.new_page()
        self.violations: list[str] = []
        """What the Content-Security-Policy blocked (Chromium says so on the console): every
        tab must end with none (:meth:`close`)."""
        self.page.on("console", self._console)

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.violations.append(message.text)

    def _response(self, response: Any) -> None:
        try:
            size = len(response.body())
        except Exception:  # redirects and aborted requests have no body
            size = 0
        self.bodies.append((response.url, size))

    def open(self, url: str) -> None:
        self.page.goto(self.base + url, wait_until="networkidle")

    def wait_for_results(self, query: str) -> None:
        selector = f'[data-ipps-search-section][data-state="done"][data-query="{query}"]'
        self.page.wait_for_selector(selector, state="attached", timeout=30_000)

    def result_urls(self) -> list[str]:
        hrefs = self.page.eval_on_selector_all(
            ".ipps-search-result__title a", "links => links.map(a => new URL(a.href).pathname)"
        )
        return [href.lstrip("/") for href in hrefs]

    def external(self) -> list[str]:
        return [
            url
            for url in self.requests
            if url.startswith(("http:", "https:", "ws:", "wss:")) and urlsplit(url).hostname != "127.0.0.1"
        ]

    def close(self) -> None:
        self.context.close()
        assert not self.violations, f"blocked by the Content-Security-Policy: {self.violations}"
