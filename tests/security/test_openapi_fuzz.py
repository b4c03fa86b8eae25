"""Schemathesis against /api/openapi.json: requests it generates from the description, valid
and not, to every operation of the real server; none may be answered 5xx.

Schemathesis's own pytest plugin does not run under this pytest, so its schema and strategies
are driven with Hypothesis here, a bounded number of examples per operation."""

from __future__ import annotations

from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.conftest import start_service

EXAMPLES = 40


def test_no_generated_request_makes_the_server_fail(built_site: Path, tmp_path: Path) -> None:
    base, server, thread = start_service(built_site, tmp_path / "data", rate_limit="0")
    try:
        schema = schemathesis.openapi.from_url(base + "api/openapi.json")
        failures: list[str] = []
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 8  # every endpoint of the public contract is exercised

        for operation in operations:
            exercise(operation, base.rstrip("/"), failures)
        assert failures == []
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def exercise(operation: object, base: str, failures: list[str]) -> None:
    """Up to :data:`EXAMPLES` generated requests to one operation; the 5xx answers noted."""

    @given(case=operation.as_strategy())  # type: ignore[attr-defined]
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def call(case: object) -> None:
        response = case.call(base_url=base)  # type: ignore[attr-defined]
        if response.status_code >= 500:
            failures.append(f"{operation.label}: {response.status_code} {response.text[:200]}")  # type: ignore[attr-defined]

    call()
