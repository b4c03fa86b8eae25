"""``ipps store copy --from DIR|URL --to DIR|URL``: move everything between storage backends.

A ``DIR`` is a data directory (the embedded store, ``uploads/``, ``staff/``, ``secrets/``); a
``URL`` is a PostgreSQL database (``postgresql://…``, upgraded with ``ipps db upgrade``), whose
keys are this host's (the settings' data directory or ``key_file``). See
:mod:`forms_api.domain.transfer` for what is copied and checked. Stop the service first: an
embedded store in use is refused.

Exit status: 0 copied and checked, 1 refused or the check failed, 2 an argument that cannot
be used.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

from .options import EXIT_FAILED, EXIT_OK, EXIT_USAGE


def add_commands(commands: Any) -> None:
    store = commands.add_parser(
        "store", help="在内嵌存储与 PostgreSQL 之间迁移数据", description="在存储之间迁移全部数据。"
    )
    actions = store.add_subparsers(dest="store_command", metavar="操作", required=True)
    copy = actions.add_parser(
        "copy",
        help="把全部数据复制到另一个存储",
        description=(
            "把办件记录、审计日志、编号、上传的材料和员工账号从一个存储复制到另一个空存储，复制后逐项核对。"
            "存储可以是数据目录，也可以是 PostgreSQL 数据库地址（postgresql://…）。请先停止服务。"
        ),
    )
    copy.add_argument(
        "--from", dest="source", required=True, metavar="DIR|URL", help="源：数据目录或数据库地址"
    )
    copy.add_argument(
        "--to", dest="target", required=True, metavar="DIR|URL", help="目标：空的数据目录或空数据库"
    )
    copy.set_defaults(handler=cmd_copy)


def side(text: str, settings: Any) -> Any:
    """The settings of one side of a copy (SettingsError for an unusable database URL)."""
    from forms_api.settings import check_database_url

    if text.startswith(("postgresql://", "postgres://")):
        return dataclasses.replace(settings, database_url=check_database_url(text))
    folder = Path(text)
    same = folder.resolve() == settings.data_dir.resolve()
    return dataclasses.replace(
        settings, data_dir=folder, database_url="", key_file=settings.key_file if same else None
    )


def cmd_copy(args: argparse.Namespace) -> int:
    from forms_api.domain.transfer import CopyFailed, CopyRefused, copy_everything, describe
    from forms_api.settings import SettingsError, load
    from forms_api.storage.backup import run_in_own_loop
    from forms_api.storage.embedded.store import StoreLocked, StoreUnavailable
    from forms_api.storage.filetypes import format_size
    from forms_api.storage.keys import KeyFileError
    from forms_api.storage.postgres.migrations import SchemaMismatch

    from .backup import record_counts

    try:
        settings = load()
        source, target = side(args.source, settings), side(args.target, settings)
    except SettingsError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    if source.engine == "embedded" and not source.store_dir.is_dir():
        print(f"源数据目录 {source.data_dir} 中没有办件数据（找不到 store/）", file=sys.stderr)
        return EXIT_FAILED
    print(f"从{describe(source)}复制到{describe(target)}")
    try:
        copied = run_in_own_loop(copy_everything(source, target, progress=print))
    except StoreLocked as exc:
        print(f"无法复制：{exc}。请先停止服务再复制。", file=sys.stderr)
        return EXIT_FAILED
    except (CopyRefused, CopyFailed, SchemaMismatch, StoreUnavailable, KeyFileError, OSError) as exc:
        print(f"无法复制：{exc}", file=sys.stderr)
        return EXIT_FAILED

    print(
        f"已复制并核对：记录 {record_counts(copied.records)}；文件 {copied.files} 个（{format_size(copied.file_bytes)}）；"
        f"后台任务 {copied.jobs} 个；员工账号 {copied.accounts} 个。"
    )
    print("加密字段按原样复制，目标使用同一把数据密钥；请妥善保管密钥文件。")
    return EXIT_OK
