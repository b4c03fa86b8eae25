"""Code tables and closed value sets used by the catalog.

The GB/T 39046-2020 tables (事项类型, 行使层级, 服务对象 ...) are keyed by their official
codes; the platform's own value sets (服务客体, 服务性质 ...) are keyed by the Chinese term an
editor writes. Every table knows its Chinese name so that error messages and the editor's
reference can name it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    """A closed set of values, each with an optional Chinese meaning."""

    name: str
    entries: dict[str, str]
    width: int = 0
    """Integer input is zero-padded to this width (YAML reads an unquoted 01 as 1)."""

    def __contains__(self, value: object) -> bool:
        return value in self.entries

    def label(self, value: str) -> str:
        """The meaning of a code, or the value itself for self-describing tables."""
        return self.entries.get(value) or value

    def describe(self) -> str:
        """All allowed values, as shown in an error message."""
        return "、".join(f"{k}（{v}）" if v else k for k, v in self.entries.items())

    def normalize(self, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value).zfill(self.width) if self.width else str(value)
        return value


# --- GB/T 39046-2020 政务服务平台基础数据规范, annex A --------------------------------

ITEM_TYPES = Table(
    "事项类型",
    {
        "00": "行政权力事项",
        "01": "行政许可",
        "02": "行政处罚",
        "03": "行政强制",
        "04": "行政征收",
        "05": "行政给付",
        "06": "行政检查",
        "07": "行政确认",
        "08": "行政奖励",
        "09": "行政裁决",
        "10": "其他类别事项",
        "20": "公共服务事项",
    },
    width=2,
)

EXERCISE_LEVELS = Table(
    "行使层级",
    {
        "1": "国家级",
        "2": "省级",
        "3": "市级",
        "4": "县级",
        "5": "镇（乡、街道）级",
        "6": "村（社区）级",
        "7": "分级管理",
    },
)

BODY_NATURES = Table(
    "实施主体性质",
    {"1": "法定机关", "2": "授权组织", "3": "受委托组织", "9": "其他"},
)

SERVICE_OBJECTS = Table(
    "服务对象",
    {
        "1": "自然人",
        "2": "企业法人",
        "3": "事业法人",
        "4": "社会组织法人",
        "5": "行政机关",
        "6": "其他组织",
    },
)

HANDLING_FORMS = Table(
    "办理形式",
    {
        "1": "窗口办理",
        "2": "电脑端网上办理",
        "3": "移动端网上申请",
        "4": "快递申请",
        "9": "其他",
    },
)

CASE_TYPES = Table("办件类型", {"1": "即办件", "2": "承诺件", "9": "其他"})

SATISFACTION_LEVELS = Table(
    "满意度",
    {"1": "非常满意", "2": "满意", "3": "基本满意", "4": "不满意", "5": "非常不满意"},
)

# --- T/CIPS 007-2024 and the platform's own value sets -----------------------------

SUBJECTS = Table(
    "服务客体",
    dict.fromkeys(
        ("专利", "商标", "著作权", "地理标志", "集成电路布图设计", "商业秘密", "数据知识产权", "综合"),
        "",
    ),
)

NATURES = Table("服务性质", {"基础": "基础服务（附录 C）", "个性化增值": "个性化/增值服务（附录 D）"})

CONSTRUCTION_MODES = Table(
    "建设方式",
    {
        "自建": "由主体自行组织建设",
        "共建": "由两个及以上主体建设",
        "联建": "由两个及以上主体联合建设",
        "委托建设": "由主体以承包方式建设",
    },
)

SERVICE_FORMS = Table("服务形式", dict.fromkeys(("线上", "线下", "线上线下"), ""))

TIME_UNITS = Table("时限单位", {"工作日": "", "自然日": "", "即办": "当场办结"})

ITEM_STATES = Table(
    "事项状态",
    {"在用": "正常提供服务", "暂停": "暂时停止受理", "取消": "不再提供，由其他事项替代或取消"},
)

MATERIAL_FORMS = Table(
    "材料形式",
    {
        "纸质": "",
        "电子": "",
        "纸质或电子": "任选其一",
        "纸质和电子": "两者均须提交",
        "实物": "样品、样本等实物",
    },
)

UPLOAD_TYPES = Table(
    "上传文件类型",
    {
        "pdf": "PDF 文档",
        "jpg": "JPEG 图片",
        "png": "PNG 图片",
        "doc": "Word 97-2003 文档",
        "docx": "Word 文档",
        "xls": "Excel 97-2003 工作簿",
        "xlsx": "Excel 工作簿",
    },
)

FORM_FIELD_TYPES = Table(
    "表单字段类型",
    {
        "text": "单行文本",
        "textarea": "多行文本",
        "number": "数字",
        "date": "日期",
        "select": "下拉选择",
        "checkboxes": "多项选择",
        "email": "电子邮箱",
        "tel": "电话号码",
    },
)

HANDLING_SCOPES = Table("通办范围", dict.fromkeys(("全国", "跨省", "跨市", "跨县", "不通办"), ""))

DEPARTMENT_KINDS = Table(
    "机构类别",
    {"实施部门": "负责事项受理与办理", "合作机构": "共建、联建或提供专业服务的单位"},
)

PLATFORM_LEVELS = Table(
    "联动平台层级",
    {"国家级": "", "省级": "", "市级": "如所在城市企业综合服务中心"},
)

FEE_UNITS = Table(
    "计费单位",
    dict.fromkeys(("件", "类", "页", "项", "年", "月", "次", "份", "个"), ""),
)

THEME_KINDS = Table(
    "服务方式",
    {"主题式": "围绕一件事组织多个事项", "套餐式": "多个事项一次申请、一并办理"},
)

POINT_KINDS = Table(
    "网点类型",
    {"大厅": "综合服务大厅", "服务站": "区县、园区或行业的服务站", "窗口": "大厅或服务站内的业务窗口"},
)

ASSET_TYPES = Table("数据资产类型", dict.fromkeys(("数据库", "数据集", "数据接口", "文件资料"), ""))

DATA_LEVELS = Table(
    "数据分级",
    {"一般数据": "", "重要数据": "按《数据安全法》重点保护", "核心数据": "实行更加严格的管理"},
)

UPDATE_FREQUENCIES = Table(
    "更新频率",
    dict.fromkeys(("实时", "每日", "每周", "每月", "每季度", "每年", "不定期"), ""),
)

ACCESS_LEVELS = Table(
    "开放属性",
    {"无条件开放": "", "有条件开放": "经申请或协议后开放", "不予开放": "仅内部使用"},
)

STANDARD_KINDS = Table(
    "标准类别",
    dict.fromkeys(("国家标准", "行业标准", "地方标准", "团体标准", "企业标准"), ""),
)

AUTHORING_ROLES = Table("起草角色", dict.fromkeys(("牵头起草", "参与起草"), ""))

STANDARD_STATES = Table("标准状态", dict.fromkeys(("现行", "即将实施", "在编", "废止"), ""))

# --- the evaluation indicators (T/CIPS 007-2024 9.1 c), catalog/indicators.yml --------------
# The names an indicator's formula may use. What each one counts is implemented by the forms
# service's evaluation over its stored records; the label says it in the editor's words,
# including the date that places a record in the period ("按……时间").

INDICATOR_COUNTS = Table(
    "评价指标计数",
    {
        "ratings": "评价数（按评价时间）",
        "satisfied_ratings": "满意评价数：满意度为 1 非常满意、2 满意、3 基本满意（按评价时间）",
        "bad_ratings": "差评数：满意度为 4 不满意、5 非常不满意（按评价时间）",
        "applications_submitted": "收到的申请数（按提交时间）",
        "applications_accepted": "受理的申请数（按受理时间）",
        "applications_told_once": "一次性告知的申请数：受理的申请中补正通知不超过 1 次的（按受理时间）",
        "applications_completed": "办结的申请数（按办结时间）",
        "applications_completed_on_time": "按时办结的申请数：办结时未超过办结期限的（按办结时间）",
        "applications_completed_late": "超期办结的申请数（按办结时间）",
        "consultations_submitted": "收到的咨询数（按提交时间）",
        "consultations_due": "应答复的咨询数：已答复的，和已过答复期限仍未答复的（按答复期限）",
        "consultations_replied_on_time": "按时答复的咨询数：在答复期限当天或之前答复的（按答复期限）",
        "complaints_due": "应答复的投诉建议数：已答复的，和已过答复期限仍未答复的（按答复期限）",
        "complaints_replied_on_time": "按时答复的投诉建议数：在答复期限当天或之前答复的（按答复期限）",
        "cases": "差评处理工单数（按立案时间）",
        "cases_named": "实名差评工单数：评价人凭办件编号评价、可以回访的（按立案时间）",
        "cases_visited": "已回访的差评工单数（按立案时间）",
        "cases_resolved": "已办结并有处理结果（整改、解释说明或申诉复核）的差评工单数（按立案时间）",
        "cases_rectified": "已办结且处理结果为整改的差评工单数（按立案时间）",
        "visits_scheduled": "应回访的办件数：已回访的，和计划回访日期已过的（按计划回访时间）",
        "visits_done": "已回访的办件数（按计划回访时间）",
    },
)

INDICATOR_MEASURES = Table(
    "评价指标度量",
    {
        "handling_workdays": "办理时长：自受理之日至办结之日的工作日数（按办结时间）",
        "reply_workdays": "咨询答复时长：自提交之日至答复之日的工作日数（按答复时间）",
    },
)

INDICATOR_UNITS = Table(
    "指标单位",
    {"百分比": "分子占分母的百分比，显示为 %", "工作日": "", "件": ""},
)

INDICATOR_DIRECTIONS = Table("指标方向", {"higher": "越高越好", "lower": "越低越好"})

MEASURE_SOURCES = Table(
    "改进措施来源",
    {"评价": "服务评价（差评）", "投诉": "投诉建议", "回访": "回访", "报告": "评价报告"},
)
"""Where the problem an improvement measure answers was found (T/CIPS 007—2024 9.3 a)."""

MEASURE_STATES = Table("改进措施进展", dict.fromkeys(("计划中", "进行中", "已完成"), ""))
MEASURE_DONE = "已完成"
"""The state of a measure that is carried out (its effect is then recorded)."""
