"""The ``ipps`` entry point: one parser, each subcommand registered by the code it serves."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from forms_api import backup_cli, faq_cli
from forms_api.evaluation import report_cli, results_cli
from forms_api.staff import cli as staff_cli
from generator import cli as catalog_cli

from . import serve, text


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ipps",
        description="知识产权公共服务平台：校验事项目录、生成站点、运行在线受理服务。",
    )
    commands = parser.add_subparsers(dest="command", metavar="命令", required=True)
    catalog_cli.add_commands(commands)
    serve.add_commands(commands)
    staff_cli.add_commands(commands)
    backup_cli.add_commands(commands)
    faq_cli.add_commands(commands)
    report_cli.add_commands(commands)
    results_cli.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    text.install()
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
