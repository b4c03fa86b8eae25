"""Notices (forms_api/delivery): the Chinese texts, e-mail through a real local SMTP server, SMS log."""

from __future__ import annotations

import logging
import smtplib
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from forms_api.delivery.mail import EmailChannel, SmtpConfig, is_temporary
from forms_api.delivery.notices import EVENTS, Notice, NoticeError, build_notice
from forms_api.delivery.notifier import DeliveryFailed, Notifier, channels_of
from forms_api.delivery.sms import LoggingSms
from tests.mail import Inbox, TlsLogin, free_port, local_smtp_server, run

# --- helpers ------------------------------------------------------------------------------------

APPLICATION = {
    "kind": "application",
    "receipt_no": "SQ20261124-000007",
    "lookup": "9f" * 32,
    "status": "已提交",
    "item": {"code": "11330000MB0000000X4000000001", "slug": "patent-pledge", "name": "专利权质押登记"},
    "applicant": {
        "type": "自然人",
        "name": "张三",
        "phone_enc": "ZW5jcnlwdGVk",
        "phone_masked": "138****5678",
        "email": "zhangsan@example.cn",
        "id_number_enc": "ZW5jcnlwdGVkaWQ=",
        "id_number_masked": "330***********1234",
    },
    "due_date": "2026-12-08",
}

CONSULTATION = {
    "kind": "consultation",
    "receipt_no": "ZX20261124-000123",
    "lookup": "ab" * 32,
    "name": "李四",
    "email": "lisi@example.cn",
    "subject": "专利年费减缴",
    "reply": {"text": "可以申请减缴，请提交收入证明。", "by": "王工"},
}

PHONE = "13812345678"
ID_NUMBER = "330106199001011234"


def smtp_config(controller: Controller, **changes: Any) -> SmtpConfig:
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": controller.port,
        "security": "none",
        "sender": "noreply@ipps.example.cn",
        "timeout": 5.0,
    }
    return SmtpConfig(**(values | changes))


# --- texts --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "extra", "expected"),
    [
        ("accepted", {}, ["已受理", "专利权质押登记", "2026-12-08"]),
        (
            "correction",
            {"problems": ["营业执照复印件不清晰", "缺少质押合同"]},
            ["需要补正以下材料或内容", "1. 营业执照复印件不清晰", "2. 缺少质押合同"],
        ),
        ("rejected", {"reason": "质押的专利权已终止"}, ["不予受理", "理由：质押的专利权已终止"]),
        ("in_progress", {}, ["办理中"]),
        ("completed", {}, ["已办结", "评价"]),
    ],
)
def test_application_texts(event: str, extra: dict[str, Any], expected: list[str]) -> None:
    notice = build_notice(APPLICATION, event, phone=PHONE, **extra)
    assert notice.receipt_no == "SQ20261124-000007"
    assert notice.event == event
    assert notice.email == "zhangsan@example.cn"
    assert notice.phone == PHONE
    assert notice.subject == f"【知识产权公共服务平台】办件 SQ20261124-000007 {EVENTS[event]}"
    assert notice.body.startswith("张三：您好！")
    for text in expected:
        assert text in notice.body
    assert "SQ20261124-000007" in notice.sms and notice.sms.startswith("【知识产权公共服务平台】")
    assert EVENTS[event] in notice.sms
    for secret in ("9f" * 32, ID_NUMBER, "ZW5jcnlwdGVk", "330***********1234"):
        assert secret not in notice.body + notice.subject + notice.sms


def test_consultation_reply_text() -> None:
    notice = build_notice(CONSULTATION, "replied")
    assert notice.email == "lisi@example.cn" and notice.phone == ""
    assert notice.body.startswith("李四：您好！")
    assert "您咨询的“专利年费减缴”（编号 ZX20261124-000123）已有答复" in notice.body
    assert "答复内容：可以申请减缴，请提交收入证明。" in notice.body
    assert "王工" not in notice.body
    assert "ab" * 32 not in notice.body
    passed = build_notice(CONSULTATION, "replied", reply="另行答复的内容")
    assert "答复内容：另行答复的内容" in passed.body


