"""The web application: the built site and, on the same port, the forms API."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles


def create_app(site_dir: Path = Path("site")) -> Starlette:
    """The application serving ``site_dir`` (the output of ``ipps build``)."""
    if not (site_dir / "index.html").is_file():
        raise FileNotFoundError(f"网站尚未生成：{site_dir}/index.html 不存在，请先运行 ipps build")
    return Starlette(routes=[Mount("/", app=StaticFiles(directory=site_dir, html=True), name="site")])
