"""``ipps audit verify``: check that the audit log is whole (its hash chain, 8.2.6).

Reads the log beside a running server (a consistent copy of the embedded store, or the
database in one transaction), walks the chain oldest first and reports the first entry that
was edited, or whose link to the entry before it is broken (one removed, inserted or moved).

Exit status: 0 the log is whole, 1 broken (or it could not be read), 2 unusable settings.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .options import EXIT_FAILED, EXIT_OK, EXIT_USAGE, settings_from


def add_commands(commands: Any) -> None:
    audit = commands.add_parser("audit", help="操作日志", description="操作日志的完整性检查。")
    actions = audit.add_subparsers(dest="audit_command", metavar="操作", required=True)
    verify = actions.add_parser(
        "verify",
        help="检查操作日志是否被改动",
        description="逐条核对操作日志的哈希链，报告第一条被改动、删除、插入或调换的记录。服务运行时也可检查。",
    )
    verify.add_argument("--data-dir", type=Path, help="数据目录（默认取设置，通常为 var）")
    verify.set_defaults(handler=cmd_verify)


def cmd_verify(args: argparse.Namespace) -> int:
    from forms_api.storage.chain import CHAINED, verify
    from forms_api.storage.offline import ReadFailed, read
    from forms_api.storage.query import Query

    if (settings := settings_from(args)) is None:
        return EXIT_USAGE
    try:
        (entries,) = read(settings.store_dir, settings.database_url, [Query(CHAINED)])
    except ReadFailed as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_FAILED
    verdict = verify(entries)
    earlier = (
        f"（其中较早的 {verdict.unchained} 条写于启用校验之前，未纳入哈希链）" if verdict.unchained else ""
    )
    if verdict.intact:
        print(f"操作日志完整：共 {verdict.entries} 条，哈希链无断点{earlier}")
        return EXIT_OK
    print(
        f"操作日志不完整：第 {verdict.broken_at} 条（编号 {verdict.number or '无'}）{verdict.reason}。"
        f"此前的 {verdict.broken_at - 1} 条完整{earlier}",
        file=sys.stderr,
    )
    return EXIT_FAILED
