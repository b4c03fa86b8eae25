"""The service's Prometheus metrics (prometheus-client), defined once, counted where they happen.

Counted as they happen, in the process that does the work:

- ``ipps_http_requests_total{route,method,status}`` and ``ipps_http_request_seconds{route}``
  (:mod:`forms_api.web.observe`; the route is the template, ``/api/lookup/{receipt_no}``);
- ``ipps_submissions_total{kind}``: submissions stored (201);
- ``ipps_store_write_seconds{engine}``: from a write's start until it is durable;
- ``ipps_jobs_run_total{task,outcome}``: job attempts, done / retry / failed;
- ``ipps_notices_total{channel,outcome}``: notices sent or failed, per attempt.

Read from the store when ``/metrics`` is asked (so they are right whichever process or host
did the work): ``ipps_jobs{status}`` (queued, running, failed) and ``ipps_overdue_records{kind}``.

With ``ipps serve --workers N`` the workers count into files in a directory the master
empties at start (prometheus-client's multiprocess mode), so any worker's ``/metrics`` shows
them all. ``ipps worker --metrics-port`` shows what a worker process counted.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter("ipps_http_requests", "HTTP requests answered", ["route", "method", "status"])
REQUEST_SECONDS = Histogram(
    "ipps_http_request_seconds", "Time to answer a request", ["route"], buckets=LATENCY
)
SUBMISSIONS = Counter("ipps_submissions", "Submissions stored (answered 201)", ["kind"])
STORE_WRITE_SECONDS = Histogram(
    "ipps_store_write_seconds",
    "From a store write's start until it is durable",
    ["engine"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
)
JOBS_RUN = Counter("ipps_jobs_run", "Job attempts by outcome", ["task", "outcome"])
NOTICES = Counter(
    "ipps_notices", "Notices to applicants by channel and outcome, per attempt", ["channel", "outcome"]
)
