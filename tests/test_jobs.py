"""The job queue at work, against a real SMTP server: notices retried while the mail server is
down, failed for good and sent again from the console, kept through kill -9 of the server and
of a worker, and two workers on one PostgreSQL database that never take the same job."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from forms_api.domain.workflow import Actor
from forms_api.storage.query import Query
from tests.api import JSON, Blocking, store_of
from tests.conftest import ROOT, SAMPLE_CATALOG
from tests.console import HttpStaff, add_staff, console_client, log_in, settled_notices, soup
from tests.engines import engine_for
from tests.mail import Inbox, free_port
from tests.test_api_durability import post_json, server_process
from tests.test_cases_complaints import complaint
from tests.test_store import run

SENDER = "noreply@ipps.example.cn"
SUPERVISOR = Actor("sun", "supervisor")


class Mailbox(Inbox):
    """An inbox that can refuse every message for now (554) or hold the connection open after
    taking a message, as a slow mail server would, until released."""

    def __init__(self, delay: float = 0) -> None:
        super().__init__()
        self.delay = delay
        """Seconds each message takes to accept, as a busy mail server's would."""
        self.refusing = False
        self.holding = threading.Event()
        self.released = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refusing:
            return "554 5.7.1 rejected for now"
        await asyncio.sleep(self.delay)
        self.envelopes.append(envelope)
        if self.holding.is_set():
            while not self.released.is_set():
                await asyncio.sleep(0.02)
        return "250 Message accepted for delivery"

    def ids(self) -> list[str]:
        return [str(message["Message-ID"]) for message in self.messages()]


@contextlib.contextmanager
def mail_server(mailbox: Mailbox, port: int) -> Iterator[Controller]:
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def smtp(port: int) -> dict[str, Any]:
    return {"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_security": "none", "smtp_sender": SENDER}


def environment(data_dir: Path, port: int, database_url: str = "", **more: str) -> dict[str, str]:
    """What ``ipps serve`` and ``ipps worker`` processes are started with."""
    settings = {f"IPPS_{name.upper()}": str(value) for name, value in smtp(port).items()}
    return {
        **settings,
        "IPPS_DATA_DIR": str(data_dir),
        "IPPS_CATALOG_DIR": str(SAMPLE_CATALOG),
        "IPPS_DATABASE_URL": database_url,
        **more,
    }


def until(condition: Any, timeout: float = 20, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what or condition}"
        time.sleep(0.05)
    return found


def answered_complaint(console: Any, **changes: Any) -> str:
    """A complaint with an e-mail address, answered by a supervisor (so a notice is queued)."""
    answer = console.post("/api/complaints", json=complaint(**changes), headers=JSON)
    assert answer.status_code == 201, answer.text
    number = answer.json()["receipt_no"]
    Blocking(console, console.app.state.casework).act(number, "answer", SUPERVISOR, {"text": "已增开窗口。"})
    return number


def email_job(console: Any, number: str) -> Any:
    (job,) = [j for j in store_of(console).jobs_of(number) if j.payload["channel"] == "email"]
    return job


@contextlib.contextmanager
def worker_process(env: dict[str, str], *options: str) -> Iterator[subprocess.Popen[str]]:
    """``ipps worker`` in its own process, once it says it has started."""
    log = Path(env["IPPS_DATA_DIR"]).parent / f"worker-{time.monotonic_ns()}.log"
    with log.open("wb") as out:  # never a pipe nobody reads: a full one blocks the worker
        process = subprocess.Popen(
            [sys.executable, "-m", "forms_api.cli", "worker", *options],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=out,
            stderr=out,
        )
    deadline = time.monotonic() + 60
    while "已启动" not in log.read_text(encoding="utf-8", errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"ipps worker did not start: {log.read_text(errors='replace')}")
        time.sleep(0.05)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


# --- in the server's own process (both engines) -----------------------------------------------------


def test_a_notice_is_retried_while_the_mail_server_is_down_and_sent_once_it_is_back(
    built_site: Path, tmp_path: Path, engine: Any
) -> None:
    port, mailbox = free_port(), Mailbox()
    settings = {**smtp(port), "job_retry_seconds": 1, "database_url": engine.url or ""}
    with console_client(built_site, tmp_path / "data", **settings) as console:
        number = answered_complaint(console, email="zhoumin@example.cn")
        failed = until(lambda: (job := email_job(console, number)).last_error and job)
        assert failed.status == "queued" and "拒绝连接" in failed.last_error  # to be tried again
        with mail_server(mailbox, port):
            notices = settled_notices(console, number)
    by_channel = {n.payload["channel"]: n for n in notices}
    sent = by_channel["email"]
    assert sent.status == "done" and sent.attempts >= 2
    assert sent.history[0]["outcome"] == "queued" and sent.history[-1]["outcome"] == "done"
    assert sent.history[-1]["to"] == "z***@example.cn"
    assert by_channel["sms"].status == "done" and by_channel["sms"].attempts == 1
    assert len(mailbox.envelopes) == 1 and number in mailbox.messages()[0]["Subject"]


