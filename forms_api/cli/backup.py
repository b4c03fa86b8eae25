"""``ipps backup`` and ``ipps restore``: the command-line side of :mod:`forms_api.storage.backup`.

:func:`add_commands` registers both on the ``ipps`` sub-command parser; each sets ``handler``
as the other commands do. Exit status: 0 done, 1 refused or failed (the message says why),
2 a setting or argument that cannot be used.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .options import EXIT_FAILED, EXIT_OK, EXIT_USAGE, settings_from

KEY_REMINDER = (
    "提醒：备份中不含加密密钥。请另行妥善保管密钥文件 {key}（不要与备份放在一起）；"
    "没有它，恢复后的电话号码和证件号码无法解密。"
)
KEY_INCLUDED = (
    "注意：备份中含有加密密钥 {key}，任何拿到此备份的人都能读取电话号码和证件号码，请把备份存放在受控的位置。"
)


def add_commands(commands: Any) -> None:
    """Register ``backup`` and ``restore`` on ``commands`` (from ``add_subparsers``)."""
    backup = commands.add_parser(
        "backup",
        help="备份办件数据和上传的材料",
        description=(
            "把数据目录中的 store/ 和 uploads/（使用 PostgreSQL 时：数据库中的全部记录和材料）"
            "备份为一个 .tar.gz 文件；服务运行时也可备份。"
        ),
    )
    backup.add_argument(
        "dest",
        type=Path,
        metavar="DEST",
        help="备份文件存放的目录（文件名自动生成），或以 .tar.gz 结尾的文件路径",
    )
    backup.add_argument("--data-dir", type=Path, help="数据目录（默认取设置，通常为 var）")
    backup.add_argument("--with-key", action="store_true", help="同时备份加密密钥（默认不备份）")
    backup.set_defaults(handler=cmd_backup)

    restore = commands.add_parser(
        "restore",
        help="从备份文件恢复数据",
        description="校验备份文件后恢复到数据目录（使用 PostgreSQL 时：恢复到空数据库）；须先停止服务。",
    )
    restore.add_argument("src", type=Path, metavar="SRC", help="备份文件（.tar.gz）")
    restore.add_argument("--data-dir", type=Path, help="恢复到的数据目录（默认取设置，通常为 var）")
    restore.add_argument(
        "--force",
        action="store_true",
        help="目标已有数据时仍然恢复（原数据改名保留为 *.before-restore-时间）",
    )
    restore.set_defaults(handler=cmd_restore)


def cmd_backup(args: argparse.Namespace) -> int:
    from forms_api.storage.backup import BackupError, backup
    from forms_api.storage.filetypes import format_size

    if (settings := settings_from(args)) is None:
        return EXIT_USAGE
    try:
        with _as_directory(settings) as data_dir:
            if data_dir != settings.data_dir:  # PostgreSQL: a consistent copy first
                _copy(settings, _directory(settings, data_dir))
            result = backup(data_dir, args.dest, key_path=settings.key_path, with_key=args.with_key)
    except (BackupError, OSError, _Failed) as exc:
        print(f"备份失败：{exc}", file=sys.stderr)
        return EXIT_FAILED
    counts = record_counts(result.records)
    print(f"已备份到 {result.archive}（{format_size(result.size)}）")
    print(f"记录：{counts}；文件共 {result.files} 个。")
    template = KEY_INCLUDED if result.with_key else KEY_REMINDER
    print(template.format(key=settings.key_path))
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from forms_api.domain.transfer import describe
    from forms_api.storage.backup import BackupError, restore
    from forms_api.storage.embedded import StoreLocked

    if (settings := settings_from(args)) is None:
        return EXIT_USAGE
    try:
        with _as_directory(settings) as data_dir:
            result = restore(args.src, data_dir, key_path=settings.key_path, force=args.force)
            if data_dir != settings.data_dir:  # PostgreSQL: into the (empty) database
                _copy(_directory(settings, data_dir), settings)
                result = dataclasses.replace(result, data_dir=describe(settings))
    except StoreLocked as exc:
        print(f"无法恢复：{exc}。请先停止服务再恢复。", file=sys.stderr)
        return EXIT_FAILED
    except (BackupError, OSError, _Failed) as exc:
        print(f"无法恢复：{exc}", file=sys.stderr)
        return EXIT_FAILED
    counts = record_counts(result.records)
    print(f"已从 {args.src}（备份于 {result.created_at}）恢复到 {result.data_dir}")
    print(f"记录：{counts}；上传的材料 {result.files} 个。")
    for path in result.kept:
        print(f"原有数据已保留为 {path}")
    if not result.with_key and not settings.key_path.exists():
        print(
            f"提醒：备份中不含加密密钥，请把原来的密钥文件放到 {settings.key_path}，否则加密的字段无法读取。"
        )
    return EXIT_OK


RECORD_NAMES = {
    "application": "申请",
    "consultation": "咨询留言",
    "rating": "评价",
    "audit": "操作记录",
    "visit": "回访",
    "case": "差评处理",
}


def record_counts(records: dict[str, int]) -> str:
    """``申请 3 条、评价 1 条`` (kinds the store may hold later keep their own name)."""
    return "、".join(f"{RECORD_NAMES.get(kind, kind)} {n} 条" for kind, n in records.items()) or "无"


class _Failed(Exception):
    """A copy to or from PostgreSQL did not go through (the message says why)."""


@contextlib.contextmanager
def _as_directory(settings: Any) -> Iterator[Path]:
    """The data directory a backup is made from or restored into: the settings' own with
    the embedded store; with PostgreSQL a temporary one under it, removed afterwards."""
    if not settings.database_url:
        yield settings.data_dir
        return
    scratch = settings.data_dir / "tmp"
    scratch.mkdir(mode=0o700, parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="backup-", dir=scratch) as folder:
        yield Path(folder)


def _directory(settings: Any, data_dir: Path) -> Any:
    """The settings of the temporary data directory: the embedded store there, this host's key."""
    return dataclasses.replace(settings, data_dir=data_dir, database_url="", key_file=settings.key_path)


def _copy(source: Any, target: Any) -> None:
    from forms_api.domain.transfer import CopyFailed, CopyRefused, copy_everything
    from forms_api.storage.backup import run_in_own_loop
    from forms_api.storage.embedded.store import StoreUnavailable
    from forms_api.storage.keys import KeyFileError
    from forms_api.storage.postgres.migrations import SchemaMismatch

    try:
        run_in_own_loop(copy_everything(source, target))
    except (CopyRefused, CopyFailed, SchemaMismatch, StoreUnavailable, KeyFileError) as exc:
        raise _Failed(str(exc)) from None
