"""The catalog's and the site's commands of ``ipps``: ``validate``, ``build`` and ``schema``.

:func:`add_commands` registers them on the parser of the ``ipps`` entry point, which lives
with the forms service because it gathers the commands of both packages (the generator never
imports the service). Each command sets ``handler``. Exit status: 0 clean, 1 problems found,
2 usage errors.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from generator.catalog import check_catalog
from generator.problems import Problem
from generator.schema_export import write_schemas

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _catalog_dir(value: str) -> Path:
    path = Path(value)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"目录「{value}」不存在")
    return path


def add_commands(commands: Any) -> None:
    """Register ``validate``, ``build`` and ``schema`` on the ``ipps`` sub-command parser."""
    validate = commands.add_parser(
        "validate", help="校验 catalog/ 中的全部文件", description="校验事项目录，一次列出全部问题。"
    )
    validate.add_argument(
        "--catalog", type=_catalog_dir, default=Path("catalog"), help="目录所在位置（默认 catalog）"
    )
    validate.add_argument(
        "--format",
        choices=("text", "github", "json"),
        default="text",
        help="输出格式：text（文件:行:列）、github（GitHub Actions 注释）、json",
    )
    validate.set_defaults(handler=cmd_validate)

    build = commands.add_parser(
        "build",
        help="生成公众网站到 site/",
        description="校验目录并用 mkdocs 生成静态网站（含搜索索引和开放数据）。",
    )
    build.add_argument(
        "--config-file", type=Path, default=Path("mkdocs.yml"), help="mkdocs 配置文件（默认 mkdocs.yml）"
    )
    build.add_argument("--catalog", type=_catalog_dir, help="目录所在位置（默认取 mkdocs.yml 中的设置）")
    build.add_argument("--site-dir", type=Path, help="输出目录（默认 site）")
    build.add_argument("--no-search", action="store_true", help="不建立搜索索引（预览时更快）")
    build.set_defaults(handler=cmd_build)

    schema = commands.add_parser(
        "schema", help="生成编辑器使用的 JSON Schema", description="为每类目录文件生成 JSON Schema。"
    )
    schema.add_argument(
        "--catalog", type=_catalog_dir, default=Path("catalog"), help="目录所在位置（默认 catalog）"
    )
    schema.set_defaults(handler=cmd_schema)


def cmd_validate(args: argparse.Namespace) -> int:
    parts, problems = check_catalog(args.catalog)
    if args.format == "json":
        json.dump([p.as_dict() for p in problems], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return EXIT_PROBLEMS if problems else EXIT_OK
    for problem in problems:
        print(_github_annotation(problem) if args.format == "github" else problem.format())
    files = len(parts.files)
    items = sum(1 for f in parts.files if f.kind.name == "item")
    if problems:
        affected = len({p.path for p in problems})
        print(f"校验未通过：共发现 {len(problems)} 个问题，涉及 {affected} 个文件（共检查 {files} 个文件）。")
        return EXIT_PROBLEMS
    print(f"校验通过：共检查 {files} 个文件（其中服务事项 {items} 个），未发现问题。")
    return EXIT_OK


def _github_annotation(problem: Problem) -> str:
    def escape(text: str) -> str:
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    def escape_property(text: str) -> str:
        return escape(text).replace(":", "%3A").replace(",", "%2C")

    return (
        f"::error file={escape_property(problem.path)},line={problem.line},col={problem.column},"
        f"title={problem.code}::{escape(problem.message)}"
    )


def cmd_build(args: argparse.Namespace) -> int:
    from generator.site.build import SiteBuildError, build_site

    try:
        site_dir = build_site(
            args.config_file, catalog=args.catalog, site_dir=args.site_dir, search=not args.no_search
        )
    except SiteBuildError as exc:
        print(exc.message, file=sys.stderr)
        return EXIT_PROBLEMS
    print(f"网站已生成：{site_dir}")
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    for path in write_schemas(args.catalog):
        print(f"已写入 {path}")
    return EXIT_OK
