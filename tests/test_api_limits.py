"""Limits against mistakes and abuse, and the service's description of itself."""

from __future__ import annotations

import re

import pytest

from forms_api.web import appointments, corrections, registrations, verify
from forms_api.web.routes import ROUTES
from tests.api import JSON, client, consultation, pdf, pledge_fields, pledge_files, store_of

MB = 1024 * 1024


def test_a_body_over_the_limit_gets_413_in_chinese(built_site, tmp_path) -> None:
    with client(built_site, tmp_path / "data", max_body_mb=1) as api:
        files = pledge_files(pledge_contract=pdf(2 * MB))
        answer = api.post("/api/applications", data=pledge_fields(), files=files, headers=JSON)
        assert answer.status_code == 413
        error = answer.json()["error"]
        assert error["code"] == "payload_too_large"
        assert "1 MB" in error["message"]
        assert store_of(api).count("application") == 0


def test_a_body_without_a_declared_length_is_cut_off_too(built_site, tmp_path) -> None:
    def chunks():
        for _ in range(40):
            yield b"x" * 64 * 1024

    with client(built_site, tmp_path / "data", max_body_mb=1) as api:
        answer = api.post(
            "/api/consultations", content=chunks(), headers={"Content-Type": "application/json", **JSON}
        )
        assert answer.status_code == 413


def test_submissions_per_client_are_limited(built_site, tmp_path) -> None:
    with client(built_site, tmp_path / "data", rate_limit="3/minute") as api:
        codes = [api.post("/api/consultations", json=consultation()).status_code for _ in range(4)]
        assert codes == [201, 201, 201, 429]
        refused = api.post("/api/consultations", json=consultation())
        assert refused.json()["error"]["code"] == "rate_limited"
        wait = int(refused.headers["Retry-After"])
        assert 1 <= wait <= 60
        assert f"{wait} 秒" in refused.json()["error"]["message"]
        assert store_of(api).count("consultation") == 3


def test_too_many_fields_are_refused(built_site, tmp_path) -> None:
    with client(built_site, tmp_path / "data", max_fields=10) as api:
        data = {**consultation(), **{f"extra{i}": "x" for i in range(20)}}
        answer = api.post("/api/consultations", data=data, files={"f": ("a.txt", b"a")}, headers=JSON)
        assert answer.status_code == 400
        assert "数量过多" in answer.json()["error"]["message"]


def test_files_are_refused_where_a_form_takes_none(api) -> None:
    answer = api.post(
        "/api/consultations", data=consultation(), files={"attachment": ("a.pdf", pdf())}, headers=JSON
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "bad_form"


def test_an_overlong_field_is_refused_before_it_is_read_whole(api) -> None:
    answer = api.post("/api/consultations", data=consultation(message="字" * 100_000), files={}, headers=JSON)
    assert answer.status_code in (400, 422)
    assert "error" in answer.json()


def test_posts_from_other_sites_are_refused(api) -> None:
    answer = api.post("/api/consultations", json=consultation(), headers={"Origin": "https://evil.example"})
    assert answer.status_code == 403
    assert "evil.example" in answer.json()["error"]["message"]
    same_site = api.post(
        "/api/consultations", json=consultation(), headers={"Origin": "http://127.0.0.1:8000"}
    )
    assert same_site.status_code == 201


def test_allowed_origins_may_post_and_see_cors_headers(built_site, tmp_path) -> None:
    with client(built_site, tmp_path / "data", allowed_origins=("https://zwfw.fujian.gov.cn",)) as api:
        origin = {"Origin": "https://zwfw.fujian.gov.cn"}
        answer = api.post("/api/consultations", json=consultation(), headers=origin)
        assert answer.status_code == 201
        assert answer.headers["access-control-allow-origin"] == "https://zwfw.fujian.gov.cn"
        preflight = api.options(
            "/api/consultations",
            headers={**origin, "Access-Control-Request-Method": "POST"},
        )
        assert preflight.status_code == 200
        other = api.post(
            "/api/consultations", json=consultation(), headers={"Origin": "https://other.example"}
        )
        assert other.status_code == 403


def test_requests_for_unknown_hosts_are_refused(api) -> None:
    answer = api.get("/api/health", headers={"Host": "attacker.example"})
    assert answer.status_code == 400


def test_the_platforms_own_domain_is_trusted(api, catalog) -> None:
    from urllib.parse import urlsplit

    host = urlsplit(catalog.platform.website).hostname
    assert api.get("/api/health", headers={"Host": host}).status_code == 200


def test_unknown_api_paths_and_methods_answer_json_errors(api) -> None:
    missing = api.get("/api/nothing-here")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    wrong_method = api.get("/api/consultations")
    assert wrong_method.status_code == 405
    assert re.search(r"[\u4e00-\u9fff]", wrong_method.json()["error"]["message"])


def test_health_says_only_that_the_process_is_alive(api) -> None:
    api.post("/api/consultations", json=consultation())
    answer = api.get("/api/health")
    assert answer.json() == {"status": "ok"}  # no counts of anything stored
    assert answer.headers["cache-control"] == "no-store"


def test_ready_when_the_store_would_store_a_submission(api) -> None:
    assert api.get("/api/ready").json() == {"status": "ready"}


def test_not_ready_while_the_disk_refuses_writes(built_site, tmp_path, monkeypatch) -> None:
    """The embedded store after a write the disk refused: 503 with why, ready again after a
    write that succeeds."""
    import errno
    import os

    from tests.api import client

    with client(built_site, tmp_path / "data", jobs_in_server="no") as api:
        real, armed = os.fsync, {"on": True}

        def fsync(fd: int) -> None:
            if armed["on"]:  # the next write is refused, once
                armed["on"] = False
                raise OSError(errno.ENOSPC, "No space left on device")
            real(fd)

        monkeypatch.setattr(os, "fsync", fsync)
        assert api.post("/api/consultations", json=consultation()).status_code == 503
        answer = api.get("/api/ready")
        assert answer.status_code == 503 and answer.json()["status"] == "not_ready"
        assert "磁盘拒绝" in answer.json()["reason"]
        assert api.get("/api/health").status_code == 200  # alive all the same
        assert api.post("/api/consultations", json=consultation()).status_code == 201
        assert api.get("/api/ready").status_code == 200


def test_openapi_describes_every_endpoint_and_schema(api) -> None:
    from openapi_spec_validator import validate

    spec = api.get("/api/openapi.json").json()
    validate(spec)  # a valid OpenAPI 3.1 document
    paths = spec["paths"]
    for route in [*ROUTES, *corrections.ROUTES, *verify.ROUTES, *appointments.ROUTES, *registrations.ROUTES]:
        path = "/api" + route.path
        assert path in paths, path
        for method in route.methods - {"HEAD"}:
            assert method.lower() in paths[path], (path, method)
    schemas = spec["components"]["schemas"]
    consultation_schema = schemas["Consultation"]
    assert {"name", "phone", "email", "item_code", "subject", "message"} <= set(
        consultation_schema["properties"]
    )
    assert "name" in consultation_schema["required"]
    assert schemas["Rating"]["properties"]["level"]["enum"] == ["1", "2", "3", "4", "5"]
    assert {"code", "message", "fields"} <= set(schemas["Error"]["properties"]["error"]["properties"])


@pytest.mark.parametrize("path", ["/api/consultations", "/api/applications", "/api/ratings"])
def test_openapi_names_the_error_answers_of_each_submission(api, path: str) -> None:
    responses = api.get("/api/openapi.json").json()["paths"][path]["post"]["responses"]
    assert {"201", "400", "413", "422", "429"} <= set(responses)
