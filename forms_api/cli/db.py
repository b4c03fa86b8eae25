"""``ipps db upgrade`` and ``ipps db status``: the PostgreSQL schema (:mod:`forms_api.storage.postgres.migrations`).

::

    ipps db upgrade [--database-url URL]   # apply the migrations the database lacks
    ipps db status  [--database-url URL]   # the database's schema version against this code's

The database is the ``database_url`` setting (``IPPS_DATABASE_URL``) unless ``--database-url``
names one. Exit status: 0 done (status: up to date), 1 failed or behind, 2 no database named.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .options import EXIT_FAILED, EXIT_OK, EXIT_USAGE


def add_commands(commands: Any) -> None:
    db = commands.add_parser(
        "db", help="PostgreSQL 数据库结构", description="建立或升级 PostgreSQL 中的办件数据表。"
    )
    actions = db.add_subparsers(dest="db_command", metavar="操作", required=True)
    for name, help_text, handler in (
        ("upgrade", "建立或升级数据表（按版本逐个执行迁移）", cmd_upgrade),
        ("status", "查看数据库结构版本", cmd_status),
    ):
        action = actions.add_parser(name, help=help_text, description=help_text)
        action.add_argument("--database-url", help="数据库地址（默认取设置 database_url）")
        action.set_defaults(handler=handler)


def _url(args: argparse.Namespace) -> str | None:
    from forms_api.settings import SettingsError, check_database_url, load

    try:
        url = check_database_url(args.database_url) if args.database_url else load().database_url
    except SettingsError as exc:
        print(str(exc), file=sys.stderr)
        return None
    if not url:
        print(
            "没有设置数据库：请设置 database_url（或环境变量 IPPS_DATABASE_URL），或用 --database-url 指定",
            file=sys.stderr,
        )
        return None
    return url


def cmd_upgrade(args: argparse.Namespace) -> int:
    import psycopg

    from forms_api.storage.postgres.migrations import LATEST, upgrade

    if (url := _url(args)) is None:
        return EXIT_USAGE
    try:
        applied = upgrade(url)
    except psycopg.Error as error:
        print(f"数据库升级失败：{str(error).strip().splitlines()[0]}", file=sys.stderr)
        return EXIT_FAILED
    if applied:
        print(f"已执行 {len(applied)} 个迁移（{'、'.join(applied)}），数据库结构现为第 {LATEST} 版。")
    else:
        print(f"数据库结构已是第 {LATEST} 版，无需升级。")
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    import psycopg

    from forms_api.storage.postgres.migrations import LATEST, SchemaMismatch, check, version_of

    if (url := _url(args)) is None:
        return EXIT_USAGE
    try:
        with psycopg.connect(url, connect_timeout=10) as connection:
            version = version_of(connection)
        check(version)
    except psycopg.Error as error:
        print(f"无法连接数据库：{str(error).strip().splitlines()[0]}", file=sys.stderr)
        return EXIT_FAILED
    except SchemaMismatch as mismatch:
        print(str(mismatch), file=sys.stderr)
        return EXIT_FAILED
    print(f"数据库结构为第 {version} 版，与本程序一致（第 {LATEST} 版）。")
    return EXIT_OK
