"""``ipps worker``: run background jobs (notices, reminders) beside ``ipps serve``.

With PostgreSQL any number of workers on any hosts take jobs from the same database, never the
same one twice. With the embedded store ``ipps serve`` runs them itself (one process owns the
data directory), so a worker only runs while the server does not, for example ``ipps worker
--once`` to send what is due after the server stopped.

Stops on SIGTERM or Ctrl+C after finishing the jobs in hand (a notice is not cut off).

Exit status: 0 after a normal stop (``--once``: when nothing more is due), 1 when the store
cannot be used (the message says why), 2 for settings that cannot be used.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path
from typing import Any

from .options import EXIT_FAILED, EXIT_OK, EXIT_USAGE, settings_from


def add_commands(commands: Any) -> None:
    worker = commands.add_parser(
        "worker",
        help="执行后台任务（通知、提醒等）",
        description="执行后台任务：向申请人发送通知等。使用 PostgreSQL 时可在多台主机上同时运行多个。",
    )
    worker.add_argument("--once", action="store_true", help="执行完当前到期的任务后退出")
    worker.add_argument("--data-dir", type=Path, help="数据目录（默认取设置，通常为 var）")
    worker.add_argument(
        "--metrics-port",
        type=int,
        metavar="端口",
        help="在此端口提供本进程的 Prometheus 指标（/metrics，只对设置 metrics_allow 中的地址开放）",
    )
    worker.add_argument(
        "--metrics-host", default="127.0.0.1", metavar="地址", help="指标端口的监听地址（默认 127.0.0.1）"
    )
    worker.set_defaults(handler=cmd_worker)


def cmd_worker(args: argparse.Namespace) -> int:
    from forms_api.settings import SettingsError

    if (settings := settings_from(args)) is None:
        return EXIT_USAGE
    from forms_api import logs

    logs.configure(settings.log_format)
    if args.metrics_port:
        if not settings.metrics_allow:
            print("未设置 metrics_allow：指标不对任何地址开放，请先设置允许读取指标的地址", file=sys.stderr)
            return EXIT_USAGE
        serve_metrics(args.metrics_host, args.metrics_port, settings.metrics_allow)
    try:
        return asyncio.run(_work(settings, args.once))
    except SettingsError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE


async def _work(settings: Any, once: bool) -> int:
    from forms_api.delivery.notifier import notifier_from_settings
    from forms_api.domain.casework import Casework
    from forms_api.domain.columns import columns_of
    from forms_api.domain.jobs.tasks import runner as job_runner
    from forms_api.domain.staff.accounts import Accounts
    from forms_api.domain.submissions import Service
    from forms_api.storage.blobs import blobs_for
    from forms_api.storage.crypto import Vault
    from forms_api.storage.embedded import StoreLocked
    from forms_api.storage.embedded.store import StoreUnavailable
    from forms_api.storage.engines import open_store
    from forms_api.storage.keys import KeyFileError
    from forms_api.storage.postgres.migrations import SchemaMismatch
    from forms_api.storage.signing import Signer, signing_key_path
    from generator.catalog import CatalogInvalid, load_catalog

    try:
        catalog = load_catalog(settings.catalog_dir)
    except (CatalogInvalid, FileNotFoundError) as exc:
        print(f"无法读取事项目录 {settings.catalog_dir}：{exc}", file=sys.stderr)
        return EXIT_USAGE
    notifier = notifier_from_settings(settings, catalog.platform.name)
    try:
        vault = Vault.open(settings.key_path)
        store = await open_store(settings, columns=columns_of)
    except StoreLocked:
        print(
            f"数据目录 {settings.data_dir} 正被 ipps serve 使用：使用内置存储时由服务进程自行执行后台任务，"
            "无需另行运行 ipps worker",
            file=sys.stderr,
        )
        return EXIT_FAILED
    except (StoreUnavailable, SchemaMismatch, KeyFileError, OSError) as exc:
        print(f"无法打开办件数据：{exc}", file=sys.stderr)
        return EXIT_FAILED
    blobs, accounts = blobs_for(settings), Accounts.of(settings)
    try:
        signer = Signer.open(signing_key_path(settings.data_dir))
        await store.check_keys({"data": vault.fingerprint, "signing": signer.fingerprint})
        service = Service(settings, catalog, store, vault, blobs, signer)
        runner = job_runner(Casework(service), notifier, accounts)
        if once:
            ran = await runner.drain()
            print(f"已执行到期的后台任务 {ran} 个")
            return EXIT_OK
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        print(f"后台任务进程 {runner.worker} 已启动（按 Ctrl+C 停止）", flush=True)
        await runner.run(stop)
        return EXIT_OK
    except (StoreUnavailable, KeyFileError) as exc:
        print(f"后台任务进程停止：{exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        accounts.close()
        blobs.close()
        await store.close()


def serve_metrics(host: str, port: int, allowed: tuple[str, ...]) -> None:
    """This process's metrics at ``http://host:port/metrics``, in a thread, for the addresses
    ``allowed`` (others get 404)."""
    import ipaddress
    import threading
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from prometheus_client import make_wsgi_app

    networks = [ipaddress.ip_network(entry, strict=False) for entry in allowed]
    exposition = make_wsgi_app()

    def guarded(environ: dict[str, Any], start_response: Any) -> Any:
        try:
            address = ipaddress.ip_address(environ.get("REMOTE_ADDR", ""))
        except ValueError:
            address = None
        if (
            environ.get("PATH_INFO") != "/metrics"
            or address is None
            or not any(address in n for n in networks)
        ):
            start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"not found"]
        return exposition(environ, start_response)

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args: Any) -> None:  # no access lines of its own
            pass

    server = make_server(host, port, guarded, handler_class=Quiet)
    threading.Thread(target=server.serve_forever, name="ipps-metrics", daemon=True).start()
