"""``catalog/departments.yml``: 实施部门 and partner organisations."""

from __future__ import annotations

from .base import CatalogModel, field
from .common import PhoneEntry
from .types import BodyNatureCode, CreditCode, DepartmentKind, ExerciseLevelCode, Prose, Slug, Text, Url


class Department(CatalogModel):
    id: Slug = field("部门标识", "英文标识，事项通过它引用部门。", example="ip-protection-center")
    name: Text = field("部门名称", "部门或机构全称。", example="示范市知识产权保护中心")
    short_name: Prose | None = field("简称", "列表中显示的简称。", example="保护中心", default=None)
    kind: DepartmentKind = field("机构类别", "实施部门或合作机构。", example="实施部门")
    credit_code: CreditCode = field(
        "统一社会信用代码",
        "18 位统一社会信用代码（GB 32100），校验位会被检查。",
        example="12339900MB0000002X",
    )
    body_nature: BodyNatureCode = field(
        "实施主体性质", "GB/T 39046 代码：1 法定机关，2 授权组织，3 受委托组织，9 其他。", example="2"
    )
    level: ExerciseLevelCode = field("行使层级", "GB/T 39046 代码，如 3 市级。", example="3")
    duties: Text = field("职责", "该部门在平台中承担的服务。")
    address: Prose | None = field("地址", "办公地址。", default=None)
    phones: list[PhoneEntry] = field("电话", "对外电话。", default_factory=list)
    website: Url | None = field("网址", "部门网站。", default=None)


class DepartmentsFile(CatalogModel):
    departments: list[Department] = field("部门与机构", "平台的实施部门和合作机构。", min_length=1)
