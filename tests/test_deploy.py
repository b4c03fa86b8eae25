"""The deployment recipe (deploy/) run for real: Debian's nginx with deploy/nginx/ipps.conf as
it is (only its port, site folder and upstream port replaced), in front of ``ipps serve
--workers 2`` and one ``ipps worker`` on a throwaway PostgreSQL, with a local SMTP server.
Through nginx: the static site, readiness, a submission, a staff answer whose notice the
worker delivers, the proxy's request id, the upload limit and the metrics."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from tests.conftest import ROOT
from tests.console import HttpStaff, add_staff
from tests.engines import engine_for
from tests.mail import free_port, local_smtp_server
from tests.test_api_durability import post_json, server_process
from tests.test_cases_complaints import complaint
from tests.test_jobs import environment, until, worker_process
from tests.test_observability import fetch, samples

RECIPE = ROOT / "deploy" / "nginx" / "ipps.conf"
REPLACED = {
    "port": "listen 80;",
    "site": "root /srv/ipps/site;",
    "upstream": "server 127.0.0.1:8000;",
}
"""What the test changes in the recipe, each of which must be there as written."""


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is missing; .ci/run installs Debian's nginx")
        pytest.skip("nginx not found: install Debian's nginx")
    return found


def site_config(port: int, site: Path, upstream: int) -> str:
    text = RECIPE.read_text(encoding="utf-8")
    for what, line in REPLACED.items():
        assert line in text, f"deploy/nginx/ipps.conf no longer has {line!r} ({what})"
    return (
        text.replace(REPLACED["port"], f"listen 127.0.0.1:{port};")
        .replace(REPLACED["site"], f"root {site};")
        .replace(REPLACED["upstream"], f"server 127.0.0.1:{upstream};")
    )


@contextlib.contextmanager
def nginx(folder: Path, port: int, site: Path, upstream: int) -> Iterator[None]:
    """nginx in the foreground with the recipe's server block, its files under ``folder``."""
    binary = nginx_binary()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ipps.conf").write_text(site_config(port, site, upstream), encoding="utf-8")
    temporary = {name: folder / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    main = f"""
user root;
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {folder}/access.log;
    client_body_temp_path {temporary["body"]};
    proxy_temp_path {temporary["proxy"]};
    fastcgi_temp_path {temporary["fastcgi"]};
    uwsgi_temp_path {temporary["uwsgi"]};
    scgi_temp_path {temporary["scgi"]};
    include {folder}/ipps.conf;
}}
"""
    (folder / "nginx.conf").write_text(main, encoding="utf-8")
    checked = subprocess.run([binary, "-t", "-c", str(folder / "nginx.conf")], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen([binary, "-c", str(folder / "nginx.conf")], stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            assert process.poll() is None and time.monotonic() < deadline, (folder / "error.log").read_text()
            time.sleep(0.05)
        yield
    finally:
        process.terminate()
        process.wait(timeout=20)


def post_bytes(url: str, size: int) -> tuple[int, Any]:
    request = urllib.request.Request(
        url, data=b"x" * size, headers={"Content-Type": "application/octet-stream"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


def test_the_recipe_serves_the_site_and_the_service_and_the_worker_sends_the_notice(
    built_site: Path, tmp_path: Path, pg_cluster: Any
) -> None:
    database = engine_for("postgres", pg_cluster, tmp_path).url or ""
    data_dir, app_port, port = tmp_path / "var", free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    add_staff(data_dir, database)
    with local_smtp_server() as (controller, inbox):
        env = environment(data_dir, controller.port, database, IPPS_METRICS_ALLOW="127.0.0.1")
        with (
            server_process(built_site, data_dir, app_port, "--workers", "2", **env),
            worker_process(env),
            nginx(tmp_path / "nginx", port, built_site, app_port),
        ):
            status, headers, body = fetch(base + "/")  # the static site, from nginx itself
            assert status == 200 and headers["Server"].startswith("nginx")
            home = BeautifulSoup(body, "html.parser")
            assert home.title.get_text().strip()
            served = fetch(f"http://127.0.0.1:{app_port}/")[1]  # the same page from the service
            for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options",
                           "Referrer-Policy", "Permissions-Policy", "Cross-Origin-Opener-Policy"):  # fmt: skip
                assert headers[header] == served[header], header  # the recipe says what the service says
            guide = next(a["href"] for a in home.select("a[href]") if "items/" in a["href"])
            assert fetch(base + "/" + guide.lstrip("./"))[0] == 200  # a guide page, by its link
            # 关怀模式 without JavaScript: the same stylesheet address, answered by the cookie
            care = (built_site / "assets/ipps/care.css").read_text(encoding="utf-8")
            standard = (built_site / "assets/ipps/mode.css").read_text(encoding="utf-8")
            for origin in (base, f"http://127.0.0.1:{app_port}"):
                status, headers, body = fetch(origin + "/assets/ipps/mode.css", {"Cookie": "ipps_mode=care"})
                assert (status, body) == (200, care) and "Cookie" in headers["Vary"], origin
                assert fetch(origin + "/assets/ipps/mode.css")[2] == standard != care, origin
            status, _, body = fetch(base + "/appointments/?item=patent-pledge")  # proxied: live places
            assert status == 200 and 'name="slot"' in body
            status, _, body = fetch(base + "/no/such/page")
            assert status == 404 and "<html" in body  # the site's own 404 page

            status, headers, body = fetch(base + "/api/ready")
            assert (status, body) == (200, '{"status":"ready"}')
            assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])  # nginx's $request_id, kept

            status, receipt = post_json(base + "/", "api/complaints", complaint(email="zhoumin@example.cn"))
            assert status == 201
            staff = HttpStaff(base)
            staff.log_in("sun")
            assert staff.act(receipt["receipt_no"], "answer", text="已增开窗口。") == 200
            until(lambda: inbox.envelopes, timeout=30, what="the notice the worker sends")
            (message,) = inbox.messages()
            assert receipt["receipt_no"] in message["Subject"] and message["To"] == "zhoumin@example.cn"

            status, headers = post_bytes(base + "/api/applications", 22 * 1024 * 1024)
            assert status == 413 and headers["Server"].startswith("nginx")  # stopped at the door

            status, _, text = fetch(base + "/metrics")
            assert status == 200
            counted = samples(text)
            assert counted[("ipps_submissions_total", (("kind", "complaint"),))] == 1
    access = (tmp_path / "nginx" / "access.log").read_text(encoding="utf-8")
    assert "POST /api/complaints" in access and "GET /staff/login" in access
