"""Problem codes and the problem record that every catalog check reports.

A code is stable: editors search for it, CI annotations carry it, and the editor's guide
lists it. Add a code here (with its Chinese title) before using it anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PROBLEM_CODES: dict[str, str] = {
    # Structure: what the YAML says, field by field.
    "E001": "YAML 语法错误或文件无法读取",
    "E002": "未知字段（可能是拼写错误）",
    "E003": "类型错误",
    "E004": "取值不在代码表或允许范围内",
    "E005": "缺少必填字段",
    "E006": "格式不符合要求",
    "E007": "数值、长度或数量超出范围",
    "E008": "同一层级出现重复的字段名",
    "E009": "缺少必需的目录文件",
    # Meaning: what the catalog says across fields and files.
    "E101": "编码或标识重复",
    "E102": "承诺时限超过法定时限",
    "E103": "引用的部门或机构不存在",
    "E104": "引用的事项类别（名录条目）不存在",
    "E105": "引用的收费项目不存在",
    "E106": "引用的事项不存在",
    "E107": "事项状态信息不完整或不一致",
    "E108": "统一社会信用代码无效",
    "E109": "日期先后顺序错误",
    "E110": "网址格式错误",
    "E111": "电话号码格式错误",
    "E112": "附件文件不存在",
    "E113": "编码不符合平台规定的格式",
    "E114": "服务性质与事项类别所在名录不一致",
    "E115": "办件类型与时限不一致",
    "E116": "办理流程各环节时限合计超过承诺时限",
    "E117": "事项版本与变更记录不一致",
    "E118": "电子邮箱格式错误",
    "E119": "收费项目的金额设置不完整或矛盾",
    "E120": "表单或材料设置不完整",
    "E121": "数据资产的开放属性与所含信息不一致",
    "E122": "评价指标的计算公式与单位或目标值不一致",
    "E123": "评价指标的公示设置不一致",
    "E124": "服务评价结果与评价指标不符",
    "E125": "智能导办中的标识重复",
    "E126": "智能导办的选项或回答指向不存在的问题、结果或选项",
    "E127": "智能导办形成循环或有无法到达的问题、结果",
    "E128": "智能导办引用的事项、材料、收费项目或减缴不存在",
    "E129": "服务网点的设置有误",
    "E130": "办理地点引用的服务网点不存在",
    "E131": "培训讲座的设置有误",
}


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in the catalog, at a place an editor can open."""

    path: str
    line: int
    column: int
    code: str
    message: str = field(compare=False)

    def __post_init__(self) -> None:
        if self.code not in PROBLEM_CODES:
            raise ValueError(f"unregistered problem code {self.code}")

    def format(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.code}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.path,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "title": PROBLEM_CODES[self.code],
            "message": self.message,
        }


@dataclass(frozen=True)
class Finding:
    """A problem found in a loaded file, addressed by where it is in the data.

    ``loc`` is the path of keys and list indexes to the value; with ``key`` the problem is
    about the key itself (an unknown field), not its value. Positions are worked out only
    when a finding is reported (see ``generator.yamlsource.locate``).
    """

    file: str
    """Path relative to the catalog directory, with '/' separators."""
    loc: tuple[str | int, ...]
    code: str
    message: str
    key: bool = False

    def __post_init__(self) -> None:
        if self.code not in PROBLEM_CODES:
            raise ValueError(f"unregistered problem code {self.code}")
