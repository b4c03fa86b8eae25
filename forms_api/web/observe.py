"""Every request observed: an id, one log line, its metrics; and ``/metrics`` for Prometheus.

:class:`Observe` (ASGI middleware, outermost) gives each request its id (:mod:`forms_api.logs`),
answers it in ``X-Request-ID``, and when the answer is sent counts it by route template, method
and status, times it, and logs one ``ipps.access`` line: method, route template, status,
duration, client address. Not the path's values nor the query string: receipt numbers and
lookup codes stay out of the logs.

``GET /metrics`` is off unless ``metrics_allow`` lists addresses or networks; from any other
address it answers as an unknown page does (404). What the store knows (jobs by status,
overdue records by kind) is read at each scrape, so it is right whichever process or host did
the work.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import os
import time
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forms_api.domain.jobs.reminders import CLOCKED
from forms_api.domain.submissions import now
from forms_api.logs import REQUEST_ID, request_id
from forms_api.metrics import REQUEST_SECONDS, REQUESTS
from forms_api.storage.query import Query

access = logging.getLogger("ipps.access")


def route_of(scope: dict[str, Any]) -> str:
    """The route template the request matched (``/api/lookup/{receipt_no}``), ``static`` for
    the site's files, ``unmatched`` for none."""
    route = scope.get("route")
    if isinstance(route, Route):
        return scope.get("root_path", "") + route.path
    return "static" if route is not None else "unmatched"


class Observe:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        offered = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), None)
        current = request_id(offered)
        token = REQUEST_ID.set(current)
        started, status = time.perf_counter(), 500

        async def answer(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (b"x-request-id", current.encode())]
            await send(message)

        try:
            await self.app(scope, receive, answer)
        finally:
            took = time.perf_counter() - started
            route = route_of(scope)
            REQUESTS.labels(route, scope["method"], str(status)).inc()
            REQUEST_SECONDS.labels(route).observe(took)
            client = scope.get("client") or ("", 0)
            fields = {"method": scope["method"], "route": route, "status": status,
                      "ms": round(took * 1000, 1), "client": client[0]}  # fmt: skip
            access.info("%s %s %s", scope["method"], route, status, extra={"fields": fields})
            REQUEST_ID.reset(token)


def allowed_networks(entries: tuple[str, ...]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(entry, strict=False) for entry in entries]


async def metrics(request: Request) -> Response:
    networks = request.app.state.metrics_networks
    client = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        address = None
    if address is None or not any(address in network for network in networks):
        raise HTTPException(404)
    store = request.app.state.service.store
    today = now().date()
    jobs = await store.job_counts()
    overdue = await store.tally(
        {kind: Query(kind, due_until=today - dt.timedelta(days=1)) for kind in CLOCKED}
    )
    scraped = CollectorRegistry()
    scraped.register(_Gauges(jobs, overdue))
    body = generate_latest(_counted()) + generate_latest(scraped)
    return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})


def _counted() -> Any:
    """What this process (or, with several workers, every worker) counted."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


class _Gauges:
    def __init__(self, jobs: dict[str, int], overdue: dict[str, int]) -> None:
        self.jobs, self.overdue = jobs, overdue

    def collect(self) -> Any:
        jobs = GaugeMetricFamily(
            "ipps_jobs", "Background jobs by status (queued, running, failed)", labels=["status"]
        )
        for status, n in self.jobs.items():
            jobs.add_metric([status], n)
        yield jobs
        overdue = GaugeMetricFamily(
            "ipps_overdue_records", "Records past their due date, by kind", labels=["kind"]
        )
        for kind, n in self.overdue.items():
            overdue.add_metric([kind], n)
        yield overdue
