"""The ``ipps`` entry point: one parser, each subcommand registered by the code it serves."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from generator import cli as catalog_cli

from . import audit, backup, db, faq, keys, report, results, retention, serve, store, text, users, worker


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ipps",
        description="知识产权公共服务平台：校验事项目录、生成站点、运行在线受理服务。",
    )
    commands = parser.add_subparsers(dest="command", metavar="命令", required=True)
    catalog_cli.add_commands(commands)
    serve.add_commands(commands)
    users.add_commands(commands)
    backup.add_commands(commands)
    faq.add_commands(commands)
    report.add_commands(commands)
    results.add_commands(commands)
    db.add_commands(commands)
    store.add_commands(commands)
    worker.add_commands(commands)
    retention.add_commands(commands)
    audit.add_commands(commands)
    keys.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    text.install()
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
