"""``ipps serve``: the built site and the forms service on one port (uvicorn).

Exit status: 0 after a normal stop (Ctrl+C), 2 when the settings, the site or the data
directory cannot be used (the message says which).
"""

from __future__ import annotations

import argparse
import dataclasses
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
    serve.set_defaults(handler=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from forms_api.app import create_app
    from forms_api.settings import SettingsError, load
    from forms_api.storage.embedded.store import StoreUnavailable
    from forms_api.storage.engines import check_before_serving
    from forms_api.storage.postgres.migrations import SchemaMismatch

    try:
        settings = load()
        if args.site_dir is not None:
            settings = dataclasses.replace(settings, site_dir=args.site_dir)
        check_before_serving(settings)
        app = create_app(settings)
    except (SettingsError, FileNotFoundError, OSError, SchemaMismatch, StoreUnavailable) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    print(f"网站和在线服务：http://{args.host}:{args.port}/（按 Ctrl+C 停止）")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return EXIT_OK
