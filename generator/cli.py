"""The ``ipps`` command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from generator import cli_text
from generator.catalog import check_catalog
from generator.problems import Problem
from generator.schema_export import write_schemas

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _catalog_dir(value: str) -> Path:
    path = Path(value)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"目录「{value}」不存在")
    return path


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ipps",
        description="知识产权公共服务平台：校验事项目录、生成站点、运行在线受理服务。",
    )
    commands = parser.add_subparsers(dest="command", metavar="命令", required=True)

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

    serve = commands.add_parser(
        "serve", help="在本机提供网站和在线服务", description="提供已生成的网站（site/）和在线服务接口。"
    )
    serve.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    serve.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
    serve.add_argument("--site-dir", type=Path, help="网站目录（默认取设置，通常为 site）")
    serve.set_defaults(handler=cmd_serve)

    schema = commands.add_parser(
        "schema", help="生成编辑器使用的 JSON Schema", description="为每类目录文件生成 JSON Schema。"
    )
    schema.add_argument(
        "--catalog", type=_catalog_dir, default=Path("catalog"), help="目录所在位置（默认 catalog）"
    )
    schema.set_defaults(handler=cmd_schema)

    from forms_api import backup_cli, faq_cli
    from forms_api.evaluation import report_cli, results_cli
    from forms_api.staff import cli as staff_cli

    staff_cli.add_commands(commands)
    backup_cli.add_commands(commands)
    faq_cli.add_commands(commands)
    report_cli.add_commands(commands)
    results_cli.add_commands(commands)
    return parser


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


def cmd_serve(args: argparse.Namespace) -> int:
    import dataclasses

    import uvicorn

    from forms_api.app import create_app
    from forms_api.settings import SettingsError, load
    from forms_api.store.store import probe_lock

    try:
        settings = load()
        if args.site_dir is not None:
            settings = dataclasses.replace(settings, site_dir=args.site_dir)
        probe_lock(settings.store_dir)
        app = create_app(settings)
    except (SettingsError, FileNotFoundError, OSError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    print(f"网站和在线服务：http://{args.host}:{args.port}/（按 Ctrl+C 停止）")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    for path in write_schemas(args.catalog):
        print(f"已写入 {path}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    cli_text.install()
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
