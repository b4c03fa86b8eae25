"""What staff are told by the background jobs: a reminder that work falls due, a 催告 of overdue
work (F.3.4), and a department's daily digest of what is due and overdue.

These go to work mailboxes that several people may read (a department's), so they name only
receipt numbers, kinds of work, item names, due dates and states, and link to the console;
never an applicant's name, phone, ID number or message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from .notices import PLATFORM_NAME, Notice

WHEN = {
    "today": "今日到期",
    "next": "下一个工作日到期",
    "overdue": "已超期，系统已催告",
}
"""Why a reminder is sent, as its subject says."""

DIGEST_LINES = 100
"""Lines listed per section of a digest; the rest are counted (the console lists them all)."""


@dataclass(frozen=True)
class Line:
    """One piece of work as a staff mail lists it."""

    receipt_no: str
    kind: str
    """``申请``, ``咨询留言``, ``投诉建议``, ``差评处理``, ``回访``."""
    title: str
    """The item's name ("" when it concerns no item)."""
    status: str
    due: dt.date

    def text(self, console: str) -> str:
        title = f"「{self.title}」" if self.title else ""
        return f"{self.receipt_no} {self.kind}{title}（{self.status}，期限 {self.due.isoformat()}）\n  {console}/staff/records/{self.receipt_no}"


def reminder(
    line: Line, when: str, to: Sequence[str], console: str, platform_name: str = PLATFORM_NAME
) -> Notice:
    """A reminder (``today``, ``next``) or a 催告 (``overdue``) of ``line`` to ``to``."""
    subject = f"【{platform_name}】{WHEN[when]}：{line.kind} {line.receipt_no}"
    opening = {
        "today": "以下办件今日到期，请及时办理：",
        "next": "以下办件将于下一个工作日到期，请及时办理：",
        "overdue": "以下办件已超过办理期限，系统已作催告记录，请尽快办理：",
    }[when]
    body = f"{opening}\n\n{line.text(console)}\n\n本邮件由{platform_name}后台任务自动发送，请勿回复。"
    return Notice(line.receipt_no, f"remind_{when}", subject, body, "", email=", ".join(to))


def digest(
    department: str,
    day: dt.date,
    overdue: Sequence[Line],
    today: Sequence[Line],
    upcoming: Sequence[Line],
    to: Sequence[str],
    console: str,
    platform_name: str = PLATFORM_NAME,
) -> Notice:
    """The daily digest of ``department`` for ``day``."""
    counts = f"已超期 {len(overdue)} 件、今日到期 {len(today)} 件、下一个工作日到期 {len(upcoming)} 件"
    subject = f"【{platform_name}】{department} {day.isoformat()} 办件汇总：{counts}"
    parts = [f"{department}，{day.isoformat()} 的办件情况：{counts}。"]
    for heading, lines in (("已超期", overdue), ("今日到期", today), ("下一个工作日到期", upcoming)):
        if lines:
            listed = "\n".join(line.text(console) for line in lines[:DIGEST_LINES])
            more = f"\n……另有 {len(lines) - DIGEST_LINES} 件" if len(lines) > DIGEST_LINES else ""
            parts.append(f"{heading}（{len(lines)} 件）：\n{listed}{more}")
    parts.append(
        f"完整清单请登录工作台查看：{console}/staff/\n本邮件由{platform_name}后台任务自动发送，请勿回复。"
    )
    return Notice("", "digest", subject, "\n\n".join(parts), "", email=", ".join(to))
