"""Classification pages (T/CIPS 007—2024 8.2.1): the listed items by 服务客体, 服务对象, 服务性质,
实施部门 and 事项类型, plus the home page's entries by who is asking (个人, 企业 ...).

The index page names every value with its item count; each value has its own page, split into
pages of ``PER_PAGE`` rows so that no page grows with the catalog. Every value something links
to gets a page, even when no listed item falls under it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from generator.schema.tables import ITEM_TYPES, NATURES, SERVICE_OBJECTS, SUBJECTS

from .. import urls
from ..page import Section, SitePage, paginate
from ..site import Listed, Site

PER_PAGE = 100


@dataclass
class Value:
    """One value of a dimension: its page and the listed items that fall under it."""

    dimension: str
    key: str
    """What ``urls.browse`` takes: the subject, the code, the department or audience id."""
    name: str
    intro: str
    entries: list[Listed] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    """Extra lines shown under the heading, as (label, text)."""
    links: list[tuple[str, str]] = field(default_factory=list)
    """Related pages, as (link text, url)."""
    on_index: bool = True

    @property
    def url(self) -> str:
        return urls.browse(self.dimension, self.key)


@dataclass
class Dimension:
    key: str
    name: str
    explanation: str
    values: list[Value]


def pages(site: Site) -> Iterator[SitePage]:
    dimensions = classify(site)
    five = [d for d in dimensions if d.key != "audience"]  # the audiences show under 服务对象
    audience = next(d for d in dimensions if d.key == "audience")
    yield SitePage(
        url=urls.BROWSE,
        title="分类浏览",
        description="按服务客体、服务对象、服务性质、实施部门和事项类型分类浏览知识产权公共服务事项（T/CIPS 007—2024 8.2.1）。",
        template="browse-index.html",
        context=lambda: {"dimensions": five, "audience": audience, "total": len(site.listed)},
        sections=[Section(d.key, f"按{d.name}") for d in five],
        in_nav=True,
        searchable=False,
    )
    for dimension in dimensions:
        for value in dimension.values:
            yield from value_pages(site, dimension, value)


def value_pages(site: Site, dimension: Dimension, value: Value) -> Iterator[SitePage]:
    chunks = paginate(value.entries, PER_PAGE)
    heading = f"{dimension.name}：{value.name}"
    for number, chunk in enumerate(chunks, start=1):
        count = len(value.entries)
        described = f"共 {count} 项" if count else "暂无事项"
        yield SitePage(
            url=urls.paged(value.url, number),
            title=heading if number == 1 else f"{heading}（第 {number} 页）",
            description=f"按{dimension.name}分类：{value.intro}{described}。",
            template="browse.html",
            context=lambda chunk=chunk, number=number: {
                "dimension": dimension,
                "value": value,
                "heading": heading,
                "rows": item_rows(site, chunk, start=(number - 1) * PER_PAGE + 1),
                "page_number": number,
                "pages_total": len(chunks),
                "total": len(value.entries),
            },
            searchable=False,
        )


def item_rows(site: Site, entries: list[Listed], start: int = 1) -> list[dict[str, Any]]:
    """Rows of the item table (``item-table.html``): name, category, departments, status."""
    rows = []
    for number, entry in enumerate(entries, start=start):
        item = entry.item
        found = site.category(item.category)
        departments = [_short(site, item.department)]
        departments += [f"{_short(site, d)}（共同实施）" for d in item.co_departments]
        rows.append(
            {
                "number": number,
                "slug": entry.slug,
                "item": item,
                "category": (found[1].name, urls.directory_entry(found[2], found[1].id)) if found else None,
                "departments": "；".join(departments),
            }
        )
    return rows


def _subject_intro(subject: str) -> str:
    return "不限于某一类知识产权的综合性服务事项，" if subject == "综合" else f"涉及{subject}的服务事项，"


def _short(site: Site, dept_id: str) -> str:
    dept = site.department(dept_id)
    return dept.short_name or dept.name


def classify(site: Site) -> list[Dimension]:
    """Every dimension with its values, each holding its listed items in list order."""
    by: dict[str, dict[str, list[Listed]]] = defaultdict(lambda: defaultdict(list))
    audiences = site.platform.audiences
    for entry in site.listed:
        item = entry.item
        for subject in item.subjects:
            by["subject"][subject].append(entry)
        for code in item.service_objects:
            by["object"][code].append(entry)
        objects = set(item.service_objects)
        for audience in audiences:
            if objects.intersection(audience.service_objects):
                by["audience"][audience.id].append(entry)
        by["nature"][item.nature].append(entry)
        for dept_id in dict.fromkeys((item.department, *item.co_departments)):
            by["department"][dept_id].append(entry)
        by["type"][item.item_type].append(entry)

    directory_of_nature = {d.nature: stem for stem, d in site.catalog.directories.items()}
    natures = []
    for nature, meaning in NATURES.entries.items():
        stem = directory_of_nature.get(nature)
        links = [(f"查看{site.catalog.directories[stem].name}", urls.directory(stem))] if stem else []
        natures.append(Value("nature", nature, meaning, f"{meaning}，", by["nature"][nature], links=links))

    departments = []
    for dept_id, dept in site.catalog.departments.items():
        facts = [("机构类别", dept.kind), ("职责", dept.duties)]
        if dept.address:
            facts.append(("地址", dept.address))
        facts += [(phone.label, phone.number) for phone in dept.phones]
        departments.append(
            Value(
                "department",
                dept_id,
                dept.name,
                f"{dept.name}实施或共同实施的服务事项，",
                by["department"][dept_id],
                facts=facts,
                links=[(f"{dept.name}网站", dept.website)] if dept.website else [],
            )
        )

    return [
        Dimension(
            "subject",
            "服务客体",
            "服务针对的知识产权类型。一个事项可涉及多种客体，会出现在每一种客体下；“综合”指不限于某一类知识产权的服务。",
            [Value("subject", s, s, _subject_intro(s), by["subject"][s]) for s in SUBJECTS.entries],
        ),
        Dimension(
            "object",
            "服务对象",
            "可以申请服务的主体，按 GB/T 39046—2020 的服务对象代码分类。",
            [
                Value(
                    "object",
                    code,
                    name,
                    f"面向{name}的服务事项，",
                    by["object"][code],
                    on_index=bool(by["object"][code]),
                )
                for code, name in SERVICE_OBJECTS.entries.items()
            ],
        ),
        Dimension(
            "audience",
            "办事人群",
            "首页“按服务对象”的入口：个人、企业、高校院所和服务机构各自可以办理的事项，由对应的服务对象代码汇总而来。",
            [
                Value(
                    "audience",
                    a.id,
                    a.name,
                    f"{a.name}可以办理的服务事项，",
                    by["audience"][a.id],
                    facts=[
                        ("适用", a.description),
                        ("包含服务对象", "、".join(SERVICE_OBJECTS.label(c) for c in a.service_objects)),
                    ],
                )
                for a in audiences
            ],
        ),
        Dimension(
            "nature",
            "服务性质",
            "基础服务列入基础服务名录（附录 C），原则上免费；个性化/增值服务列入个性化增值服务名录（附录 D）。",
            natures,
        ),
        Dimension(
            "department",
            "实施部门",
            "负责受理和办理事项的部门，以及共同实施的合作机构。共同实施的事项也列在合作机构下。",
            departments,
        ),
        Dimension(
            "type",
            "事项类型",
            "按 GB/T 39046—2020 的事项类型代码分类；本平台的事项多为公共服务事项。",
            [
                Value("type", code, name, f"事项类型为{name}的服务事项，", by["type"][code])
                for code, name in ITEM_TYPES.entries.items()
                if by["type"][code]
            ],
        ),
    ]
