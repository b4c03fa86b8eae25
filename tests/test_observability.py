"""What an operator sees: /metrics (off by default, only for listed addresses, added up over
several workers), request ids, and JSON log lines that carry them and no personal data; all
against ``ipps serve`` as it runs in production (its own process)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.console import HttpStaff, add_staff
from tests.engines import engine_for
from tests.mail import free_port
from tests.test_api_durability import post_json, server_process
from tests.test_cases_complaints import complaint

PHONE, NAME, EMAIL = "13912345678", "周敏", "zhoumin@example.cn"


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, Any, str]:
    """Status, headers (looked up by any case) and body."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.headers, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a /metrics answer by (name, labels)."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_metrics_are_off_unless_addresses_are_listed(built_site: Path, tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with server_process(built_site, tmp_path / "a", port):
        assert fetch(base + "/metrics")[0] == 404
    with server_process(built_site, tmp_path / "b", port, IPPS_METRICS_ALLOW="10.0.0.0/8,192.0.2.7"):
        status, _, body = fetch(base + "/metrics")
        assert status == 404 and "ipps_" not in body  # as any unknown page: nothing tells it exists


def test_metrics_count_requests_submissions_writes_jobs_and_overdue_work(
    built_site: Path, tmp_path: Path
) -> None:
    data_dir, port = tmp_path / "data", free_port()
    base = f"http://127.0.0.1:{port}"
    add_staff(data_dir)
    with server_process(built_site, data_dir, port, IPPS_METRICS_ALLOW="127.0.0.1", IPPS_JOBS_IN_SERVER="no"):
        before = samples(fetch(base + "/metrics")[2])
        for _ in range(3):
            assert post_json(base + "/", "api/complaints", complaint(phone=PHONE))[0] == 201
        staff = HttpStaff(base)
        staff.log_in("sun")
        _, receipt = post_json(base + "/", "api/complaints", complaint(phone=PHONE))
        assert staff.act(receipt["receipt_no"], "answer", text="已增开窗口。") == 200  # queues a notice
        after = samples(fetch(base + "/metrics")[2])

    def grew(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    assert grew("ipps_submissions_total", kind="complaint") == 4
    assert grew("ipps_http_requests_total", route="/api/complaints", method="POST", status="201") == 4
    assert grew("ipps_http_request_seconds_count", route="/api/complaints") == 4
    assert (
        grew(
            "ipps_http_requests_total",
            route="/staff/records/{receipt_no}/actions/{action}",
            method="POST",
            status="303",
        )
        == 1
    )
    assert grew("ipps_store_write_seconds_count", engine="embedded") >= 5
    assert after[("ipps_jobs", (("status", "queued"),))] >= 1  # the notice, no runner in this server
    assert after[("ipps_overdue_records", (("kind", "complaint"),))] == 0
    assert not any(
        "receipt" in dict(labels).get("route", "").replace("{receipt_no}", "") for _, labels in after
    )


def test_every_answer_has_a_request_id_and_a_proxys_is_kept(built_site: Path, tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with server_process(built_site, tmp_path / "data", port):
        _, headers, _ = fetch(base + "/api/health")
        assert len(headers["X-Request-ID"]) == 16
        _, headers, _ = fetch(base + "/api/health", {"X-Request-ID": "nginx-3f2a9c0d1e"})
        assert headers["X-Request-ID"] == "nginx-3f2a9c0d1e"
        forged = 'x" {"level": "fake"}'  # not an id: replaced, never written into a log line
        _, headers, _ = fetch(base + "/api/health", {"X-Request-ID": forged})
        assert headers["X-Request-ID"] != forged and len(headers["X-Request-ID"]) == 16


def test_logs_are_json_lines_with_the_request_id_and_no_personal_data(
    built_site: Path, tmp_path: Path
) -> None:
    data_dir, port = tmp_path / "data", free_port()
    base = f"http://127.0.0.1:{port}"
    add_staff(data_dir)
    with server_process(built_site, data_dir, port, IPPS_LOG_FORMAT="json") as process:
        status, receipt = post_json(
            base + "/", "api/complaints", complaint(name=NAME, phone=PHONE, email=EMAIL)
        )
        assert status == 201
        code = receipt["lookup_code"]
        assert fetch(f"{base}/api/lookup/{receipt['receipt_no']}?code={code}")[0] == 200
        staff = HttpStaff(base)
        staff.log_in("sun")
        staff.get(f"/staff/records/{receipt['receipt_no']}")
        assert staff.act(receipt["receipt_no"], "answer", text=f"{NAME}您好，已增开窗口。") == 200
        assert fetch(base + "/api/health", {"X-Request-ID": "probe-0123456789"})[0] == 200
    printed = process.log.read_text(encoding="utf-8").splitlines()
    lines = [json.loads(line) for line in printed if line.startswith("{")]  # the logs, not the banner
    text = json.dumps(lines, ensure_ascii=False)
    for secret in (NAME, PHONE, EMAIL, code, "zhoumin"):
        assert secret not in text, secret
    access = [line for line in lines if line["logger"] == "ipps.access"]
    assert all(
        {"ts", "level", "request_id", "method", "route", "status", "ms", "client"} <= set(a) for a in access
    )
    assert {"route": "/api/lookup/{receipt_no}", "status": 200} in [
        {k: a[k] for k in ("route", "status")} for a in access
    ]
    assert any(a["request_id"] == "probe-0123456789" and a["route"] == "/api/health" for a in access)
    answered = next(a for a in access if a["route"].endswith("/actions/{action}"))
    sms = [line for line in lines if line["logger"] == "ipps.sms"]  # the notice the answer queued
    assert sms and sms[0]["request_id"] == answered["request_id"]


@pytest.fixture
def database(pg_cluster: Any, tmp_path: Path) -> str:
    return engine_for("postgres", pg_cluster, tmp_path).url  # type: ignore[return-value]


def test_two_workers_metrics_add_up(built_site: Path, tmp_path: Path, database: str) -> None:
    """With --workers 2 each worker counts into the shared folder: whichever worker answers
    /metrics, it counts every submission."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    environment = {"IPPS_DATABASE_URL": database, "IPPS_METRICS_ALLOW": "127.0.0.1"}
    with server_process(built_site, tmp_path / "data", port, "--workers", "2", **environment):
        for _ in range(40):
            assert post_json(base + "/", "api/complaints", complaint(phone=PHONE))[0] == 201
        totals = {
            samples(fetch(base + "/metrics")[2])[("ipps_submissions_total", (("kind", "complaint"),))]
            for _ in range(6)
        }
    assert totals == {40.0}