def test_a_notice_refused_for_good_fails_shows_in_the_console_and_can_be_sent_again(
    built_site: Path, tmp_path: Path, engine: Any
) -> None:
    port, mailbox = free_port(), Mailbox()
    mailbox.refusing = True
    with (
        mail_server(mailbox, port),
        console_client(built_site, tmp_path / "data", **smtp(port), database_url=engine.url or "") as console,
    ):
        number = answered_complaint(console, email="zhoumin@example.cn", phone="")
        (failed,) = settled_notices(console, number)
        assert (failed.status, failed.attempts) == ("failed", 1)  # a 5xx answer: no retry can help
        assert failed.last_error.startswith("邮件服务器返回错误 554")

        log_in(console, "sun")
        page = soup(console.get("/staff/jobs").text)
        assert page.select_one("[data-count=failed]").get_text() == "1"
        (row,) = page.select("tr[data-job]")
        assert row["data-job"] == failed.id and "554" in row.get_text() and number in row.get_text()
        log_in(console, "wang")  # an acceptor sees it on the record and may send it again
        shown = soup(console.get(f"/staff/records/{number}").text).select_one("li[data-job]")
        assert shown["data-status"] == "failed" and "失败" in shown.get_text()
        form = shown.select_one("form")
        fields = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}

        mailbox.refusing = False
        answer = console.post(form["action"], data=fields, follow_redirects=False)
        assert (
            answer.status_code == 303 and answer.headers["location"] == f"/staff/records/{number}?done=retry"
        )
        (sent,) = settled_notices(console, number)
        assert (sent.status, sent.attempts) == ("done", 1) and len(sent.history) == 2
        assert console.post(form["action"], data=fields).status_code == 409  # not failed any more

        entries = store_of(console).find(Query("audit", target=number), 100).rows
    actions = sorted((e["actor"], e["action"]) for e in entries)
    assert ("系统", "job_failed") in actions and ("wang", "job_retry") in actions
    assert len(mailbox.envelopes) == 1


# --- crashes: kill -9 of the server, and of a worker mid-send -------------------------------------


