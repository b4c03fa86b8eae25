"""``catalog/events.yml``: 培训讲座 (T/CIPS 007—2024 F.1.4): lectures and trainings on the
questions people ask most, with registration, a waitlist, and the materials afterwards.

An event names where it is held (a service point, or online), when, how many places it has
and until when one can register; ``faqs`` names the 咨询问答手册 entries that prompted it (by
their ``source`` receipt number). After the event, ``materials`` lists the slides and
recordings published for those who could not come (files in ``catalog/files/``).
"""

from __future__ import annotations

import datetime as dt

from pydantic import model_validator

from .base import CatalogModel, field
from .faq import ReceiptNumber
from .points import Session
from .types import FilePath, Prose, Slug, Text, Url, fail


class EventMaterial(CatalogModel):
    title: Text = field("资料名称", "例如“讲义（PDF）”“回放视频”。", example="讲义")
    file: FilePath | None = field(
        "文件", "catalog/files/ 下的相对路径。", example="events/2026-12-pledge/讲义.pdf", default=None
    )
    url: Url | None = field("链接", "站内或政务平台的回放地址。", default=None)

    @model_validator(mode="after")
    def _one(self) -> EventMaterial:
        if (self.file is None) == (self.url is None):
            raise fail("E131", "应填写文件（file）或链接（url）中的一项")
        return self


class Event(CatalogModel):
    id: Slug = field("活动标识", "英文标识，用于网址。", example="2026-12-pledge-financing")
    title: Text = field("活动名称", "讲座或培训的题目。", example="知识产权质押融资实务讲座")
    topic: Text = field("主题", "一两句话说明讲什么、适合谁。")
    kind: Text = field("形式", "讲座、培训班、沙龙等。", example="讲座")
    date: dt.date = field("日期", "格式 YYYY-MM-DD。", example="2026-12-16")
    time: Session = field("时间", "开始和结束时间。")
    point: Slug | None = field(
        "地点（服务网点）", "在服务网点举办时，写网点标识（service-points.yml）。", default=None
    )
    venue: Text | None = field("具体地点", "会议室、教室等。", example="3 楼多功能厅", default=None)
    online: bool = field("线上举办", "线上直播时为 true，报名后告知参加方式。", default=False)
    capacity: int = field("名额", "可报名的人数；报满后可以候补。", example=60, ge=1, le=5000)
    register_until: dt.date = field(
        "报名截止日期", "这一天（含）之后不再接受报名，不晚于活动日期。", example="2026-12-14"
    )
    speaker: Text | None = field("主讲人", "姓名和单位。", default=None)
    items: list[Slug] = field("相关事项", "讲到的服务事项。", default_factory=list)
    faqs: list[ReceiptNumber] = field(
        "来源问题", "促成这次活动的咨询问答手册条目（写条目的来源办件编号）。", default_factory=list
    )
    materials: list[EventMaterial] = field("活动资料", "活动后公开的讲义、回放。", default_factory=list)
    note: Prose | None = field("说明", "其他须知。", default=None)

    @model_validator(mode="after")
    def _consistent(self) -> Event:
        if self.register_until > self.date:
            raise fail(
                "E131",
                "的报名截止日期（{until}）晚于活动日期（{date}）",
                until=self.register_until,
                date=self.date,
            )
        if self.point is None and not self.online:
            raise fail("E131", "应填写地点（point）或注明线上举办（online: true）")
        return self


class EventsFile(CatalogModel):
    events: list[Event] = field("培训讲座", "按日期排列的讲座和培训。", default_factory=list)
