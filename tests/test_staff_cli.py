"""``ipps user``: adding, listing, disabling accounts and turning on the second factor."""

from __future__ import annotations

import io
import stat
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from forms_api.cli import users as cli
from forms_api.domain.staff.accounts import Accounts, InvalidCredentials
from tests.conftest import ROOT, SAMPLE_CATALOG

PASSWORD = "a long enough password"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("IPPS_SETTINGS", raising=False)
    monkeypatch.setenv("IPPS_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("IPPS_CATALOG_DIR", str(SAMPLE_CATALOG))
    return tmp_path / "var"


def run(monkeypatch: pytest.MonkeyPatch, *argv: str, stdin: str = "") -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return cli.main(list(argv))


def test_add_reads_the_password_from_standard_input(data_dir: Path, monkeypatch, capsys) -> None:
    assert run(monkeypatch, "user", "add", "alice", "--role", "管理员", stdin=PASSWORD + "\nignored\n") == 0
    assert "已添加管理员「alice」" in capsys.readouterr().out
    accounts = Accounts(data_dir)
    assert accounts.authenticate("alice", PASSWORD).role.id == "admin"
    assert stat.S_IMODE(accounts.path.stat().st_mode) == 0o600


def test_add_asks_twice_on_a_terminal(data_dir: Path, monkeypatch, capsys) -> None:
    answers = iter([PASSWORD, PASSWORD])
    prompts: list[str] = []
    monkeypatch.setattr(sys, "stdin", Terminal())
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: prompts.append(prompt) or next(answers))
    assert cli.main(["user", "add", "bob", "--role", "auditor"]) == 0
    assert prompts == ["密码：", "再次输入密码："]
    assert Accounts(data_dir).authenticate("bob", PASSWORD).role.read_only


def test_add_refuses_two_different_passwords(data_dir: Path, monkeypatch, capsys) -> None:
    answers = iter([PASSWORD, PASSWORD + "!"])
    monkeypatch.setattr(sys, "stdin", Terminal())
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: next(answers))
    assert cli.main(["user", "add", "bob", "--role", "auditor"]) == 1
    assert "两次输入的密码不一致" in capsys.readouterr().err
    assert Accounts(data_dir).get("bob") is None


