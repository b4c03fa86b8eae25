"""The web application: the built site and, on the same port, the forms API.

One process, one port (``ipps serve``): ``/api/…`` is the service, everything else the
static site from ``site/``. The store is opened when the application starts and closed
(shards written, journal emptied) when it stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from forms_api.console import routes as console_routes
from forms_api.console.access import Console
from forms_api.console.exports import clear_exports
from forms_api.console.sessions import SessionManager
from forms_api.delivery.notifier import notifier_from_settings
from forms_api.domain.appointments import Appointments
from forms_api.domain.casework import Casework
from forms_api.domain.columns import columns_of
from forms_api.domain.jobs.tasks import runner as job_runner
from forms_api.domain.measures import Measures
from forms_api.domain.registrations import Registrations
from forms_api.domain.staff.accounts import Accounts
from forms_api.domain.staff.attempts import LoginAttempts
from forms_api.domain.submissions import Service
from forms_api.storage.blobs import blobs_for
from forms_api.storage.crypto import Vault
from forms_api.storage.engines import open_store
from forms_api.storage.signing import Signer, signing_key_path
from forms_api.web import (
    appointments,
    corrections,
    disclosure,
    display_mode,
    observe,
    openapi,
    registrations,
    verify,
)
from forms_api.web.disclosure import DisclosurePage
from forms_api.web.headers import SecurityHeaders
from forms_api.web.limits import MB, BodyLimit
from forms_api.web.observe import Observe
from forms_api.web.pages import Pages
from forms_api.web.responses import error_response
from forms_api.web.routes import CODE_GUESSES, ROUTES
from generator.catalog import load_catalog
from generator.site import urls

from . import logs
from . import settings as settings_module
from .settings import Settings

log = logging.getLogger("ipps")

LOGINS_PER_MINUTE = (20, 60.0)
"""Login attempts allowed from one client address."""

JOBS_STOP_SECONDS = 20
"""How long a stopping server waits for the background jobs in hand."""

LOOKUPS_PER_SUBMISSION = 3
"""Lookups are allowed at three times the submission rate: enough for people, too few to
guess lookup codes."""


def create_app(settings: Settings | None = None) -> Starlette:
    """The application; fails fast (FileNotFoundError) when the site has not been built."""
    settings = settings or settings_module.load()
    site_dir = settings.site_dir
    if not (site_dir / "index.html").is_file():
        raise FileNotFoundError(f"网站尚未生成：{site_dir}/index.html 不存在，请先运行 ipps build")
    catalog = load_catalog(settings.catalog_dir)
    notifier = notifier_from_settings(settings, catalog.platform.name)  # bad mail settings stop the start
    hosts = list(settings.trusted_hosts)
    if website_host := urlsplit(catalog.platform.website).hostname:
        hosts.append(website_host)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        store = await open_store(settings, columns=columns_of, freeze_gc=True)
        blobs = blobs_for(settings)
        if removed := blobs.clear_tmp():
            log.warning("removed %d unfinished upload(s) left by an earlier crash", removed)
        if removed := clear_exports(settings.data_dir):
            log.warning("removed %d export file(s) left by an earlier crash", removed)
        vault, sessions = Vault.open(settings.key_path), SessionManager.open(settings.data_dir)
        signer = Signer.open(signing_key_path(settings.data_dir))
        fingerprints = {
            "data": vault.fingerprint,
            "session": sessions.fingerprint,
            "signing": signer.fingerprint,
        }
        await store.check_keys(fingerprints)
        service = Service(settings, catalog, store, vault, blobs, signer)
        app.state.service = service
        app.state.casework = Casework(service)
        app.state.appointments = Appointments(service)
        app.state.registrations = Registrations(service)
        app.state.measures = Measures(service)
        app.state.pages = Pages(site_dir, service, {"staff": console_routes.TEMPLATES})
        app.state.disclosure = DisclosurePage(site_dir, app.state.pages.env)  # one template environment
        accounts, attempts = Accounts.of(settings), LoginAttempts.of(settings)
        app.state.console = Console(accounts, sessions, attempts)
        runner = app.state.runner = job_runner(app.state.casework, notifier, accounts)
        app.state.runs_jobs = settings.jobs_in_server != "no"
        app.state.code_guard = store.limiter("lookup-codes", *CODE_GUESSES)  # always, whatever rate_limit
        if rate := settings.rate:
            app.state.submission_limiter = store.limiter("submissions", *rate)
            app.state.lookup_limiter = store.limiter("lookups", rate[0] * LOOKUPS_PER_SUBMISSION, rate[1])
            # Password guesses per client address, over and above the per-account lockout: one
            # address cannot try many accounts quickly either. Off with the other limits.
            app.state.login_limiter = store.limiter("logins", *LOGINS_PER_MINUTE)
        stop = asyncio.Event()
        jobs = asyncio.create_task(runner.run(stop)) if app.state.runs_jobs else None
        try:
            yield
        finally:
            if jobs is not None:  # the jobs in hand are finished (a notice is not cut off)
                stop.set()
                try:
                    await asyncio.wait_for(jobs, JOBS_STOP_SECONDS)
                except TimeoutError:
                    log.warning("后台任务未能在 %d 秒内结束，将在下次启动后重新执行", JOBS_STOP_SECONDS)
            accounts.close()
            attempts.close()
            blobs.close()
            await store.close()

    middleware = [
        Middleware(Observe),
        Middleware(SecurityHeaders),
        Middleware(TrustedHostMiddleware, allowed_hosts=hosts),
        Middleware(BodyLimit, max_bytes=settings.max_body_mb * MB),
    ]
    if settings.allowed_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.allowed_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Content-Type", "Accept"],
            )
        )
    app = Starlette(
        routes=[
            Mount(
                "/api",
                routes=[
                    *ROUTES,
                    *corrections.ROUTES,
                    *verify.ROUTES,
                    *display_mode.ROUTES,
                    *appointments.ROUTES,
                    *registrations.ROUTES,
                ],
            ),
            Route("/" + display_mode.STYLESHEET, display_mode.stylesheet, methods=["GET", "HEAD"]),
            Route("/" + urls.APPOINTMENTS, appointments.booking_page, methods=["GET", "HEAD"]),
            Route("/" + urls.APPOINTMENTS + "manage", appointments.manage_page, methods=["GET", "HEAD"]),
            Route("/" + urls.DISCLOSURE, disclosure.page, methods=["GET", "HEAD"]),
            Mount("/staff", routes=console_routes.ROUTES),
            Route("/metrics", observe.metrics, methods=["GET"]),
            Mount("/", app=StaticFiles(directory=site_dir, html=True)),
        ],
        middleware=middleware,
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
        lifespan=lifespan,
    )
    app.state.submission_limiter = app.state.lookup_limiter = app.state.login_limiter = None
    app.state.openapi = openapi.build(catalog.platform.name)
    app.state.metrics_networks = observe.allowed_networks(settings.metrics_allow)
    app.state.pages = None
    app.state.disclosure = None
    app.state.runner = None
    app.state.runs_jobs = False
    return app


def worker_app() -> Starlette:
    """The application as each ``ipps serve --workers N`` process builds it: its logs set up
    first (the settings come from the environment the master left)."""
    settings = settings_module.load()
    logs.configure(settings.log_format)
    return create_app(settings)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if not request.url.path.startswith("/api/"):
        page = (
            Path(request.app.state.service.settings.site_dir) / "404.html" if exc.status_code == 404 else None
        )
        if page is not None and page.is_file():
            return Response(page.read_bytes(), 404, media_type="text/html")
    message = {404: "没有这个地址", 405: "这个地址不支持这种请求方式"}.get(exc.status_code, "请求有误")
    return error_response(
        request, exc.status_code, "not_found" if exc.status_code == 404 else "bad_request", message
    )


async def _server_error(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s", request.url.path, exc_info=exc)
    return error_response(
        request, 500, "internal_error", "服务内部出现问题，请稍后重试；如多次出现请联系我们"
    )
