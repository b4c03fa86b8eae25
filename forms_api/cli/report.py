"""``ipps report``: the periodic service evaluation report (T/CIPS 007—2024 9.1).

::

    ipps report --from 2026-07-01 --to 2026-09-30 --out DIR [--data-dir DIR] [--catalog-dir DIR]

Writes ``DIR/report.html`` (one self-contained page, printable on A4) and ``DIR/report.xlsx``
(one sheet per part) for the competent authority, from the indicators of
``catalog/indicators.yml`` and the records in the store (:mod:`.report`). Works while the
server runs: the store is read from a consistent copy, as ``ipps faq export`` reads it
(:func:`forms_api.storage.backup.copy_store`), and is never changed.

Exit status: 0 written; 1 refused or failed (no store or one that cannot be read, a catalog
with problems or without indicators, an output folder that cannot be written); 2 arguments or
settings that cannot be used (a date that is not one, a period that ends before it starts).
Every failure is one line in Chinese on standard error.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .options import EXIT_FAILED, EXIT_OK, EXIT_USAGE, settings_from

HTML_FILE, XLSX_FILE = "report.html", "report.xlsx"


class ReportError(Exception):
    """The report cannot be made; the message (Chinese) says why."""


def add_commands(commands: Any) -> None:
    """Register ``report`` on ``commands`` (from ``add_subparsers``)."""
    report = commands.add_parser(
        "report",
        help="生成向主管部门报送的服务评价报告",
        description=(
            "按服务评价指标体系（catalog/indicators.yml）统计一个统计期的评价指标，与上一个天数相同的时段对比，"
            "列出差评处理、投诉建议和改进措施，生成可打印的 report.html 和 report.xlsx（T/CIPS 007—2024 9.1）。"
            "报告不含服务对象的个人信息。服务运行时也可生成。"
        ),
    )
    add_period_arguments(report)
    report.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="报告存放的文件夹（不存在时新建）"
    )
    add_place_arguments(report)
    report.set_defaults(handler=cmd_report)


def add_period_arguments(parser: argparse.ArgumentParser) -> None:
    """``--from`` and ``--to``: the period, both days included (read by :func:`period_and_settings`)."""
    parser.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD", help="统计期第一天")
    parser.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD", help="统计期最后一天（含）")


def add_place_arguments(parser: argparse.ArgumentParser) -> None:
    """``--data-dir`` and ``--catalog-dir``, overriding the settings."""
    parser.add_argument("--data-dir", type=Path, help="数据目录（默认取设置，通常为 var）")
    parser.add_argument("--catalog-dir", type=Path, help="目录文件夹（默认取设置，通常为 catalog）")


def today() -> dt.date:
    from generator.workdays import china_tz

    return dt.datetime.now(china_tz()).date()


def parse_date(value: str, option: str) -> dt.date:
    try:
        if len(value.strip()) != 10:
            raise ValueError(value)
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ReportError(f"{option} 的日期「{value}」无效，应写成 YYYY-MM-DD，例如 2026-07-01") from None


def period_and_settings(args: argparse.Namespace, failed: str) -> tuple[dt.date, dt.date, Any] | None:
    """The period of ``--from`` and ``--to`` and the settings with ``--data-dir`` and
    ``--catalog-dir`` applied; None after printing, after ``failed`` (``无法生成报告``), why
    they cannot be used."""
    try:
        start, end = parse_date(args.start, "--from"), parse_date(args.end, "--to")
    except ReportError as exc:
        print(f"{failed}：{exc}", file=sys.stderr)
        return None
    if end < start:
        print(
            f"{failed}：统计期的开始日期 {start.isoformat()}（--from）晚于结束日期 {end.isoformat()}（--to）",
            file=sys.stderr,
        )
        return None
    if (settings := settings_from(args)) is None:
        return None
    if args.catalog_dir is not None:
        settings = dataclasses.replace(settings, catalog_dir=args.catalog_dir)
    return start, end, settings


def cmd_report(args: argparse.Namespace) -> int:
    if (chosen := period_and_settings(args, "无法生成报告")) is None:
        return EXIT_USAGE
    start, end, settings = chosen

    from forms_api.domain.evaluation.report import build
    from forms_api.domain.evaluation.report_html import render
    from forms_api.domain.evaluation.report_xlsx import write

    taken = today()
    try:
        catalog = read_catalog(settings.catalog_dir)
        records = read_records(settings)
        try:
            report = build(catalog, records, start, end, as_of=taken)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:  # a record of an unexpected shape
            raise ReportError(f"办件数据中有无法统计的记录（{type(exc).__name__}: {exc}）") from None
        written = write_outputs(
            args.out, {HTML_FILE: _text(render(report)), XLSX_FILE: lambda p: write(report, p)}
        )
    except ReportError as exc:
        print(f"无法生成报告：{exc}", file=sys.stderr)
        return EXIT_FAILED

    met, missed, nodata = report.met_count
    print(f"已生成{report.title}（统计期 {start.isoformat()} 至 {end.isoformat()}）：")
    for path in written:
        print(f"  {shown_path(path)}")
    print(
        f"指标 {len(report.indicators)} 项：达标 {met} 项，未达标 {missed} 项"
        + (f"，无数据 {nodata} 项" if nodata else "")
        + f"；差评工单 {len(report.cases)} 件，投诉和建议 {len(report.complaints)} 件，改进措施 {len(report.measures)} 项。"
    )
    if report.unfinished:
        print(f"注意：统计期尚未结束，报告数据截至 {taken.isoformat()}。")
    return EXIT_OK


# --- reading ------------------------------------------------------------------------------------


def read_catalog(catalog_dir: Path, *, without: tuple[str, ...] = ()) -> Any:
    """The catalog, checked as ``ipps validate`` checks it (but for the files of the kinds in
    ``without``); it must declare indicators."""
    from generator.catalog import CatalogInvalid, load_catalog

    if not Path(catalog_dir).is_dir():
        raise ReportError(f"目录文件夹 {catalog_dir} 不存在（可用 --catalog-dir 指定）")
    try:
        catalog = load_catalog(Path(catalog_dir), without=without)
    except CatalogInvalid as exc:
        first = exc.problems[0].format()
        raise ReportError(
            f"目录 {catalog_dir} 有 {len(exc.problems)} 个问题，请先改正（可运行 ipps validate 查看），第一个是：{first}"
        ) from None
    except OSError as exc:
        raise ReportError(f"无法读取目录 {catalog_dir}（{exc.strerror or exc}）") from None
    if not catalog.indicators:
        raise ReportError(f"目录 {catalog_dir} 中没有服务评价指标（indicators.yml），无法统计")
    return catalog


def read_records(settings: Any) -> dict[str, list[dict[str, Any]]]:
    """Every record of the kinds the report reads, by kind: from PostgreSQL, or from a
    consistent copy of the embedded store (the server may hold it open)."""
    from forms_api.domain.evaluation.report import KINDS
    from forms_api.storage.offline import ReadFailed, read
    from forms_api.storage.query import Query

    store_dir = Path(settings.store_dir)
    if not settings.database_url and not store_dir.is_dir():
        raise ReportError(
            f"没有找到办件数据 {store_dir}：数据目录不对（可用 --data-dir 指定），或还没有任何办件"
        )
    try:
        found = read(store_dir, settings.database_url, [Query(kind) for kind in KINDS])
    except ReadFailed as error:
        raise ReportError(str(error)) from None
    return dict(zip(KINDS, found, strict=True))


# --- writing ------------------------------------------------------------------------------------


def _text(content: str) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.write_text(content, encoding="utf-8")

    return write


def write_outputs(out: Path, files: dict[str, Callable[[Path], None]]) -> list[Path]:
    """Write each file into ``out`` (created if need be): all of them to temporary files beside
    their targets first, then each renamed over its target, so that a failure leaves neither a
    half-written file nor a new report.html beside an old report.xlsx."""
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ReportError(f"无法写入报告：{out} 已存在且不是文件夹") from None
    except OSError as exc:
        raise ReportError(f"无法创建报告文件夹 {out}（{exc.strerror or exc}）") from None
    staged: list[tuple[Path, Path]] = []
    try:
        for name, write in files.items():
            target = out / name
            temporary = out / f".{name}.tmp-{os.getpid()}"
            staged.append((temporary, target))
            try:
                write(temporary)
            except OSError as exc:
                raise ReportError(f"无法写入 {target}（{exc.strerror or exc}）") from None
        for temporary, target in staged:
            try:
                os.replace(temporary, target)
            except OSError as exc:
                raise ReportError(f"无法写入 {target}（{exc.strerror or exc}）") from None
    finally:
        for temporary, _ in staged:
            _remove(temporary)
    return [target for _, target in staged]


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def shown_path(path: Path) -> str:
    """``path`` relative to the working directory when it is inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)