def test_notice_requires_problems_and_reason() -> None:
    with pytest.raises(NoticeError, match="需要补正的内容"):
        build_notice(APPLICATION, "correction")
    with pytest.raises(NoticeError, match="理由"):
        build_notice(APPLICATION, "rejected", reason="  ")
    with pytest.raises(NoticeError, match="未知的通知事件"):
        build_notice(APPLICATION, "archived")


def test_smtp_config_is_checked() -> None:
    with pytest.raises(ValueError, match="加密方式"):
        SmtpConfig(host="mail", sender="a@b.cn", security="tls")
    with pytest.raises(ValueError, match="发件地址"):
        SmtpConfig(host="mail", sender="nobody")


# --- e-mail ---------------------------------------------------------------------------------------


def test_email_reaches_the_server_with_chinese_subject_and_body(
    smtp_server: tuple[Controller, Inbox],
) -> None:
    controller, inbox = smtp_server
    notifier = Notifier(EmailChannel(smtp_config(controller)))
    notice = build_notice(APPLICATION, "correction", problems=["缺少质押合同"])

    assert channels_of(notice) == ["email"]
    assert run(notifier.deliver(notice, "email", "notice:SQ20261124-000007:2:email")) == "zhangsan@example.cn"

    assert [e.rcpt_tos for e in inbox.envelopes] == [["zhangsan@example.cn"]]
    assert inbox.envelopes[0].mail_from == "noreply@ipps.example.cn"
    (message,) = inbox.messages()
    assert (
        b"Subject: =?utf-8?" in inbox.envelopes[0].content
    )  # the header went as RFC 2047 words, not raw bytes
    assert message["Subject"] == "【知识产权公共服务平台】办件 SQ20261124-000007 需补正"
    assert message["To"] == "zhangsan@example.cn"
    assert message["From"].addresses[0].display_name == "知识产权公共服务平台"
    assert message.get_content_charset() == "utf-8"
    body = message.get_content()
    assert "您申请的“专利权质押登记”（办件编号 SQ20261124-000007）需要补正" in body
    assert "1. 缺少质押合同" in body


def test_one_job_sends_under_one_message_id_however_often_it_is_tried(
    smtp_server: tuple[Controller, Inbox],
) -> None:
    """A retry after a crash mid-send carries the same Message-ID, so the mailbox can tell it
    is the same notice; another job's notice has its own."""
    controller, inbox = smtp_server
    notifier = Notifier(EmailChannel(smtp_config(controller)))
    notice = build_notice(APPLICATION, "accepted")
    for job in ("notice:SQ1:3:email", "notice:SQ1:3:email", "notice:SQ1:4:email"):
        run(notifier.deliver(notice, "email", job))
    ids = [m["Message-ID"] for m in inbox.messages()]
    assert ids[0] == ids[1] != ids[2]
    assert all(i.startswith("<") and i.endswith("@ipps.example.cn>") and ":" not in i for i in ids)


def test_email_with_starttls_and_login(tmp_path: Path) -> None:
    tls = TlsLogin(tmp_path, b"secret")

    with local_smtp_server(
        tls_context=tls.context, require_starttls=True, authenticator=tls.authenticate, auth_require_tls=True
    ) as (controller, inbox):
        config = smtp_config(
            controller, security="starttls", ca_file=tls.cert, username="ipps", password="secret"
        )
        run(Notifier(EmailChannel(config)).deliver(build_notice(APPLICATION, "accepted"), "email", "j1"))
        assert tls.logins == [(b"ipps", b"secret")]
        assert inbox.messages()[0]["Subject"].endswith("已受理")

        wrong = smtp_config(controller, security="starttls", ca_file=tls.cert, username="ipps", password="x")
        failed = failure(Notifier(EmailChannel(wrong)), build_notice(APPLICATION, "accepted"), "email")
        assert "登录失败" in str(failed) and not failed.temporary

        untrusted = smtp_config(controller, security="starttls")  # the system CAs do not know it
        failed = failure(Notifier(EmailChannel(untrusted)), build_notice(APPLICATION, "accepted"), "email")
        assert "加密连接失败" in str(failed) and not failed.temporary
    assert len(inbox.envelopes) == 1


