"""``ipps results export``: write the public 服务评价结果 into the catalog.

::

    ipps results export --from YYYY-MM-DD --to YYYY-MM-DD [--out FILE] [--data-dir DIR] [--catalog-dir DIR]

Writes ``catalog/results.yml`` (or ``FILE``) from the records in the store (:mod:`.results`),
for an editor to read and publish through a pull request; ``ipps build`` renders it. Works
while the server runs: the store is read from a consistent copy, as ``ipps report`` reads it.

Exit status: 0 written; 1 refused or failed (no store, a catalog with problems or without
public indicators, a file that cannot be written); 2 arguments or settings that cannot be
used. Every failure is one line in Chinese on standard error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from . import report
from .report import EXIT_FAILED, EXIT_OK, EXIT_USAGE, ReportError


def add_commands(commands: Any) -> None:
    """Register ``results`` and its subcommand ``export`` on ``commands``."""
    results = commands.add_parser(
        "results",
        help="服务评价结果公示",
        description="把服务评价结果（公开的指标和改进措施）导出到 catalog/results.yml，供网站公示。",
    )
    actions = results.add_subparsers(dest="results_command", metavar="操作", required=True)
    export = actions.add_parser(
        "export",
        help="把一个统计期的服务评价结果导出到 catalog/results.yml",
        description=(
            "统计一个统计期内公开指标（indicators.yml 中 public: true）的总体和各事项结果，连同标为公开的改进措施，"
            "写入 catalog/results.yml（整体覆盖）。请检查后通过合并请求发布，ipps build 生成“服务评价结果”页面"
            "和各办事指南上的满意率。不含服务对象的个人信息。服务运行时也可导出。"
        ),
    )
    report.add_period_arguments(export)
    export.add_argument(
        "--out", type=Path, metavar="FILE", help="写入的文件（默认为目录文件夹中的 results.yml）"
    )
    report.add_place_arguments(export)
    export.set_defaults(handler=cmd_results_export)


def cmd_results_export(args: argparse.Namespace) -> int:
    from forms_api.domain.evaluation.results import RESULTS_FILE, RESULTS_KIND, ResultsError, build, text_of
    from forms_api.storage.catalog_text import write_atomically

    if (chosen := report.period_and_settings(args, "无法导出")) is None:
        return EXIT_USAGE
    start, end, settings = chosen
    out = args.out if args.out is not None else Path(settings.catalog_dir) / RESULTS_FILE
    taken = report.today()
    try:
        catalog = report.read_catalog(settings.catalog_dir, without=(RESULTS_KIND.name,))
        records = report.read_records(settings)
        try:
            exported = build(catalog, records, start, end, as_of=taken)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:  # a record of an unexpected shape
            raise ReportError(f"办件数据中有无法统计的记录（{type(exc).__name__}: {exc}）") from None
        text = text_of(exported)
        if not out.parent.is_dir():
            raise ReportError(f"文件夹 {out.parent} 不存在")
        try:
            write_atomically(out, text)
        except OSError as exc:
            raise ReportError(f"无法写入 {out}（{exc.strerror or exc}）") from None
    except (ReportError, ResultsError) as exc:
        print(f"无法导出：{exc}", file=sys.stderr)
        return EXIT_FAILED

    data = exported.data
    print(f"已写入 {report.shown_path(out)}（统计期 {start.isoformat()} 至 {end.isoformat()}）：")
    print(
        f"总体指标 {len(data['figures'])} 项，有数据的事项 {len(data['items'])} 个，"
        f"公开的改进措施 {len(data['measures'])} 项。"
    )
    for skipped in exported.skipped_measures:
        print(f"注意：改进措施 {skipped}，未公示。")
    if exported.redactions:
        print(f"注意：公开的改进措施中有 {exported.redactions} 处电话、证件号或电子邮箱，已隐去，请核对。")
    if taken <= end:
        print(f"注意：统计期尚未结束，数据截至 {taken.isoformat()}。")
    print("请检查后通过合并请求发布；ipps build 会据此生成“服务评价结果”页面。")
    return EXIT_OK
