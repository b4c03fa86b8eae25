"""The staff roles, as data.

A role says what a member of staff may do in the console; the pages check ``Role`` fields
rather than comparing names, so adding a role is a change here. Roles are given on the
command line in English (``handler``) or Chinese (``办理员``); files keep the English id.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    id: str
    """English identifier, kept in ``users.json`` and typed on the command line."""
    label: str
    """Chinese name shown to people."""
    description: str
    needs_departments: bool = False
    """A handler works on the submissions of the departments they are bound to."""
    read_only: bool = False
    """May look at everything the role allows, never change anything."""


ADMIN = Role("admin", "管理员", "管理人员账号和平台设置")
ACCEPTOR = Role("acceptor", "受理员", "接收、登记和受理群众提交的咨询与申请")
HANDLER = Role("handler", "办理员", "办理所属部门的事项并答复", needs_departments=True)
SUPERVISOR = Role("supervisor", "监督员", "督办超期事项，处理差评和投诉")
AUDITOR = Role("auditor", "审计员", "查看记录和操作日志（只读）", read_only=True)

ROLES: dict[str, Role] = {role.id: role for role in (ADMIN, ACCEPTOR, HANDLER, SUPERVISOR, AUDITOR)}
"""Every role by its English id, in the order they are listed to people."""


class RoleError(ValueError):
    """A role name that is neither an English id nor a Chinese label; the message is Chinese."""


def valid_roles_text() -> str:
    """``admin（管理员）、acceptor（受理员）…`` for messages that list the choices."""
    return "、".join(f"{role.id}（{role.label}）" for role in ROLES.values())


def parse_role(text: str) -> Role:
    """The role named ``text`` in English (any case) or Chinese; :class:`RoleError` otherwise."""
    wanted = text.strip()
    for role in ROLES.values():
        if wanted.lower() == role.id or wanted == role.label:
            return role
    raise RoleError(f"未知的角色「{text}」，可选：{valid_roles_text()}")