def test_handler_with_department(data_dir: Path, monkeypatch, capsys) -> None:
    argv = ["user", "add", "hank", "--role", "handler", "--department", "ip-protection-center"]
    assert run(monkeypatch, *argv, stdin=PASSWORD) == 0
    assert "所属部门：示范市知识产权保护中心" in capsys.readouterr().out
    assert Accounts(data_dir).get("hank").departments == ("ip-protection-center",)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--role", "handler"], "办理员必须绑定至少一个部门"),
        (["--role", "handler", "--department", "nowhere"], "目录中没有部门「nowhere」"),
        (["--role", "acceptor", "--department", "ip-protection-center"], "只有办理员需要绑定部门"),
    ],
)
def test_departments_are_checked_before_the_password(
    data_dir: Path, monkeypatch, capsys, argv: list[str], message: str
) -> None:
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: pytest.fail("asked for a password"))
    monkeypatch.setattr(sys, "stdin", Terminal())
    assert cli.main(["user", "add", "hank", *argv]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert Accounts(data_dir).users() == []


def test_bad_data_exits_1_with_a_chinese_message(data_dir: Path, monkeypatch, capsys) -> None:
    assert run(monkeypatch, "user", "add", "alice", "--role", "admin", stdin="short\n") == 1
    assert "密码至少需要 10 个字符" in capsys.readouterr().err
    assert run(monkeypatch, "user", "add", "alice", "--role", "admin", stdin="") == 1
    assert "没有读到密码" in capsys.readouterr().err
    assert run(monkeypatch, "user", "add", "alice", "--role", "admin", stdin=PASSWORD) == 0
    assert run(monkeypatch, "user", "add", "alice", "--role", "admin", stdin=PASSWORD) == 1
    assert "用户「alice」已存在" in capsys.readouterr().err
    assert run(monkeypatch, "user", "disable", "nobody") == 1
    assert "用户「nobody」不存在" in capsys.readouterr().err


def test_usage_errors_exit_2(data_dir: Path, monkeypatch, capsys) -> None:
    assert run(monkeypatch, "user", "add", "alice", "--role", "boss", stdin=PASSWORD) == 2
    err = capsys.readouterr().err
    assert "未知的角色「boss」" in err and "handler（办理员）" in err
    assert run(monkeypatch, "user") == 2
    assert run(monkeypatch, "user", "add", "alice") == 2
    assert "缺少必需的参数" in capsys.readouterr().err


def test_unusable_settings_exit_2(data_dir: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("IPPS_SETTINGS", str(data_dir / "missing.toml"))
    assert run(monkeypatch, "user", "list") == 2
    assert "设置文件" in capsys.readouterr().err


def test_list_disable_and_totp(data_dir: Path, monkeypatch, capsys) -> None:
    assert run(monkeypatch, "user", "list") == 0
    assert "还没有工作人员账号" in capsys.readouterr().out
    run(monkeypatch, "user", "add", "alice", "--role", "admin", stdin=PASSWORD)
    run(
        monkeypatch,
        "user",
        "add",
        "hank",
        "--role",
        "办理员",
        "--department",
        "copyright-bureau",
        stdin=PASSWORD,
    )
    capsys.readouterr()

    assert run(monkeypatch, "user", "totp", "hank") == 0
    out = capsys.readouterr().out
    secret = next(line for line in out.splitlines() if line.startswith("密钥：")).removeprefix("密钥：")
    uri = next(line for line in out.splitlines() if line.startswith("链接：")).removeprefix("链接：")
    query = parse_qs(urlsplit(uri).query)
    assert query["secret"] == [secret] and query["issuer"] == ["示范市知识产权服务中心"]
    assert Accounts(data_dir).get("hank").totp_secret == secret

    assert run(monkeypatch, "user", "disable", "alice") == 0
    assert "已停用账号「alice」" in capsys.readouterr().out
    assert run(monkeypatch, "user", "list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["用户名", "角色", "所属部门", "工作邮箱", "动态验证码", "状态", "创建时间"]
    assert lines[1].split()[:6] == ["alice", "管理员", "—", "—", "未开启", "已停用"]
    assert lines[2].split()[:6] == ["hank", "办理员", "copyright-bureau", "—", "已开启", "正常"]
    assert lines[-1] == "共 2 个账号。"
    # Columns line up although the headings are Chinese (two columns per character).
    assert lines[0].index("角色") == len("用户名  ") and lines[1].index("管理员") == len("用户名") * 2 + 2


def test_a_disabled_user_cannot_log_in(data_dir: Path, monkeypatch) -> None:
    run(monkeypatch, "user", "add", "alice", "--role", "admin", stdin=PASSWORD)
    run(monkeypatch, "user", "disable", "alice")
    with pytest.raises(InvalidCredentials):
        Accounts(data_dir).authenticate("alice", "wrong password")


def test_as_a_separate_process_errors_have_no_traceback(tmp_path: Path) -> None:
    environment = {
        "IPPS_DATA_DIR": str(tmp_path / "var"),
        "IPPS_CATALOG_DIR": str(SAMPLE_CATALOG),
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-c", "import sys; from forms_api.cli.users import main; sys.exit(main())"]
    add = [*command, "user", "add", "alice", "--role", "supervisor"]

    def attempt() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            add, input=PASSWORD + "\n", capture_output=True, text=True, cwd=tmp_path, env=environment
        )

    done = attempt()
    assert done.returncode == 0, done.stderr
    again = attempt()
    assert again.returncode == 1
    assert again.stderr.strip() == "用户「alice」已存在"


def test_a_work_address_for_reminders_is_set_checked_listed_and_cleared(
    data_dir: Path, monkeypatch, capsys
) -> None:
    add = ("user", "add", "zhao", "--role", "handler", "--department", "copyright-bureau")
    assert run(monkeypatch, *add, "--email", "zhao@", stdin=PASSWORD + "\n") == 1
    assert "电子邮箱「zhao@」格式不正确" in capsys.readouterr().err
    assert run(monkeypatch, *add, "--email", "zhao@ipps.example.cn", stdin=PASSWORD + "\n") == 0
    assert Accounts(data_dir).get("zhao").email == "zhao@ipps.example.cn"
    capsys.readouterr()
    assert run(monkeypatch, "user", "list") == 0
    assert "zhao@ipps.example.cn" in capsys.readouterr().out
    assert run(monkeypatch, "user", "email", "zhao", "zhao.x@ipps.example.cn") == 0
    assert Accounts(data_dir).get("zhao").email == "zhao.x@ipps.example.cn"
    assert run(monkeypatch, "user", "email", "zhao") == 0
    assert "已清除「zhao」的工作邮箱" in capsys.readouterr().out
    assert Accounts(data_dir).get("zhao").email == ""
    assert run(monkeypatch, "user", "email", "nobody", "a@b.cn") == 1
