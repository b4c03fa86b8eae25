"""The staff console's login and logout, through the real application."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from bs4 import BeautifulSoup

from forms_api.console.login import LOGIN_COOKIE
from forms_api.domain.masking import mask_name
from forms_api.domain.staff.accounts import SHARED_FRESHNESS, Accounts
from forms_api.settings import Settings
from tests.api import JSON, client, consultation, pledge_fields, pledge_files
from tests.conftest import SAMPLE_CATALOG

PASSWORD = "correct horse battery"
# fast hashing for tests: argon2's real parameters take a noticeable time per login
FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def departments() -> list[str]:
    from generator.catalog import load_catalog

    return list(load_catalog(SAMPLE_CATALOG).departments)


def accounts_of(tmp_path: Path, engine: Any) -> Accounts:
    """The accounts where the engine keeps them: ``users.json`` or the database."""
    settings = Settings(data_dir=tmp_path / "data", database_url=engine.url or "")
    return Accounts.of(settings, hasher=FAST)


@pytest.fixture
def console(built_site: Path, tmp_path: Path, engine: Any) -> Iterator[Any]:
    accounts = accounts_of(tmp_path, engine)
    known = departments()
    try:
        accounts.add("wang", "acceptor", PASSWORD, known_departments=known)
        accounts.add("li", "handler", PASSWORD, ["copyright-bureau"], known_departments=known)
    finally:
        accounts.close()
    with client(built_site, tmp_path / "data", database_url=engine.url or "") as test_client:
        yield test_client


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def log_in(console: Any, name: str, password: str = PASSWORD, **extra: str) -> Any:
    form = soup(console.get("/staff/login").text).select_one("form[action='/staff/login']")
    fields = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    return console.post(
        "/staff/login",
        data={**fields, "username": name, "password": password, **extra},
        follow_redirects=False,
    )


def test_the_console_asks_for_a_login_first(console: Any) -> None:
    answer = console.get("/staff/", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/staff/login?next=/staff/"
    page = soup(console.get("/staff/login").text)
    assert page.h1.get_text(strip=True) == "工作人员登录"
    form = page.select_one("form[action='/staff/login']")
    assert form["method"] == "post"
    assert form.select_one("#login-username")["autocomplete"] == "username"
    password = form.select_one("#login-password")
    assert password["type"] == "password" and password["autocomplete"] == "current-password"
    assert page.select_one("label[for=login-totp]") is not None


def test_a_wrong_password_is_refused_with_a_message_and_no_session(console: Any) -> None:
    answer = log_in(console, "wang", "not the password")
    assert answer.status_code == 401
    page = soup(answer.text)
    assert "用户名或密码错误" in page.select_one("[data-ipps-summary]").get_text()
    assert page.select_one("#login-username")["value"] == "wang"
    assert page.select_one("#login-password")["value"] == ""  # never sent back
    assert console.get("/staff/", follow_redirects=False).status_code == 303


def test_missing_fields_are_listed(console: Any) -> None:
    answer = log_in(console, "", "")
    assert answer.status_code == 422
    links = [a["href"] for a in soup(answer.text).select("[data-ipps-summary] a")]
    assert links == ["#login-username", "#login-password"]


def test_a_login_post_without_the_form_value_is_refused(console: Any) -> None:
    console.get("/staff/login")  # the cookie is set, but the post does not carry its value
    answer = console.post(
        "/staff/login", data={"username": "wang", "password": PASSWORD}, follow_redirects=False
    )
    assert answer.status_code == 403
    assert console.get("/staff/", follow_redirects=False).status_code == 303


def test_logging_in_shows_the_workbench_with_personal_data_masked(console: Any) -> None:
    application = console.post(
        "/api/applications", data=pledge_fields(), files=pledge_files(), headers=JSON
    ).json()
    console.post("/api/consultations", json=consultation(), headers=JSON)

    answer = log_in(console, "wang")
    assert answer.status_code == 303 and answer.headers["location"] == "/staff/"
    assert LOGIN_COOKIE not in answer.cookies
    page = soup(console.get("/staff/").text)
    assert page.h1.get_text(strip=True) == "工作台"
    assert "wang（受理员）" in page.select_one(".ipps-staff-bar").get_text()
    [row] = [
        [td.get_text(strip=True) for td in tr.find_all("td")]
        for tr in page.select(".ipps-staff-queue[data-kind=application] tbody tr")
    ]
    assert row[0] == application["receipt_no"] and row[1] == "专利权质押登记"
    fields = pledge_fields()
    assert row[2] == mask_name(fields["applicant_name"]) != fields["applicant_name"]
    assert row[3].startswith(fields["id_number"][:3]) and "*" in row[3]
    assert row[4] == "138****8000"
    text = page.get_text()
    assert fields["id_number"] not in text and fields["phone"] not in text
    consultations = soup(console.get("/staff/?queue=consult_new").text)
    assert len(consultations.select(".ipps-staff-queue[data-kind=consultation] tbody tr")) == 1


def test_a_handler_sees_only_her_departments_work(console: Any) -> None:
    console.post("/api/applications", data=pledge_fields(), files=pledge_files(), headers=JSON)  # 市场监管局
    log_in(console, "li")
    page = soup(console.get("/staff/").text)
    assert "办理员" in page.select_one(".ipps-staff-bar").get_text()
    assert page.select(".ipps-staff-queue tbody tr") == []
    assert "这个队列中暂无办件" in page.get_text()
    assert page.select_one("[data-queue=new] .ipps-count").get_text() == "0"


def test_logging_out_needs_the_session_token_and_ends_the_session(console: Any) -> None:
    log_in(console, "wang")
    page = soup(console.get("/staff/").text)
    token = page.select_one("form[action='/staff/logout'] input[name=csrf]")["value"]
    refused = console.post("/staff/logout", data={"csrf": "forged"}, follow_redirects=False)
    assert refused.status_code == 403
    assert console.get("/staff/", follow_redirects=False).status_code == 200
    answer = console.post("/staff/logout", data={"csrf": token}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/staff/login"
    assert console.get("/staff/", follow_redirects=False).status_code == 303


def test_a_disabled_account_is_logged_out_at_its_next_request(
    console: Any, tmp_path: Path, engine: Any
) -> None:
    log_in(console, "wang")
    assert console.get("/staff/", follow_redirects=False).status_code == 200
    accounts = accounts_of(tmp_path, engine)
    try:
        accounts.set_disabled("wang")  # as `ipps user disable` does
    finally:
        accounts.close()
    if engine.name == "postgres":  # servers read the database's accounts at most this often
        time.sleep(SHARED_FRESHNESS + 0.1)
    assert console.get("/staff/", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/api/health"])
def test_after_login_only_console_pages_are_gone_to(console: Any, target: str) -> None:
    form = soup(console.get("/staff/login").text).select_one("form[action='/staff/login']")
    token = form.select_one("input[name=csrf]")["value"]
    answer = console.post(
        "/staff/login",
        data={"csrf": token, "next": target, "username": "wang", "password": PASSWORD},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/staff/"


def test_mask_name() -> None:
    assert mask_name("林晓") == "林*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("福州银行股份有限公司") == "福州银行股份有限公司"
