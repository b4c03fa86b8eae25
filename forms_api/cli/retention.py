"""``ipps retention``: erase personal data past its retention period now, or list what would be.

The daily ``retention`` job does this at 03:30 (:mod:`forms_api.domain.jobs.housekeeping`);
this command is for looking first (``--dry-run``, which reads beside a running server, as
``ipps report`` does) and for running it by hand with the server stopped (embedded store) or
at any time (PostgreSQL). ``--on DATE`` asks as of another day (what will be erased then).
Both use :func:`forms_api.domain.retention.due_for_erasure`, so the list is what the job erases.

Exit status: 0 done, 1 the store could not be read or written, 2 an unusable setting or date.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from .options import EXIT_FAILED, EXIT_OK, EXIT_USAGE, settings_from

KIND_NAMES = {
    "application": "申请",
    "consultation": "咨询留言",
    "complaint": "投诉建议",
    "visit": "回访",
    "case": "差评处理",
    "rating": "评价",
}


def add_commands(commands: Any) -> None:
    parser = commands.add_parser(
        "retention",
        help="按保存期限删除个人信息",
        description=(
            "删除保存期限已满的记录中的个人信息（姓名、联系方式、证件号码、留言等文字和上传的材料），"
            "保留统计所需的编号、事项、状态和日期；每条记录的删除都写入操作日志。后台任务每日 03:30 自动执行。"
        ),
    )
    parser.add_argument("--dry-run", action="store_true", help="只列出将被删除的记录，不作改动")
    parser.add_argument("--on", type=_date, metavar="YYYY-MM-DD", help="按这一天计算（默认今天）")
    parser.add_argument("--data-dir", type=Path, help="数据目录（默认取设置，通常为 var）")
    parser.set_defaults(handler=cmd_retention)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期「{text}」格式不正确，应为 YYYY-MM-DD") from None


def cmd_retention(args: argparse.Namespace) -> int:
    from forms_api.domain import retention
    from forms_api.domain.columns import columns_of
    from forms_api.storage.offline import ReadFailed, read
    from generator.workdays import today as china_today

    if (settings := settings_from(args)) is None:
        return EXIT_USAGE
    day = args.on or china_today()
    days = retention.periods(settings.retention)
    print("保存期限：" + "；".join(f"{KIND_NAMES.get(k, k)} {_period(n)}" for k, n in days.items()))
    queries = retention.queries(days, day)
    try:
        found = read(settings.store_dir, settings.database_url, list(queries.values()), columns=columns_of)
    except ReadFailed as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_FAILED
    due = [
        (kind, key, closed)
        for records in found
        for kind, key, closed in retention.listing(iter(records), days, day)
    ]
    for kind, key, closed in due:
        print(f"{KIND_NAMES.get(kind, kind)}\t{key}\t办结于 {closed}")
    if args.dry_run:
        print(f"按 {day.isoformat()} 计算，共 {len(due)} 条记录的个人信息将被删除（未作改动）。")
        return EXIT_OK
    if not due:
        print(f"按 {day.isoformat()} 计算，没有保存期限已满的记录。")
        return EXIT_OK
    return _erase(settings, days, day)


def _period(days: int) -> str:
    return "不自动删除" if days <= 0 else f"办结后 {days} 天"


def _erase(settings: Any, days: dict[str, int], day: dt.date) -> int:
    from forms_api.domain.columns import columns_of
    from forms_api.domain.jobs.housekeeping import erase
    from forms_api.domain.jobs.reminders import records_of
    from forms_api.domain.retention import due_for_erasure, queries
    from forms_api.domain.submissions import Service
    from forms_api.storage.backup import run_in_own_loop
    from forms_api.storage.blobs import blobs_for
    from forms_api.storage.crypto import Vault
    from forms_api.storage.embedded import StoreLocked
    from forms_api.storage.embedded.store import StoreUnavailable
    from forms_api.storage.engines import open_store
    from generator.catalog import CatalogInvalid, load_catalog

    async def run() -> int:
        store = await open_store(settings, columns=columns_of)
        blobs = blobs_for(settings)
        try:
            service = Service(
                settings, load_catalog(settings.catalog_dir), store, Vault.open(settings.key_path), blobs
            )
            erased = 0
            for query in queries(days, day).values():
                async for record in records_of(store, query):
                    if due_for_erasure(record, days, day):
                        await erase(service, record)
                        erased += 1
            return erased
        finally:
            blobs.close()
            await store.close()

    try:
        erased = run_in_own_loop(run())
    except StoreLocked:
        print(
            "数据目录正被 ipps serve 使用：服务运行时由后台任务每日 03:30 执行；如需立即执行，请先停止服务，"
            "或用 --dry-run 查看将被删除的记录",
            file=sys.stderr,
        )
        return EXIT_FAILED
    except (StoreUnavailable, CatalogInvalid, OSError) as exc:
        print(f"无法删除：{exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"已删除 {erased} 条记录中的个人信息，并记入操作日志。")
    return EXIT_OK
