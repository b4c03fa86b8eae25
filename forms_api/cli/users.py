"""``ipps user``: staff accounts from the command line.

::

    ipps user add NAME --role ROLE [--department ID ...]   # password asked twice, or read from stdin
    ipps user list
    ipps user disable NAME
    ipps user totp NAME                                    # turns on the second factor

:func:`add_commands` registers ``user`` on the ``ipps`` subparsers; the handlers return the
exit status the ``ipps`` command uses: 0 done, 1 data that cannot be accepted (a short
password, an unknown department, a name already taken), 2 usage (an unknown role, unusable
settings). They read the data folder and the catalog folder from
:func:`forms_api.settings.load`, like ``ipps serve``, and write only ``users.json``, so they
work while the server runs.

The password is never an argument (it would show in the process list and shell history): on
a terminal it is asked twice with :func:`getpass.getpass`; otherwise the first line of
standard input is the password, for scripts (``printf '%s\\n' "$PW" | ipps user add …``).
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import sys
import unicodedata
from collections.abc import Sequence
from typing import Any

from forms_api.domain.staff.accounts import AccountError, Accounts, check_departments, check_email, check_name
from forms_api.domain.staff.attempts import LoginAttempts
from forms_api.domain.staff.roles import Role, RoleError, parse_role, valid_roles_text
from forms_api.domain.staff.totp import provisioning_uri
from forms_api.settings import Settings, SettingsError, load
from generator.workdays import china_tz

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2
DEFAULT_ISSUER = "知识产权公共服务平台"


class _Refused(Exception):
    """A message for stderr and the exit status to go with it."""

    def __init__(self, message: str, status: int = EXIT_DATA) -> None:
        super().__init__(message)
        self.status = status


def _role(text: str) -> Role:
    try:
        return parse_role(text)
    except RoleError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_commands(commands: Any) -> None:
    """Register ``user`` and its subcommands on ``commands`` (what ``add_subparsers`` returned)."""
    user = commands.add_parser(
        "user", help="管理工作人员账号", description="添加、列出、停用工作人员账号，开启动态验证码。"
    )
    actions = user.add_subparsers(dest="user_command", metavar="操作", required=True)

    add = actions.add_parser(
        "add",
        help="添加账号",
        description="添加工作人员账号。在终端中会两次询问密码；否则从标准输入读取第一行作为密码。",
    )
    add.add_argument("name", metavar="用户名", help="登录名：小写英文字母、数字和 . _ -")
    add.add_argument("--role", type=_role, required=True, help=f"角色：{valid_roles_text()}")
    add.add_argument(
        "--department",
        dest="departments",
        action="append",
        default=[],
        metavar="部门标识",
        help="办理员所属部门（departments.yml 中的标识），可重复",
    )
    add.add_argument("--email", default="", metavar="邮箱", help="接收到期提醒和每日汇总的工作邮箱（可选）")
    add.set_defaults(handler=cmd_user_add)

    mailbox = actions.add_parser(
        "email",
        help="设置账号的工作邮箱",
        description="设置接收到期提醒、超期催告和部门每日汇总的工作邮箱；不给邮箱则清除。",
    )
    mailbox.add_argument("name", metavar="用户名")
    mailbox.add_argument("email", nargs="?", default="", metavar="邮箱")
    mailbox.set_defaults(handler=cmd_user_email)

    listing = actions.add_parser("list", help="列出账号", description="列出全部工作人员账号。")
    listing.set_defaults(handler=cmd_user_list)

    unlock = actions.add_parser(
        "unlock",
        help="清除账号的登录失败记录",
        description="清除账号在所有地址的登录失败记录，需要等待的登录立即可以再试。",
    )
    unlock.add_argument("name", metavar="用户名")
    unlock.set_defaults(handler=cmd_user_unlock)

    disable = actions.add_parser("disable", help="停用账号", description="停用账号，之后不能再登录。")
    disable.add_argument("name", metavar="用户名")
    disable.set_defaults(handler=cmd_user_disable)

    second = actions.add_parser(
        "totp",
        help="开启动态验证码",
        description="为账号开启动态验证码（第二重验证），显示密钥和供验证器扫描的链接；已开启的会换成新密钥。",
    )
    second.add_argument("name", metavar="用户名")
    second.set_defaults(handler=cmd_user_totp)


def _run(action: Any, args: argparse.Namespace) -> int:
    try:
        try:
            settings = load()
        except SettingsError as exc:
            raise _Refused(str(exc), EXIT_USAGE) from None
        return int(action(settings, args))
    except _Refused as exc:
        print(str(exc), file=sys.stderr)
        return exc.status
    except AccountError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_DATA
    except OSError as exc:
        print(f"无法读写账号文件：{exc.strerror or exc}（{exc.filename or ''}）", file=sys.stderr)
        return EXIT_DATA


def _load_catalog(settings: Settings) -> Any:
    from generator.catalog import CatalogInvalid, load_catalog

    if not settings.catalog_dir.is_dir():
        raise _Refused(f"事项目录 {settings.catalog_dir} 不存在，请检查设置 catalog_dir", EXIT_USAGE)
    try:
        return load_catalog(settings.catalog_dir)
    except CatalogInvalid as exc:
        raise _Refused(
            f"事项目录 {settings.catalog_dir} 校验未通过（{len(exc.problems)} 个问题），请先运行 ipps validate"
        ) from None


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("密码：")
        if first != getpass.getpass("再次输入密码："):
            raise _Refused("两次输入的密码不一致")
        return first
    line = sys.stdin.readline()
    if not line:
        raise _Refused("没有读到密码：请在终端中运行，或从标准输入提供一行密码")
    return line.rstrip("\r\n")


def cmd_user_add(args: argparse.Namespace) -> int:
    def action(settings: Settings, args: argparse.Namespace) -> int:
        with contextlib.closing(Accounts.of(settings)) as accounts:
            known: dict[str, str] = {}
            if args.departments or args.role.needs_departments:
                known = {d.id: d.name for d in _load_catalog(settings).departments.values()}
            # Everything that can be checked before asking for the password (add() checks again).
            check_name(args.name)
            check_departments(args.role, tuple(args.departments), known)
            check_email(args.email)
            if accounts.get(args.name) is not None:
                raise _Refused(f"用户「{args.name}」已存在")
            password = _read_password()
            user = accounts.add(
                args.name, args.role, password, args.departments, known_departments=known, email=args.email
            )
            bound = "、".join(known.get(d, d) for d in user.departments)
            print(f"已添加{user.role.label}「{user.name}」" + (f"，所属部门：{bound}" if bound else ""))
            return EXIT_OK

    return _run(action, args)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def cmd_user_list(args: argparse.Namespace) -> int:
    def action(settings: Settings, args: argparse.Namespace) -> int:
        with contextlib.closing(Accounts.of(settings)) as accounts:
            users = accounts.users()
        if not users:
            print("还没有工作人员账号。用 ipps user add 添加。")
            return EXIT_OK
        rows = [("用户名", "角色", "所属部门", "工作邮箱", "动态验证码", "状态", "创建时间")]
        for user in users:
            rows.append(
                (
                    user.name,
                    user.role.label,
                    "、".join(user.departments) or "—",
                    user.email or "—",
                    "已开启" if user.has_second_factor else "未开启",
                    "已停用" if user.disabled else "正常",
                    user.created_at.astimezone(china_tz()).strftime("%Y-%m-%d %H:%M"),
                )
            )
        print(_table(rows))
        print(f"共 {len(users)} 个账号。")
        return EXIT_OK

    return _run(action, args)


def cmd_user_email(args: argparse.Namespace) -> int:
    def action(settings: Settings, args: argparse.Namespace) -> int:
        with contextlib.closing(Accounts.of(settings)) as accounts:
            accounts.set_email(args.name, args.email)
        print(
            f"已设置「{args.name}」的工作邮箱：{args.email}"
            if args.email
            else f"已清除「{args.name}」的工作邮箱"
        )
        return EXIT_OK

    return _run(action, args)


def cmd_user_unlock(args: argparse.Namespace) -> int:
    def action(settings: Settings, args: argparse.Namespace) -> int:
        with contextlib.closing(Accounts.of(settings)) as accounts:
            if accounts.get(args.name) is None:
                raise _Refused(f"用户「{args.name}」不存在")
        attempts = LoginAttempts.of(settings)
        try:
            cleared = attempts.unlock(args.name)
        finally:
            attempts.close()
        print(f"已清除「{args.name}」的登录失败记录（{cleared} 次），现在可以立即登录")
        return EXIT_OK

    return _run(action, args)


def cmd_user_disable(args: argparse.Namespace) -> int:
    def action(settings: Settings, args: argparse.Namespace) -> int:
        with contextlib.closing(Accounts.of(settings)) as accounts:
            accounts.set_disabled(args.name)
        print(f"已停用账号「{args.name}」")
        return EXIT_OK

    return _run(action, args)


def cmd_user_totp(args: argparse.Namespace) -> int:
    def action(settings: Settings, args: argparse.Namespace) -> int:
        with contextlib.closing(Accounts.of(settings)) as accounts:
            user = accounts.get(args.name)
            if user is None:
                raise _Refused(f"用户「{args.name}」不存在")
            issuer = DEFAULT_ISSUER
            with contextlib.suppress(_Refused):  # the issuer is only a label in the authenticator app
                issuer = _load_catalog(settings).platform.short_name
            secret = accounts.enable_totp(args.name)
            if user.has_second_factor:
                print("注意：原有的动态验证码密钥已作废，请在验证器中删除旧条目。")
            print(f"已为「{args.name}」开启动态验证码。请在验证器应用中添加：")
            print(f"密钥：{secret}")
            print(f"链接：{provisioning_uri(secret, args.name, issuer)}")
            print("密钥只显示这一次，请勿截图或转发。")
            return EXIT_OK

    return _run(action, args)


def build_parser() -> argparse.ArgumentParser:
    """An ``ipps``-like parser with only the ``user`` commands (the tests drive them through it)."""
    parser = argparse.ArgumentParser(prog="ipps", description="知识产权公共服务平台：工作人员账号。")
    add_commands(parser.add_subparsers(dest="command", metavar="命令", required=True))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from . import text

    text.install()
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2), already printed
        return int(exc.code or 0)
    return int(args.handler(args))
