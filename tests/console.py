"""Helpers for tests of the staff console through the real application (TestClient)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from bs4 import BeautifulSoup

from forms_api.domain.staff.accounts import Accounts
from tests.api import SAMPLE_CATALOG, client, store_of

PASSWORD = "correct horse battery"
FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
"""Fast hashing for tests: argon2's real parameters take a noticeable time per login."""

STAFF = {
    "admin": ("admin", ()),
    "wang": ("acceptor", ()),
    "li": ("handler", ("market-regulation",)),  # 专利权质押登记 is this department's
    "zhao": ("handler", ("copyright-bureau",)),
    "sun": ("supervisor", ()),
    "qian": ("auditor", ()),
}
"""One member of staff per role (two handlers of different departments): name -> (role, departments)."""


def add_staff(data_dir: Path, database_url: str = "") -> None:
    """The accounts of :data:`STAFF`, where the engine keeps accounts (the data folder, or the
    database named by ``database_url``)."""
    from forms_api.settings import Settings
    from generator.catalog import load_catalog

    known = list(load_catalog(SAMPLE_CATALOG).departments)
    accounts = Accounts.of(Settings(data_dir=data_dir, database_url=database_url), hasher=FAST)
    try:
        for name, (role, departments) in STAFF.items():
            accounts.add(name, role, PASSWORD, list(departments), known_departments=known)
    finally:
        accounts.close()


@contextlib.contextmanager
def console_client(site_dir: Path, data_dir: Path, **settings: Any) -> Iterator[Any]:
    add_staff(data_dir, settings.get("database_url", ""))
    with client(site_dir, data_dir, **settings) as test_client:
        yield test_client


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def log_in(console: Any, name: str, password: str = PASSWORD) -> Any:
    """Log in as ``name`` through the login form (replacing any earlier session)."""
    console.cookies.clear()  # a logged-in browser is sent from the login page to the workbench
    form = soup(console.get("/staff/login").text).select_one("form[action='/staff/login']")
    fields = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    answer = console.post(
        "/staff/login", data={**fields, "username": name, "password": password}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    return answer


def record_page(console: Any, receipt_no: str, **params: str) -> BeautifulSoup:
    answer = console.get(f"/staff/records/{receipt_no}", params=params)
    assert answer.status_code == 200, answer.text
    return soup(answer.text)


def action_form(console: Any, receipt_no: str, action: str) -> Any:
    return record_page(console, receipt_no).select_one(
        f"form[action='/staff/records/{receipt_no}/actions/{action}']"
    )


def act(console: Any, receipt_no: str, action: str, files: Any = None, **data: Any) -> Any:
    """Fill in and post the form of ``action`` on the record's page, as a person would."""
    form = action_form(console, receipt_no, action)
    assert form is not None, f"no form for {action}"
    hidden = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    return console.post(form["action"], data={**hidden, **data}, files=files, follow_redirects=False)


def actions_offered(console: Any, receipt_no: str) -> list[str]:
    page = record_page(console, receipt_no)
    return [form["action"].rsplit("/", 1)[1] for form in page.select("form[action*='/actions/']")]


def settled_notices(console: Any, receipt_no: str, timeout: float = 15) -> list[Any]:
    """The record's notice jobs once none is queued or running any more (the application's
    in-process runner sends them after the answer), oldest first."""
    deadline = time.monotonic() + timeout
    while True:
        jobs = [job for job in store_of(console).jobs_of(receipt_no) if job.task == "notice"]
        if all(job.status in ("done", "failed") for job in jobs) or time.monotonic() > deadline:
            return jobs
        time.sleep(0.05)


class HttpStaff:
    """A member of staff at a browser, against a server in another process (``ipps serve``):
    cookies kept, redirects followed, forms read from the pages as a person would fill them."""

    def __init__(self, base: str) -> None:
        import http.cookiejar
        import urllib.request

        self.base = base.rstrip("/")
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[int, str]:
        with self.opener.open(self.base + path, timeout=30) as answer:
            return answer.status, answer.read().decode("utf-8")

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, str]:
        import urllib.error
        import urllib.parse

        data = urllib.parse.urlencode(fields).encode()
        try:
            with self.opener.open(self.base + path, data=data, timeout=30) as answer:
                return answer.status, answer.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8")

    def log_in(self, name: str, password: str = PASSWORD) -> None:
        _, html = self.get("/staff/login")
        form = soup(html).select_one("form[action='/staff/login']")
        fields = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
        status, html = self.post("/staff/login", {**fields, "username": name, "password": password})
        assert status == 200 and "退出登录" in html, html

    def act(self, receipt_no: str, action: str, **fields: str) -> int:
        """Take ``action`` through the form the record's page offers for it."""
        _, html = self.get(f"/staff/records/{receipt_no}")
        form = soup(html).select_one(f"form[action$='/actions/{action}']")
        assert form is not None, f"{action} is not offered"
        hidden = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
        status, _ = self.post(form["action"], {**hidden, **fields})
        return status


def run_jobs_at(console: Any, moment: Any, *, schedule: bool = False) -> int:
    """Run, on the application's loop, every job due at ``moment`` (a runner whose clock says
    so, with the application's tasks; with ``schedule``, the daily jobs of that day too)."""
    from forms_api.domain.jobs.runner import Runner
    from forms_api.domain.jobs.schedule import daily_jobs
    from tests.api import Blocking

    handlers = console.app.state.runner.handlers
    runner = Runner(
        console.app.state.service,
        handlers,
        worker="test-runner",
        clock=lambda: moment,
        schedule=daily_jobs if schedule else None,
    )
    return Blocking(console, runner).drain()
