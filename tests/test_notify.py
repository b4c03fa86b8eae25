"""Notices (forms_api/delivery): the Chinese texts, e-mail through a real local SMTP server, SMS log."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from forms_api.delivery.mail import EmailChannel, SmtpConfig
from forms_api.delivery.notices import EVENTS, Notice, NoticeError, build_notice
from forms_api.delivery.notifier import FAILED, SENT, Notifier
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

    attempts = run(notifier.send(notice))

    assert [(a.channel, a.to, a.status, a.error) for a in attempts] == [
        ("email", "zhangsan@example.cn", SENT, "")
    ]
    assert attempts[0].event == "correction"
    assert dt.datetime.fromisoformat(attempts[0].at).utcoffset() == dt.timedelta(hours=8)
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


def test_email_with_starttls_and_login(tmp_path: Path) -> None:
    tls = TlsLogin(tmp_path, b"secret")

    with local_smtp_server(
        tls_context=tls.context, require_starttls=True, authenticator=tls.authenticate, auth_require_tls=True
    ) as (controller, inbox):
        config = smtp_config(
            controller, security="starttls", ca_file=tls.cert, username="ipps", password="secret"
        )
        attempts = run(Notifier(EmailChannel(config)).send(build_notice(APPLICATION, "accepted")))
        assert attempts[0].status == SENT, attempts[0].error
        assert tls.logins == [(b"ipps", b"secret")]
        assert inbox.messages()[0]["Subject"].endswith("已受理")

        wrong = smtp_config(controller, security="starttls", ca_file=tls.cert, username="ipps", password="x")
        (failed,) = run(Notifier(EmailChannel(wrong)).send(build_notice(APPLICATION, "accepted")))
        assert failed.status == FAILED and "登录失败" in failed.error

        untrusted = smtp_config(controller, security="starttls")  # the system CAs do not know it
        (failed,) = run(Notifier(EmailChannel(untrusted)).send(build_notice(APPLICATION, "accepted")))
        assert failed.status == FAILED and "加密连接失败" in failed.error
    assert len(inbox.envelopes) == 1


def test_refused_recipient_is_a_failed_attempt(smtp_server: tuple[Controller, Inbox]) -> None:
    controller, inbox = smtp_server
    record = {**APPLICATION, "applicant": {**APPLICATION["applicant"], "email": "nobody@refused.example"}}
    attempts = run(Notifier(EmailChannel(smtp_config(controller))).send(build_notice(record, "accepted")))
    assert [(a.channel, a.to, a.status) for a in attempts] == [("email", "nobody@refused.example", FAILED)]
    assert "拒绝了收件地址" in attempts[0].error and "550" in attempts[0].error
    assert inbox.envelopes == []


def test_unreachable_server_is_a_failed_attempt_not_an_exception() -> None:
    port = free_port()  # nothing listens there any more
    config = SmtpConfig(host="127.0.0.1", port=port, security="none", sender="a@b.cn", timeout=2)
    notice = build_notice(APPLICATION, "completed", phone=PHONE)
    attempts = run(Notifier(EmailChannel(config)).send(notice))
    assert [(a.channel, a.status) for a in attempts] == [("email", FAILED), ("sms", SENT)]
    assert attempts[0].error == f"邮件服务器 127.0.0.1:{port} 拒绝连接"


def test_no_mail_server_configured() -> None:
    attempts = run(Notifier().send(build_notice(APPLICATION, "accepted")))
    assert [(a.channel, a.status, a.error) for a in attempts] == [
        ("email", FAILED, "未配置邮件服务器，邮件未发送")
    ]


# --- SMS --------------------------------------------------------------------------------------------


def test_logging_sms_writes_the_masked_phone_and_text(caplog: pytest.LogCaptureFixture) -> None:
    record = {**APPLICATION, "applicant": {**APPLICATION["applicant"], "email": ""}}
    notice = build_notice(record, "rejected", phone="138 1234 5678", reason="不属于受理范围")
    with caplog.at_level(logging.INFO, logger="ipps.sms"):
        attempts = run(Notifier(sms=LoggingSms()).send(notice))
    assert [a.as_dict() | {"at": ""} for a in attempts] == [
        {"channel": "sms", "to": "138****5678", "at": "", "event": "rejected", "status": SENT, "error": ""}
    ]
    (line,) = [r for r in caplog.records if r.name == "ipps.sms"]
    assert line.getMessage() == f"短信发往 138****5678：{notice.sms}"
    assert "不予受理，理由：不属于受理范围" in line.getMessage()
    assert PHONE not in caplog.text


def test_a_failing_sms_gateway_does_not_raise() -> None:
    class Broken:
        async def send(self, phone: str, text: str) -> None:
            raise RuntimeError("网关无响应")

    notice = Notice("ZX1", "replied", "s", "b", "短信", phone=PHONE)
    (attempt,) = run(Notifier(sms=Broken()).send(notice))
    assert (attempt.channel, attempt.to, attempt.status) == ("sms", "138****5678", FAILED)
    assert attempt.error == "短信发送出错：网关无响应"


def test_no_contact_no_attempt() -> None:
    assert run(Notifier().send(Notice("ZX1", "replied", "s", "b", "t"))) == []
