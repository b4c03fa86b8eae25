"""The columns of annex A (事项清单) and annex B (实施清单), in the standard's order.

One definition serves the list pages and the CSV/XLSX exports. The standard's tables end
with "……": the columns after the standard's own are this platform's additions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from generator.schema import Item
from generator.schema.tables import CASE_TYPES, HANDLING_FORMS, SERVICE_OBJECTS

from .render import time_limit
from .site import Listed, Site


@dataclass(frozen=True)
class Column:
    key: str
    """Stable English key, used in JSON and as the filter attribute."""
    label: str
    """The header the standard uses."""
    value: Callable[[Site, Listed], str]
    standard: bool = True
    """False for columns this platform adds after the standard's own ("……")."""


def _department(site: Site, item: Item) -> str:
    names = [site.department(item.department).name]
    names += [f"{site.department(d).name}（共同实施）" for d in item.co_departments]
    return "；".join(names)


def _category(site: Site, item: Item) -> str:
    found = site.category(item.category)
    return found[1].name if found else item.category


def _sentences(parts: list[str]) -> str:
    """Join sentences with "；", dropping each one's own full stop: "甲；乙" not "甲。；乙。"."""
    return "；".join(part.rstrip("。；;. ") for part in parts) + "。" if parts else ""


def _objects(item: Item) -> str:
    return "、".join(SERVICE_OBJECTS.label(code) for code in item.service_objects)


def _handling(item: Item) -> str:
    forms = "、".join(HANDLING_FORMS.label(code) for code in item.handling_forms)
    online = (
        "可在本站在线申请"
        if item.online_application
        else ("网办地址：" + item.online_url if item.online_url else "")
    )
    return "；".join(part for part in (forms, online) if part)


def _progress(item: Item) -> str:
    return (
        f"法定办结时限：{time_limit(item.legal_time_limit)}；承诺办结时限：{time_limit(item.promised_time_limit)}；"
        f"{CASE_TYPES.label(item.case_type)}"
    )


def _materials(item: Item) -> str:
    if not item.materials:
        return "无需提交材料"
    required = [m.name for m in item.materials if m.required]
    optional = [m.name for m in item.materials if not m.required]
    text = f"必备材料 {len(required)} 份：" + "、".join(required) if required else "无必备材料"
    return text + (f"；按情形提交 {len(optional)} 份：" + "、".join(optional) if optional else "")


def _supervision(item: Item) -> str:
    phones = "、".join(f"{p.label} {p.number}" for p in item.supervision.phones)
    return "；".join(part for part in (phones, "接受“好差评”评价") if part)


ANNEX_A: tuple[Column, ...] = (
    Column("number", "序号", lambda s, e: str(e.number)),
    Column("category", "事项类别", lambda s, e: _category(s, e.item)),
    Column("name", "事项名称", lambda s, e: e.item.name),
    Column("service_objects", "服务对象", lambda s, e: _objects(e.item)),
    Column("content", "服务内容", lambda s, e: e.item.content),
    Column("service_form", "服务形式", lambda s, e: e.item.service_form),
    Column("department", "实施部门", lambda s, e: _department(s, e.item)),
    Column("basic_code", "基本编码", lambda s, e: e.item.basic_code, standard=False),
    Column("subjects", "服务客体", lambda s, e: "、".join(e.item.subjects), standard=False),
    Column("nature", "服务性质", lambda s, e: e.item.nature, standard=False),
    Column("status", "事项状态", lambda s, e: e.item.status.state, standard=False),
)

ANNEX_B: tuple[Column, ...] = (
    Column("number", "序号", lambda s, e: str(e.number)),
    Column("name", "事项名称", lambda s, e: e.item.name),
    Column("department", "实施部门", lambda s, e: _department(s, e.item)),
    Column("conditions", "流程条件", lambda s, e: _sentences(e.item.acceptance_conditions)),
    Column("handling", "办理方式", lambda s, e: _handling(e.item)),
    Column("progress", "进度要求", lambda s, e: _progress(e.item)),
    Column("materials", "材料要求", lambda s, e: _materials(e.item)),
    Column("supervision", "监督评价", lambda s, e: _supervision(e.item)),
    Column("implementation_code", "实施编码", lambda s, e: e.item.implementation_code, standard=False),
    Column("status", "事项状态", lambda s, e: e.item.status.state, standard=False),
)
