"""``ipps backup`` and ``ipps restore``: the command-line side of :mod:`forms_api.storage.backup`.

:func:`add_commands` registers both on the ``ipps`` sub-command parser; each sets ``handler``
as the other commands do. Exit status: 0 done, 1 refused or failed (the message says why),
2 a setting or argument that cannot be used.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .options import EXIT_FAILED, EXIT_OK, EXIT_USAGE, settings_from

POSTGRES_NOT_YET = (
    "已设置 database_url：办件数据保存在 PostgreSQL 中，ipps {command} 目前只处理内嵌存储（数据目录下的 store/）。"
    "请用 pg_dump / pg_restore 备份和恢复数据库，并另行备份数据目录下的 uploads/ 和加密密钥。"
)

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
        description="把数据目录中的 store/ 和 uploads/ 备份为一个 .tar.gz 文件；服务运行时也可备份。",
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
        description="校验备份文件后恢复到数据目录；须先停止服务。",
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
    if settings.database_url:
        print(POSTGRES_NOT_YET.format(command="backup"), file=sys.stderr)
        return EXIT_FAILED
    try:
        result = backup(settings.data_dir, args.dest, key_path=settings.key_path, with_key=args.with_key)
    except (BackupError, OSError) as exc:
        print(f"备份失败：{exc}", file=sys.stderr)
        return EXIT_FAILED
    counts = _counts(result.records)
    print(f"已备份到 {result.archive}（{format_size(result.size)}）")
    print(f"记录：{counts}；文件共 {result.files} 个。")
    template = KEY_INCLUDED if result.with_key else KEY_REMINDER
    print(template.format(key=settings.key_path))
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from forms_api.storage.backup import BackupError, restore
    from forms_api.storage.embedded import StoreLocked

    if (settings := settings_from(args)) is None:
        return EXIT_USAGE
    if settings.database_url:
        print(POSTGRES_NOT_YET.format(command="restore"), file=sys.stderr)
        return EXIT_FAILED
    try:
        result = restore(args.src, settings.data_dir, key_path=settings.key_path, force=args.force)
    except StoreLocked as exc:
        print(f"无法恢复：{exc}。请先停止服务再恢复。", file=sys.stderr)
        return EXIT_FAILED
    except (BackupError, OSError) as exc:
        print(f"无法恢复：{exc}", file=sys.stderr)
        return EXIT_FAILED
    counts = _counts(result.records)
    print(f"已从 {args.src}（备份于 {result.created_at}）恢复到 {result.data_dir}")
    print(f"记录：{counts}；上传的材料 {result.files} 个。")
    for path in result.kept:
        print(f"原有数据已保留为 {path}")
    if not result.with_key and not settings.key_path.exists():
        print(
            f"提醒：备份中不含加密密钥，请把原来的密钥文件放到 {settings.key_path}，否则加密的字段无法读取。"
        )
    return EXIT_OK


RECORD_NAMES = {"application": "申请", "consultation": "咨询留言", "rating": "评价"}


def _counts(records: dict[str, int]) -> str:
    """``申请 3 条、评价 1 条`` (kinds the store may hold later keep their own name)."""
    return "、".join(f"{RECORD_NAMES.get(kind, kind)} {n} 条" for kind, n in records.items()) or "无"
