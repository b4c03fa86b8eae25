"""Building the site from Python (``ipps build``, the tests and the benchmarks)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException

from .plugin import CATALOG_ENV

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # mkdocs-material's notice about MkDocs 2.0


class _Collect(logging.Handler):
    """Keeps the warnings and errors mkdocs logs during a build."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


class SiteBuildError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def build_site(
    config_file: Path = Path("mkdocs.yml"),
    *,
    catalog: Path | None = None,
    site_dir: Path | None = None,
    search: bool = True,
    strict: bool = True,
) -> Path:
    """Build the site and return its directory; raise :class:`SiteBuildError` on failure."""
    if not Path(config_file).is_file():
        raise SiteBuildError(
            f"找不到网站配置文件 {config_file}：请在仓库根目录运行，或用 --config-file 指定 mkdocs.yml"
        )
    overrides: dict[str, object] = {"strict": strict}
    if site_dir is not None:
        overrides["site_dir"] = str(Path(site_dir).resolve())
    previous = os.environ.get(CATALOG_ENV)
    if catalog is not None:
        os.environ[CATALOG_ENV] = str(Path(catalog).resolve())
    logger = logging.getLogger("mkdocs")
    logger.setLevel(logging.WARNING)
    collected = _Collect()
    logger.addHandler(collected)
    try:
        config = load_config(str(config_file), **overrides)
        config.plugins["ipps"].config.search = search
        build(config)
    except MkDocsException as exc:
        # mkdocs logs what went wrong and then aborts with a summary line: report both
        raise SiteBuildError("\n".join([*collected.messages, str(exc)])) from None
    finally:
        logger.removeHandler(collected)
        if catalog is not None:
            if previous is None:
                os.environ.pop(CATALOG_ENV, None)
            else:
                os.environ[CATALOG_ENV] = previous
    return Path(config.site_dir)
