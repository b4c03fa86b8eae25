"""The open-data page (8.2.7 b): the files of ``data/`` with their size, date and licence."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .. import exports, urls
from ..page import Section, SitePage
from ..site import Site

COLUMN_NOTES: dict[str, str] = {
    "number": "事项在清单中的顺序号，按名录、名录序号和基本编码排列。",
    "category": "事项所属的服务名录类别（附录 C、D 中的服务名称）。",
    "name": "事项的规范名称。",
    "service_objects": "可以办理的对象（GB/T 39046 服务对象代码的名称），多个以“、”分隔。",
    "content": "这项服务为办事人做什么。",
    "service_form": "线上、线下或线上线下。",
    "department": "实施部门的全称；共同实施的部门注明“（共同实施）”，以“；”分隔。",
    "basic_code": "事项基本编码。",
    "subjects": "专利、商标、著作权等服务客体。",
    "nature": "基础服务或个性化增值服务。",
    "status": "在用或暂停（已取消的事项不在清单中）。",
    "conditions": "受理条件，以“；”分隔。",
    "handling": "办理形式（窗口、网上、快递等）和网上申请入口。",
    "progress": "法定办结时限、承诺办结时限和办件类型（即办件或承诺件）。",
    "materials": "必备材料和按情形提交的材料的数量和名称。",
    "supervision": "监督投诉电话和“好差评”评价渠道。",
    "implementation_code": "事项实施编码（基本编码、行政区划代码、实施部门统一社会信用代码和业务办理项编码）。",
}
"""What each list column holds, for the explanation on the page."""


def pages(site: Site) -> Iterator[SitePage]:
    yield SitePage(
        url=urls.OPEN_DATA,
        title="开放数据",
        description="下载服务事项目录、服务事项清单、实施清单和收费标准的开放数据（JSON、CSV、XLSX），附更新日期、许可协议和字段说明。",
        template="opendata.html",
        context=lambda: context(site),
        sections=[
            Section("downloads", "下载文件"),
            Section("lists", "清单的列"),
            Section("formats", "格式说明"),
            Section("checksums", "校验与签名"),
            Section("licence", "许可与引用"),
        ],
        in_nav=True,
    )


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} 字节"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def context(site: Site) -> dict[str, Any]:
    files = exports.exports(site)
    return {
        "files": [(export, human_size(export.size)) for export in files],
        "updated": site.updated,
        "licence": site.platform.open_data_licence,
        "annexes": [
            (title, annex, stem, [(column, COLUMN_NOTES.get(column.key, "")) for column in columns])
            for stem, title, annex, columns in exports.ANNEXES
        ],
        "fee_columns": exports.FEE_COLUMNS,
        "item_count": len(site.catalog.items),
        "listed_count": len(site.listed),
        "website": site.platform.website,
        "catalog_file": exports.CATALOG,
        "schema_file": exports.CATALOG_SCHEMA,
        "checksums_file": exports.CHECKSUMS,
    }
