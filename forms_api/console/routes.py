"""The console's routes under ``/staff/`` and its templates.

The application mounts :data:`ROUTES` at ``/staff`` and renders the console's pages with
:data:`TEMPLATES` as ``staff/…``. Who may open each route is the ``@page(...)`` line of its
handler (:mod:`.access`); the role matrix test walks this list.
"""

from __future__ import annotations

from jinja2 import PackageLoader
from starlette.routing import Route

from . import appointments, audit, events, exports, jobs, login, measures, records, workbench

TEMPLATES = PackageLoader("forms_api.console", "templates")
"""The console's page templates (forms_api/console/templates/), named ``staff/…`` in use."""

ROUTES = [
    Route("/", workbench.home, methods=["GET"]),
    *records.ROUTES,
    Route("/audit", audit.audit_log, methods=["GET"]),
    *measures.ROUTES,
    Route("/export", exports.export_page, methods=["GET"]),
    Route("/export", exports.download, methods=["POST"]),
    *jobs.ROUTES,
    *appointments.ROUTES,
    *events.ROUTES,
    Route("/login", login.login_form, methods=["GET"]),
    Route("/login", login.login, methods=["POST"]),
    Route("/logout", login.logout, methods=["POST"]),
]
