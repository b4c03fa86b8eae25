"""培训讲座报名 over HTTP (F.1.4), under ``/api``:

- ``GET /api/events/{event_id}``: the places, how many are taken and how many wait;
- ``POST /api/registrations`` (``event``, ``name``, ``organisation``, ``phone``): 201 with the
  receipt; ``status`` 已报名, or 候补 with the place in the queue (``waitlist``);
- ``POST /api/registrations/cancel`` (``receipt_no``, ``code``): the place goes to the first
  on the waitlist in the same write.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from forms_api.domain.registrations import Registrations

from .appointments import endpoint
from .responses import error_response


def registrations_of(request: Request) -> Registrations:
    return request.app.state.registrations


async def event_counts(request: Request) -> Response:
    registrations = registrations_of(request)
    event = registrations.event(request.path_params["event_id"])
    if event is None:
        return error_response(request, 404, "not_found", "没有这个讲座或培训")
    return JSONResponse({"event": event.id, "title": event.title, **await registrations.counts(event)})


async def _register(registrations: Registrations, values: dict[str, Any], channel: str) -> Any:
    return await registrations.register(values, channel)


async def _cancel(registrations: Registrations, values: dict[str, Any], _: str) -> Any:
    return await registrations.cancel(values)


ROUTES = [
    Route("/events/{event_id}", event_counts, methods=["GET"]),
    Route(
        "/registrations",
        endpoint(
            "registration", _register, limiter="submission_limiter", created=True, state="registrations"
        ),
        methods=["POST"],
    ),
    Route(
        "/registrations/cancel",
        endpoint(
            "registration_cancel", _cancel, limiter="lookup_limiter", created=False, state="registrations"
        ),
        methods=["POST"],
    ),
]