def test_a_notice_queued_before_kill_9_of_the_server_is_sent_after_the_restart(
    built_site: Path, tmp_path: Path
) -> None:
    """The answer and its notice are one write: killed right after answering (before any
    send), the notice is still there and goes out once a worker runs."""
    data_dir, port, smtp_port, mailbox = tmp_path / "data", free_port(), free_port(), Mailbox()
    add_staff(data_dir)
    env = environment(data_dir, smtp_port)
    with mail_server(mailbox, smtp_port):
        serving = server_process(built_site, data_dir, port, **env, IPPS_JOBS_IN_SERVER="no")
        with serving as process:
            base = f"http://127.0.0.1:{port}/"
            status, receipt = post_json(base, "api/complaints", complaint(email="zhoumin@example.cn"))
            assert status == 201
            staff = HttpStaff(base)
            staff.log_in("sun")
            assert staff.act(receipt["receipt_no"], "answer", text="已增开窗口。") == 200
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        assert mailbox.envelopes == []
        done = subprocess.run(
            [sys.executable, "-m", "forms_api.cli", "worker", "--once"],
            cwd=ROOT,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 0, done.stderr
    assert "已执行到期的后台任务" in done.stdout  # the e-mail, the text message and the day's jobs
    (message,) = mailbox.messages()
    assert receipt["receipt_no"] in message["Subject"] and message["To"] == "zhoumin@example.cn"


def test_a_worker_killed_mid_send_leaves_the_job_to_another_under_the_same_message_id(
    built_site: Path, tmp_path: Path, engine: Any
) -> None:
    data_dir, smtp_port, mailbox = tmp_path / "data", free_port(), Mailbox()
    settings = {**smtp(smtp_port), "jobs_in_server": "no", "database_url": engine.url or ""}
    with console_client(built_site, data_dir, **settings) as console:
        number = answered_complaint(console, email="zhoumin@example.cn", phone="")
    env = environment(data_dir, smtp_port, engine.url or "", IPPS_JOB_LEASE_SECONDS="2")
    mailbox.holding.set()
    with mail_server(mailbox, smtp_port):
        with worker_process(env) as first:
            until(lambda: mailbox.envelopes, what="the first worker's send")
            first.kill()  # mid-send: the mail server has the message, the job is not settled
            first.wait()
        mailbox.released.set()
        with worker_process(env):  # takes the job again once the first one's lease has ended
            until(lambda: len(mailbox.envelopes) == 2, what="the second worker's send")
            job = until(lambda: _job(engine, number, data_dir) if engine.name == "postgres" else True)
        if engine.name == "embedded":  # the store is the worker's while it runs
            job = _job(engine, number, data_dir)
    ids = mailbox.ids()
    assert len(ids) == 2 and ids[0] == ids[1]  # one notice, as the mailbox can tell
    assert job.status == "done" and job.attempts == 2 and job.history[-1]["attempt"] == 2


def _job(engine: Any, number: str, data_dir: Path) -> Any:
    async def read() -> Any:
        store = await engine.open() if engine.name == "postgres" else None
        if store is None:
            from forms_api.storage.embedded import Store

            store = Store(data_dir / "store")
        try:
            (job,) = await store.jobs_of(number)
            return job if job.status == "done" else None
        finally:
            await store.close()

    return run(read())


@pytest.fixture
def postgres(pg_cluster: Any, tmp_path: Path) -> Any:
    """The PostgreSQL engine only: one process owns an embedded store, so two workers need it."""
    return engine_for("postgres", pg_cluster, tmp_path)


def test_two_workers_on_one_database_never_take_the_same_job(
    built_site: Path, tmp_path: Path, postgres: Any
) -> None:
    engine = postgres
    data_dir, smtp_port, mailbox = tmp_path / "data", free_port(), Mailbox(delay=0.1)
    env = environment(data_dir, smtp_port, engine.url)
    settings = {**smtp(smtp_port), "jobs_in_server": "no", "database_url": engine.url}
    with (
        mail_server(mailbox, smtp_port),
        console_client(built_site, data_dir, **settings) as console,
        worker_process(env),
        worker_process(env),
    ):
        numbers = [answered_complaint(console, email=f"person{n}@example.cn", phone="") for n in range(60)]
        until(lambda: len(mailbox.envelopes) >= 60, timeout=60, what="60 notices")
        jobs = until(lambda: _all_done(console, numbers), what="every job done")
        time.sleep(0.5)  # a duplicate send would have arrived by now
    assert len(mailbox.envelopes) == 60 and len(set(mailbox.ids())) == 60
    assert {to for e in mailbox.envelopes for to in e.rcpt_tos} == {
        f"person{n}@example.cn" for n in range(60)
    }
    assert all(job.attempts == 1 for job in jobs)
    assert len({job.history[-1]["worker"] for job in jobs}) == 2  # both took part


def _all_done(console: Any, numbers: list[str]) -> list[Any] | None:
    jobs = [job for number in numbers for job in store_of(console).jobs_of(number)]
    return jobs if len(jobs) == len(numbers) and all(job.status == "done" for job in jobs) else None


def test_a_worker_beside_a_server_on_the_embedded_store_is_refused_with_why(
    built_site: Path, tmp_path: Path
) -> None:
    data_dir, port = tmp_path / "data", free_port()
    env = environment(data_dir, free_port())
    with server_process(built_site, data_dir, port, **env):
        refused = subprocess.run(
            [sys.executable, "-m", "forms_api.cli", "worker", "--once"],
            cwd=ROOT,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert refused.returncode == 1
    assert "正被 ipps serve 使用" in refused.stderr and "无需另行运行 ipps worker" in refused.stderr


def test_jobs_in_server_takes_auto_yes_or_no(tmp_path: Path) -> None:
    from forms_api.settings import SettingsError, load

    assert load({}, tmp_path).jobs_in_server == "auto"
    assert load({"IPPS_JOBS_IN_SERVER": "No"}, tmp_path).jobs_in_server == "no"
    with pytest.raises(SettingsError, match=r"jobs_in_server.*auto、yes、no"):
        load({"IPPS_JOBS_IN_SERVER": "sometimes"}, tmp_path)


def test_department_mailboxes_come_as_pairs_or_a_table(tmp_path: Path) -> None:
    from forms_api.settings import SettingsError, load

    pairs = load(
        {"IPPS_DEPARTMENT_EMAILS": "copyright-bureau=bqc@x.cn, market-regulation = sj@x.cn"}, tmp_path
    )
    assert pairs.department_mailboxes == {"copyright-bureau": "bqc@x.cn", "market-regulation": "sj@x.cn"}
    (tmp_path / "ipps.toml").write_text(
        '[department_emails]\ncopyright-bureau = "bqc@x.cn"\n', encoding="utf-8"
    )
    assert load({}, tmp_path).department_mailboxes == {"copyright-bureau": "bqc@x.cn"}
    with pytest.raises(SettingsError, match="department_emails 中的「copyright-bureau」无效"):
        load({"IPPS_DEPARTMENT_EMAILS": "copyright-bureau"}, tmp_path)
