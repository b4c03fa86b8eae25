"""The mail server settings (smtp_*) and the notifier built from them (notifier.notifier_from_settings)."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from forms_api.delivery.mail import EmailChannel, SmtpConfig, smtp_config
from forms_api.delivery.notices import PLATFORM_NAME, build_notice
from forms_api.delivery.notifier import DeliveryFailed, notifier_from_settings
from forms_api.settings import Settings, SettingsError, load
from tests.mail import Inbox, TlsLogin, local_smtp_server, run

APPLICATION = {
    "kind": "application",
    "receipt_no": "SQ20261124-000001",
    "status": "已受理",
    "item": {"code": "11330000MB0000000X4000000001", "slug": "patent-pledge", "name": "专利权质押登记"},
    "applicant": {"type": "自然人", "name": "林晓", "email": "lin@example.com"},
    "due_date": "2026-12-08",
}


def write_settings(folder: Path, text: str) -> None:
    (folder / "ipps.toml").write_text(text, encoding="utf-8")


def test_no_mail_server_by_default(tmp_path: Path) -> None:
    settings = load({}, tmp_path)
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_security) == ("", 25, "starttls")
    assert (settings.smtp_sender, settings.smtp_username, settings.smtp_password) == ("", "", "")
    assert settings.smtp_password_file is None and settings.smtp_ca_file is None
    assert smtp_config(settings) is None
    notifier = notifier_from_settings(settings)
    assert notifier.email is None
    with pytest.raises(DeliveryFailed, match="未配置邮件服务器，邮件未发送"):
        run(notifier.deliver(build_notice(APPLICATION, "accepted"), "email", "job"))


def test_smtp_settings_from_the_file_and_the_environment(tmp_path: Path) -> None:
    (tmp_path / "smtp-password").write_text("s3cret pass\n", encoding="utf-8")
    (tmp_path / "ca.pem").write_text("not read until a message is sent", encoding="utf-8")
    write_settings(
        tmp_path,
        'smtp_host = "smtp.example.cn"\n'
        "smtp_port = 587\n"
        'smtp_sender = "noreply@ipps.example.cn"\n'
        'smtp_sender_name = "某某知识产权保护中心"\n'
        'smtp_username = "ipps"\n'
        f'smtp_password_file = "{tmp_path / "smtp-password"}"\n'
        f'smtp_ca_file = "{tmp_path / "ca.pem"}"\n',
    )
    from_file = load({}, tmp_path)
    assert from_file.smtp_host == "smtp.example.cn"
    assert from_file.smtp_port == 587
    assert from_file.smtp_security == "starttls"
    assert from_file.smtp_password_file == tmp_path / "smtp-password"
    assert from_file.smtp_password == ""  # the file is read only when the notifier is built
    assert smtp_config(from_file, platform_name="平台名称") == SmtpConfig(
        host="smtp.example.cn",
        sender="noreply@ipps.example.cn",
        port=587,
        security="starttls",
        username="ipps",
        password="s3cret pass",
        sender_name="某某知识产权保护中心",
        ca_file=tmp_path / "ca.pem",
    )

    environ = {
        "IPPS_SMTP_HOST": " mail.internal ",
        "IPPS_SMTP_PORT": "465",
        "IPPS_SMTP_SECURITY": "SSL",
        "IPPS_SMTP_SENDER_NAME": "",
        "IPPS_SMTP_CA_FILE": "",
    }
    settings = load(environ, tmp_path)
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_security) == ("mail.internal", 465, "ssl")
    assert settings.smtp_ca_file is None
    config = smtp_config(settings, platform_name="平台名称")
    assert config is not None
    assert (config.host, config.port, config.security, config.ca_file) == ("mail.internal", 465, "ssl", None)
    assert config.sender_name == "平台名称"  # empty: the platform's name
    assert config.password == "s3cret pass"
    notifier = notifier_from_settings(settings)
    assert isinstance(notifier.email, EmailChannel)
    assert notifier.email.config.sender_name == PLATFORM_NAME  # no platform name given either


def test_an_empty_port_keeps_the_default(tmp_path: Path) -> None:
    assert load({"IPPS_SMTP_PORT": "", "IPPS_SMTP_SECURITY": ""}, tmp_path).smtp_port == 25
    assert load({"IPPS_SMTP_SECURITY": ""}, tmp_path).smtp_security == "starttls"


def test_the_password_stays_out_of_the_settings_repr(tmp_path: Path) -> None:
    settings = load({"IPPS_SMTP_PASSWORD": "hunter2-密码", "IPPS_SMTP_USERNAME": "ipps"}, tmp_path)
    assert settings.smtp_password == "hunter2-密码"
    assert settings.smtp_secret() == "hunter2-密码"
    assert "hunter2" not in repr(settings)
    assert "smtp_username='ipps'" in repr(settings)


def test_password_and_password_file_together_are_refused(tmp_path: Path) -> None:
    write_settings(tmp_path, 'smtp_password = "secret"\n')
    with pytest.raises(SettingsError, match="smtp_password 与 smtp_password_file 只能设置其中一个"):
        load({"IPPS_SMTP_PASSWORD_FILE": str(tmp_path / "password")}, tmp_path)
    made_in_code = Settings(
        smtp_host="mail",
        smtp_sender="a@b.cn",
        smtp_username="ipps",
        smtp_password="secret",
        smtp_password_file=tmp_path / "password",
    )
    with pytest.raises(SettingsError, match="只能设置其中一个"):
        smtp_config(made_in_code)


def test_a_missing_password_file_is_named_when_the_notifier_is_built(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-file"
    settings = load(
        {
            "IPPS_SMTP_HOST": "smtp.example.cn",
            "IPPS_SMTP_SENDER": "noreply@ipps.example.cn",
            "IPPS_SMTP_USERNAME": "ipps",
            "IPPS_SMTP_PASSWORD_FILE": str(missing),
        },
        tmp_path,
    )  # loading does not read it: commands that send no mail need not be able to
    with pytest.raises(SettingsError, match=f"无法读取 smtp_password_file 指定的密码文件 {missing}"):
        notifier_from_settings(settings)


@pytest.mark.parametrize(
    ("file_text", "environ", "expected"),
    [
        ("", {"IPPS_SMTP_SECURITY": "tls"}, "设置 smtp_security 的值「tls」无效，应为 starttls、ssl 或 none"),
        ("smtp_security = 'plain'\n", {}, "设置 smtp_security 的值「plain」无效"),
        ("", {"IPPS_SMTP_PORT": "0"}, "设置 smtp_port 的值「0」无效"),
        ("", {"IPPS_SMTP_PORT": "70000"}, "设置 smtp_port 的值「70000」无效"),
        ("", {"IPPS_SMTP_PORT": "smtp"}, "设置 smtp_port 的值「smtp」无效"),
        ("smtp_port = true\n", {}, "设置 smtp_port 的值「True」无效"),
        ("smtp_host = ['a', 'b']\n", {}, "设置 smtp_host 的值"),
        ("smtp_hots = 'mail'\n", {}, "未知的设置：smtp_hots"),
    ],
)
def test_bad_smtp_settings_are_named_when_loading(
    tmp_path: Path, file_text: str, environ: dict[str, str], expected: str
) -> None:
    write_settings(tmp_path, file_text)
    with pytest.raises(SettingsError, match=expected):
        load(environ, tmp_path)


GOOD = {"IPPS_SMTP_HOST": "smtp.example.cn", "IPPS_SMTP_SENDER": "noreply@ipps.example.cn"}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"IPPS_SMTP_SENDER": ""},
            "已设置邮件服务器 smtp_host（smtp.example.cn），但未设置发件地址 smtp_sender",
        ),
        ({"IPPS_SMTP_SENDER": "noreply"}, "设置 smtp_sender 的值「noreply」无效，应为"),
        ({"IPPS_SMTP_SENDER": "noreply@"}, "设置 smtp_sender 的值「noreply@」无效"),
        ({"IPPS_SMTP_SENDER": "a@b@c.cn"}, "设置 smtp_sender 的值「a@b@c.cn」无效"),
        ({"IPPS_SMTP_SENDER": "平台 <noreply@ipps.example.cn>"}, "发件人名称请用 smtp_sender_name"),
        ({"IPPS_SMTP_SENDER": "通知@ipps.example.cn"}, "smtp_sender .*须为 ASCII 字符"),
        ({"IPPS_SMTP_HOST": "smtp.example.cn:587"}, "端口请用 smtp_port 设置"),
        ({"IPPS_SMTP_HOST": "smtp://smtp.example.cn"}, "设置 smtp_host 的值「smtp://smtp.example.cn」无效"),
        ({"IPPS_SMTP_USERNAME": "ipps"}, "已设置 smtp_username（ipps），但 smtp_password 未给出密码"),
        ({"IPPS_SMTP_PASSWORD": "secret"}, "已设置 smtp_password，但未设置登录用户名 smtp_username"),
        (
            {"IPPS_SMTP_USERNAME": "ipps", "IPPS_SMTP_PASSWORD": "密码"},
            "smtp_password 中有中文等非 ASCII 字符",
        ),
        ({"IPPS_SMTP_USERNAME": "平台", "IPPS_SMTP_PASSWORD": "x"}, "smtp_username 中有中文等非 ASCII 字符"),
        (
            {"IPPS_SMTP_CA_FILE": "/nonexistent/ca.pem"},
            "smtp_ca_file 指定的证书文件 /nonexistent/ca.pem 不存在",
        ),
    ],
)
def test_settings_that_cannot_work_together_are_named(
    tmp_path: Path, changes: dict[str, str], expected: str
) -> None:
    settings = load(GOOD | changes, tmp_path)
    with pytest.raises(SettingsError, match=expected):
        notifier_from_settings(settings)


def test_an_empty_password_file_is_no_password(tmp_path: Path) -> None:
    (tmp_path / "password").write_text("\n", encoding="utf-8")
    environ = GOOD | {"IPPS_SMTP_USERNAME": "ipps", "IPPS_SMTP_PASSWORD_FILE": str(tmp_path / "password")}
    with pytest.raises(SettingsError, match="但 smtp_password_file 未给出密码"):
        notifier_from_settings(load(environ, tmp_path))


@pytest.mark.parametrize(
    ("host", "expected"),
    [("127.0.0.1", "127.0.0.1"), ("::1", "::1"), ("[::1]", "::1"), ("mail", "mail")],
)
def test_hosts_that_are_accepted(tmp_path: Path, host: str, expected: str) -> None:
    config = smtp_config(load(GOOD | {"IPPS_SMTP_HOST": host}, tmp_path))
    assert config is not None and config.host == expected


def test_settings_made_in_code_are_checked_too() -> None:
    good = {"smtp_host": "mail", "smtp_sender": "a@b.cn"}
    with pytest.raises(SettingsError, match="设置 smtp_security 的值「tls」无效"):
        smtp_config(Settings(**good, smtp_security="tls"))
    with pytest.raises(SettingsError, match="设置 smtp_port 的值「0」无效"):
        smtp_config(Settings(**good, smtp_port=0))
    with pytest.raises(SettingsError, match="smtp_sender_name 中不能有换行"):
        smtp_config(Settings(**good, smtp_sender_name="平台\nBcc: x@y.cn"))


# --- sending through a real server --------------------------------------------------------------


def test_a_notice_goes_out_through_the_configured_server(
    tmp_path: Path, smtp_server: tuple[Controller, Inbox]
) -> None:
    controller, inbox = smtp_server
    write_settings(
        tmp_path,
        'smtp_host = "127.0.0.1"\n'
        f"smtp_port = {controller.port}\n"
        'smtp_security = "none"\n'
        'smtp_sender = "noreply@ipps.example.cn"\n',
    )
    notifier = notifier_from_settings(load({}, tmp_path), platform_name="某某知识产权保护中心")

    assert run(notifier.deliver(build_notice(APPLICATION, "accepted"), "email", "job")) == "lin@example.com"

    assert [(e.mail_from, e.rcpt_tos) for e in inbox.envelopes] == [
        ("noreply@ipps.example.cn", ["lin@example.com"])
    ]
    (message,) = inbox.messages()
    assert message["Subject"] == "【知识产权公共服务平台】办件 SQ20261124-000001 已受理"
    sender = message["From"].addresses[0]
    assert (sender.display_name, sender.addr_spec) == ("某某知识产权保护中心", "noreply@ipps.example.cn")
    assert "您申请的“专利权质押登记”（办件编号 SQ20261124-000001）已受理" in message.get_content()


def test_ssl_with_login_from_a_password_file_and_a_ca_file(tmp_path: Path) -> None:
    tls = TlsLogin(tmp_path, b" pass word ")

    (tmp_path / "password").write_text(" pass word \n", encoding="utf-8")
    # TLS from the start: aiosmtpd does not count that as TLS for AUTH, hence auth_require_tls off
    server = local_smtp_server(
        ssl_context=tls.context, authenticator=tls.authenticate, auth_require_tls=False
    )
    with server as (controller, inbox):
        environ = {
            "IPPS_SMTP_HOST": "127.0.0.1",
            "IPPS_SMTP_PORT": str(controller.port),
            "IPPS_SMTP_SECURITY": "ssl",
            "IPPS_SMTP_SENDER": "noreply@ipps.example.cn",
            "IPPS_SMTP_USERNAME": "ipps",
            "IPPS_SMTP_PASSWORD_FILE": str(tmp_path / "password"),
            "IPPS_SMTP_CA_FILE": str(tls.cert),
        }
        notice = build_notice(APPLICATION, "accepted")
        run(notifier_from_settings(load(environ, tmp_path)).deliver(notice, "email", "job"))

        without_ca = load(environ | {"IPPS_SMTP_CA_FILE": ""}, tmp_path)  # the system CAs do not know it
        with pytest.raises(DeliveryFailed, match="加密连接失败"):
            run(notifier_from_settings(without_ca).deliver(notice, "email", "job"))
    assert tls.logins == [(b"ipps", b" pass word ")]
    assert [e.rcpt_tos for e in inbox.envelopes] == [["lin@example.com"]]
