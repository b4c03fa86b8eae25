"""``ipps serve``: the built site and the forms service on one port (uvicorn).

Exit status: 0 after a normal stop (Ctrl+C), 2 when the settings, the site or the data
directory cannot be used (the message says which).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import sys
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_USAGE = 0, 2


def add_commands(commands: Any) -> None:
    serve = commands.add_parser(
        "serve", help="在本机提供网站和在线服务", description="提供已生成的网站（site/）和在线服务接口。"
    )
    serve.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    serve.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
    serve.add_argument("--site-dir", type=Path, help="网站目录（默认取设置，通常为 site）")
    serve.add_argument(
        "--workers",
        type=_workers,
        default=1,
        metavar="N",
        help="工作进程数（默认 1；大于 1 需使用 PostgreSQL 数据库，即设置 database_url）",
    )
    serve.set_defaults(handler=cmd_serve)


def _workers(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"工作进程数应为 1 至 {MAX_WORKERS} 之间的整数，而不是「{text}」")
    return int(text)


MAX_WORKERS = 64


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from forms_api import logs
    from forms_api.app import create_app
    from forms_api.console.sessions import SessionManager
    from forms_api.settings import SettingsError, load
    from forms_api.storage.crypto import Vault
    from forms_api.storage.embedded.store import StoreUnavailable
    from forms_api.storage.engines import check_before_serving
    from forms_api.storage.keys import KeyFileError
    from forms_api.storage.postgres.migrations import SchemaMismatch
    from forms_api.storage.signing import Signer, signing_key_path

    try:
        settings = load()
        if args.site_dir is not None:
            settings = dataclasses.replace(settings, site_dir=args.site_dir)
        if args.workers > 1 and settings.engine == "embedded":
            print(
                f"内置数据存储只能由一个进程使用，不能以 {args.workers} 个工作进程运行：多进程、多主机部署请改用 "
                "PostgreSQL（在设置文件中设置 database_url，或设置环境变量 IPPS_DATABASE_URL），"
                "并先运行 ipps db upgrade；或去掉 --workers 以单进程运行",
                file=sys.stderr,
            )
            return EXIT_USAGE
        # The keys are made here, before any worker starts, and checked against the database.
        keys = {
            "data": Vault.open(settings.key_path).fingerprint,
            "session": SessionManager.open(settings.data_dir).fingerprint,
            "signing": Signer.open(signing_key_path(settings.data_dir)).fingerprint,
        }
        check_before_serving(settings, keys)
        app = create_app(settings)  # fails fast on an unbuilt site or a bad catalog
    except (SettingsError, FileNotFoundError, OSError, SchemaMismatch, StoreUnavailable, KeyFileError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    print(f"网站和在线服务：http://{args.host}:{args.port}/（按 Ctrl+C 停止）")
    if args.workers == 1:
        logs.configure(settings.log_format)
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
        return EXIT_OK
    if settings.metrics_allow:  # the workers count into one folder, emptied now (before any starts)
        folder = settings.data_dir / "tmp" / "metrics"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, mode=0o700)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    # Each worker process imports the application anew and reads the same settings; the
    # command line's site folder reaches them through the environment, and so does "auto"
    # background jobs: with several workers they are left to `ipps worker`.
    os.environ["IPPS_SITE_DIR"] = str(settings.site_dir)
    if settings.jobs_in_server == "auto":
        os.environ["IPPS_JOBS_IN_SERVER"] = "no"
        print("后台任务（通知等）由 ipps worker 执行：请另行启动 ipps worker（或设置 jobs_in_server = yes）")
    uvicorn.run(
        "forms_api.app:worker_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="warning",
    )
    return EXIT_OK