def failure(notifier: Notifier, notice: Notice, channel: str) -> DeliveryFailed:
    with pytest.raises(DeliveryFailed) as caught:
        run(notifier.deliver(notice, channel, "job"))
    return caught.value


def test_a_refused_recipient_fails_for_good(smtp_server: tuple[Controller, Inbox]) -> None:
    controller, inbox = smtp_server
    record = {**APPLICATION, "applicant": {**APPLICATION["applicant"], "email": "nobody@refused.example"}}
    failed = failure(
        Notifier(EmailChannel(smtp_config(controller))), build_notice(record, "accepted"), "email"
    )
    assert "拒绝了收件地址" in str(failed) and "550" in str(failed) and not failed.temporary
    assert "n***@refused.example" in str(failed) and "nobody@" not in str(failed)  # logged: masked
    assert inbox.envelopes == []


def test_an_unreachable_server_is_worth_another_try() -> None:
    port = free_port()  # nothing listens there any more
    config = SmtpConfig(host="127.0.0.1", port=port, security="none", sender="a@b.cn", timeout=2)
    notice = build_notice(APPLICATION, "completed", phone=PHONE)
    assert channels_of(notice) == ["email", "sms"]
    failed = failure(Notifier(EmailChannel(config)), notice, "email")
    assert str(failed) == f"邮件服务器 127.0.0.1:{port} 拒绝连接" and failed.temporary


@pytest.mark.parametrize(
    ("error", "temporary"),
    [
        (smtplib.SMTPResponseException(421, b"busy"), True),
        (smtplib.SMTPResponseException(554, b"rejected"), False),
        (smtplib.SMTPRecipientsRefused({"a@b.cn": (450, b"mailbox busy")}), True),
        (smtplib.SMTPRecipientsRefused({"a@b.cn": (550, b"no such user")}), False),
        (smtplib.SMTPServerDisconnected("gone"), True),
        (TimeoutError(), True),
        (ConnectionResetError(), True),
    ],
)
def test_which_mail_failures_may_pass(error: BaseException, temporary: bool) -> None:
    assert is_temporary(error) is temporary


def test_no_mail_server_configured() -> None:
    failed = failure(Notifier(), build_notice(APPLICATION, "accepted"), "email")
    assert str(failed) == "未配置邮件服务器，邮件未发送" and not failed.temporary


# --- SMS --------------------------------------------------------------------------------------------


def test_logging_sms_writes_the_masked_phone_and_text(caplog: pytest.LogCaptureFixture) -> None:
    record = {**APPLICATION, "applicant": {**APPLICATION["applicant"], "email": ""}}
    notice = build_notice(record, "rejected", phone="138 1234 5678", reason="不属于受理范围")
    assert channels_of(notice) == ["sms"]
    with caplog.at_level(logging.INFO, logger="ipps.sms"):
        assert run(Notifier(sms=LoggingSms()).deliver(notice, "sms", "notice:SQ1:2:sms")) == "138****5678"
    (line,) = [r for r in caplog.records if r.name == "ipps.sms"]
    assert line.getMessage() == f"短信发往 138****5678：{notice.sms}（notice:SQ1:2:sms）"
    assert "不予受理，理由：不属于受理范围" in line.getMessage()
    assert PHONE not in caplog.text


def test_a_failing_sms_gateway_is_worth_another_try_with_the_same_message_id() -> None:
    class Broken:
        def __init__(self) -> None:
            self.ids: list[str] = []

        async def send(self, phone: str, text: str, message_id: str) -> None:
            self.ids.append(message_id)
            raise RuntimeError("网关无响应")

    gateway = Broken()
    notice = Notice("ZX1", "replied", "s", "b", "短信", phone=PHONE)
    for _ in range(2):
        failed = failure(Notifier(sms=gateway), notice, "sms")
        assert str(failed) == "短信发送出错：网关无响应" and failed.temporary
    assert gateway.ids == ["job", "job"]


def test_no_contact_no_channel() -> None:
    notice = Notice("ZX1", "replied", "s", "b", "t")
    assert channels_of(notice) == []
    assert "未留手机号码" in str(failure(Notifier(), notice, "sms"))
