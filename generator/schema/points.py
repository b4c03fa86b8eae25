"""``catalog/service-points.yml``: 服务网点 (T/CIPS 007—2024 E.2 网点布局).

The halls, stations and windows where applicants are served in person: where they are, when
they are open (on working days of the mainland calendar, 调休 Saturdays included), how to reach
them and the facilities for older and disabled visitors. Items name
the point of each of their 办理地点 (``places[].point``): what a point offers is read from there,
so it is written once. A point that takes appointments says
how (slot length, places per slot, how long before a slot booking closes).
"""

from __future__ import annotations

import itertools
import re

from pydantic import model_validator

from .base import CatalogModel, field
from .types import Phone, PointKind, Prose, Slug, Text, fail

_CLOCK = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


class Session(CatalogModel):
    """One opening period of a working day (morning, afternoon)."""

    start: Text = field("开始时间", "24 小时制，如 08:30。", example="08:30", pattern=_CLOCK.pattern)
    end: Text = field(
        "结束时间", "24 小时制，如 12:00，须晚于开始时间。", example="12:00", pattern=_CLOCK.pattern
    )

    @model_validator(mode="after")
    def _ordered(self) -> Session:
        if _minutes(self.end) <= _minutes(self.start):
            raise fail("E129", "的结束时间（{end}）应晚于开始时间（{start}）", start=self.start, end=self.end)
        return self

    @property
    def minutes(self) -> tuple[int, int]:
        return _minutes(self.start), _minutes(self.end)


class Appointments(CatalogModel):
    """How a point takes window appointments (预约办理, E.4.5)."""

    slot_minutes: int = field("每个时段的分钟数", "预约时段的长度。", example=30, ge=10, le=240)
    capacity: int = field(
        "每个时段可约人数", "同一时段最多接待的预约人数（所有事项合计）。", example=3, ge=1, le=100
    )
    cutoff_hours: int = field(
        "提前截止的小时数", "时段开始前多少小时停止预约该时段。", example=2, default=2, ge=0, le=72
    )
    days_ahead: int = field(
        "可预约的天数", "最多可以预约今后多少个工作日。", example=10, default=10, ge=1, le=60
    )


class ServicePoint(CatalogModel):
    id: Slug = field("网点标识", "英文标识，用于网址和事项的办理地点。", example="civic-center-hall")
    name: Text = field("网点名称", "大厅、服务站或窗口的名称。", example="市民服务中心知识产权服务大厅")
    kind: PointKind = field("网点类型", "大厅、服务站或窗口。", example="大厅")
    parent: Slug | None = field(
        "所在网点",
        "窗口所在的大厅或服务站的网点标识；大厅和服务站不填。",
        example="civic-center-hall",
        default=None,
    )
    address: Text = field(
        "地址", "详细地址，含楼层和区位。", example="示范市滨江区滨江大道 88 号市民服务中心 3 楼 C 区"
    )
    district: Text = field("所在区县", "便于按区查找。", example="滨江区")
    phone: Phone = field("联系电话", "网点的咨询电话。", example="0123-88120000")
    sessions: list[Session] = field(
        "开放时间",
        "每个工作日的开放时段（按国务院公布的工作日安排，含调休上班日；法定节假日不开放）。",
        min_length=1,
    )
    transport: Prose = field("交通", "公交、地铁、停车。", example="地铁 2 号线市民中心站 B 口")
    accessibility: list[Text] = field(
        "无障碍和适老设施",
        "如无障碍坡道和电梯、无障碍卫生间、爱心窗口、轮椅和老花镜借用、手语服务。",
        default_factory=list,
    )
    appointments: Appointments | None = field(
        "预约办理", "接受窗口预约时填写；不接受预约的不填。", default=None
    )
    note: Prose | None = field("说明", "其他提示。", default=None)

    @model_validator(mode="after")
    def _sessions_apart(self) -> ServicePoint:
        spans = sorted(s.minutes for s in self.sessions)
        for (_, end), (start, _) in itertools.pairwise(spans):
            if start < end:
                raise fail("E129", "的开放时段互相重叠，请按时间先后写成不重叠的时段")
        return self


class ServicePointsFile(CatalogModel):
    points: list[ServicePoint] = field("服务网点", "大厅、服务站和窗口，按希望显示的顺序排列。", min_length=1)
