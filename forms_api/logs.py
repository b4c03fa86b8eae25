"""Structured logs: one JSON object per line, with the request or job they belong to.

Every request gets an id (:data:`REQUEST_ID`; a well-formed ``X-Request-ID`` from the proxy is
kept, so nginx's id and ours are the same), which the answer's ``X-Request-ID`` header carries,
every log line written while handling it includes, and the jobs it queues carry on, so that
a notice's log lines name the request that caused it. ``ipps serve`` and ``ipps worker`` call
:func:`configure` with the ``log_format`` setting (``json``, the default, or ``text`` for a
person at a terminal).

Personal data never goes into a log line: requests are logged by route template (a receipt
number appears only as ``{receipt_no}``), without query strings (lookup codes travel in them),
and the messages of this code name receipt numbers and job ids, not people.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import secrets
import sys
from typing import Any

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("ipps_request_id", default="")
"""The id of the request (or, in a worker, the job) being handled."""

_WELL_FORMED = re.compile(r"[A-Za-z0-9._-]{8,64}")


def request_id(offered: str | None) -> str:
    """``offered`` (a proxy's ``X-Request-ID``) when it is well formed, else a new id."""
    if offered and _WELL_FORMED.fullmatch(offered):
        return offered
    return secrets.token_hex(8)


class JsonFormatter(logging.Formatter):
    """``{"ts", "level", "logger", "message", "request_id", …}``; what a call passes in
    ``extra={"fields": {...}}`` is added as keys."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if current := REQUEST_ID.get():
            line["request_id"] = current
        line.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = getattr(record, "fields", None)
        extra = " ".join(f"{k}={v}" for k, v in (fields or {}).items())
        current = REQUEST_ID.get()
        return " ".join(part for part in (text, extra, f"[{current}]" if current else "") if part)


def configure(fmt: str = "json", level: int = logging.INFO) -> None:
    """Send the service's logs (``ipps.*``) to standard error, one line each, in ``fmt``."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter() if fmt == "json" else TextFormatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    )
    logger = logging.getLogger("ipps")
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False
