"""``ipps faq export``: the command-line side of :mod:`forms_api.domain.faq`.

::

    ipps faq export [--data-dir DIR] [--catalog-dir DIR] [--dry-run]

Appends the consultations staff marked as FAQ candidates to ``catalog/faq.yml`` for an editor
to polish and publish through a pull request. Works while the server runs (the store is read
from a consistent copy). Exit status: 0 done (also when there was nothing to add), 1 refused
or failed (the message says why: no store, a store that cannot be read, problems in
``faq.yml``), 2 settings that cannot be used.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from .options import EXIT_FAILED, EXIT_OK, EXIT_USAGE, settings_from


def add_commands(commands: Any) -> None:
    """Register ``faq`` and its subcommand ``export`` on ``commands`` (from ``add_subparsers``)."""
    faq = commands.add_parser(
        "faq",
        help="咨询问答手册",
        description="从列入常见问题的咨询留言整理咨询问答手册（catalog/faq.yml）。",
    )
    actions = faq.add_subparsers(dest="faq_command", metavar="操作", required=True)
    export = actions.add_parser(
        "export",
        help="把列入常见问题的咨询导出到 catalog/faq.yml",
        description=(
            "把工作人员列入常见问题、且已答复的咨询留言追加到 catalog/faq.yml 末尾（已收录的不重复添加），"
            "不含留言人的姓名、电话和电子邮箱。编辑润色后通过合并请求发布。服务运行时也可导出。"
        ),
    )
    export.add_argument("--data-dir", type=Path, help="数据目录（默认取设置，通常为 var）")
    export.add_argument("--catalog-dir", type=Path, help="目录文件夹（默认取设置，通常为 catalog）")
    export.add_argument("--dry-run", action="store_true", help="只显示将要追加的内容，不写入文件")
    export.set_defaults(handler=cmd_faq_export)


def _settings(args: argparse.Namespace) -> Any:
    """The settings with ``--data-dir`` and ``--catalog-dir`` applied, or None after printing
    why they are unusable."""
    settings = settings_from(args)
    if settings is not None and args.catalog_dir is not None:
        settings = dataclasses.replace(settings, catalog_dir=args.catalog_dir)
    return settings


def today() -> dt.date:
    from generator.workdays import china_tz

    return dt.datetime.now(china_tz()).date()


def cmd_faq_export(args: argparse.Namespace) -> int:
    from forms_api.domain.faq import REDACTED, ExportError, FaqFileInvalid, export

    if (settings := _settings(args)) is None:
        return EXIT_USAGE
    shown = _shown(settings.catalog_dir / "faq.yml")
    try:
        result = export(
            settings.store_dir,
            settings.catalog_dir,
            today=today(),
            dry_run=args.dry_run,
            database_url=settings.database_url,
        )
    except FaqFileInvalid as exc:
        for problem in exc.problems:
            print(dataclasses.replace(problem, path=shown).format(), file=sys.stderr)
        print(
            f"无法导出：{shown} 有 {len(exc.problems)} 个问题，请先改正（可运行 ipps validate 查看）。",
            file=sys.stderr,
        )
        return EXIT_FAILED
    except ExportError as exc:
        print(f"无法导出：{exc}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:
        print(f"无法导出：写入 {shown} 失败（{exc.strerror or exc}）", file=sys.stderr)
        return EXIT_FAILED

    if not result.added:
        if result.marked:
            print(f"没有需要新增的问答：列入常见问题的 {result.marked} 条咨询都已收录在 {shown} 中。")
        else:
            print("没有需要新增的问答：还没有已答复并列入常见问题的咨询留言。")
        return EXIT_OK
    already = result.marked - len(result.added)
    skipped = f"（另有 {already} 条已收录，未重复添加）" if already else ""
    if args.dry_run:
        sys.stdout.write(result.appended)
        print(f"试运行：将向 {shown} 新增 {len(result.added)} 条问答{skipped}，未写入文件。")
    else:
        made = "新建" if result.created else "追加到"
        print(f"已{made} {shown}：新增 {len(result.added)} 条问答{skipped}。")
        print(
            f"请编辑润色新增的问题和解答，删去其中的个人信息，然后把 {shown} 通过合并请求（Pull Request）提交，"
            "校验通过并合并后即在网站的咨询问答手册中发布。"
        )
    if result.redactions:
        print(
            f"注意：其中 {result.redactions} 处疑似个人信息（姓名、手机号、证件号码、电子邮箱）已替换为“{REDACTED}”，请核对。"
        )
    lost = [c.source for c in result.added if c.lost_item]
    if lost:
        print(f"注意：{'、'.join(lost)} 咨询时选择的事项已不在目录中，已作为综合问题导出，请确认归属。")
    return EXIT_OK


def _shown(path: Path) -> str:
    """``path`` relative to the working directory when it is inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)
