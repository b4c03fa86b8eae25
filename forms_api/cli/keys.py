"""``ipps keys``: the platform's keys, and their rotation (8.2.6 d).

::

    ipps keys list [--data-dir DIR]
    ipps keys rotate data|session|signing [--data-dir DIR]

``rotate`` replaces one key (:mod:`forms_api.domain.rotation` says how each is done safely)
and is run with the service stopped: the embedded store refuses while a server holds it. With
PostgreSQL, stop every server and worker first and copy the new key file to every host
afterwards (a host with the old key refuses to start).

Exit status: 0 done; 1 refused or failed; 2 unusable settings.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .options import EXIT_FAILED, EXIT_OK, EXIT_USAGE, settings_from

AFTER = {
    "data": "已按新密钥重新加密 {records} 条记录中的个人信息；此前发出的查询码仍然有效。",
    "session": "所有工作人员需要重新登录。",
    "signing": "此前签发的回执和结果文书仍可核验（旧公钥已保留在 secrets/retired/）。",
}


def add_commands(commands: Any) -> None:
    keys = commands.add_parser(
        "keys", help="密钥", description="查看和轮换平台的密钥（数据加密、会话、签名）。"
    )
    actions = keys.add_subparsers(dest="keys_command", metavar="操作", required=True)
    listing = actions.add_parser(
        "list", help="列出密钥", description="列出各密钥的文件、指纹和已停用的旧密钥。"
    )
    listing.add_argument("--data-dir", type=Path, help="数据目录（默认取设置，通常为 var）")
    listing.set_defaults(handler=cmd_list)
    rotate = actions.add_parser(
        "rotate",
        help="轮换一个密钥",
        description=(
            "生成新密钥替换旧密钥：data 为数据加密密钥（重新加密全部个人信息，旧密钥在完成前一直可读），"
            "session 为会话密钥（工作人员需重新登录），signing 为签名密钥（旧公钥保留，已签发的文书仍可核验）。"
            "请先停止服务；使用 PostgreSQL 时，完成后把新密钥文件复制到每台主机。"
        ),
    )
    rotate.add_argument("key", choices=["data", "session", "signing"], help="要轮换的密钥")
    rotate.add_argument("--data-dir", type=Path, help="数据目录（默认取设置，通常为 var）")
    rotate.set_defaults(handler=cmd_rotate)


def cmd_list(args: argparse.Namespace) -> int:
    from forms_api.domain.rotation import KEY_NAMES, session_key_path
    from forms_api.storage.crypto import RETIRED
    from forms_api.storage.keys import KeyFileError, fingerprint, read_key
    from forms_api.storage.signing import Signer, signing_key_path

    if (settings := settings_from(args)) is None:
        return EXIT_USAGE
    paths = {
        "data": settings.key_path,
        "session": session_key_path(settings),
        "signing": signing_key_path(settings.data_dir),
    }
    for name, path in paths.items():
        if not path.exists():
            print(f"{KEY_NAMES[name]}\t{path}\t尚未生成")
            continue
        try:
            key = read_key(path, "密钥文件")
        except KeyFileError as exc:
            print(f"{KEY_NAMES[name]}\t{path}\t无法读取：{exc}")
            continue
        extra = f"\t签名密钥标识 {Signer(key).key_id}" if name == "signing" else ""
        print(f"{KEY_NAMES[name]}\t{path}\t指纹 {fingerprint(key, name)[:16]}{extra}")
    for folder in sorted({path.parent / RETIRED for path in paths.values()}):
        for retired in sorted(folder.glob("*")) if folder.is_dir() else ():
            print(f"已停用\t{retired}")
    return EXIT_OK


def cmd_rotate(args: argparse.Namespace) -> int:
    from forms_api.domain import rotation
    from forms_api.domain.columns import columns_of
    from forms_api.storage.backup import run_in_own_loop
    from forms_api.storage.embedded import StoreLocked
    from forms_api.storage.embedded.store import StoreUnavailable
    from forms_api.storage.engines import open_store
    from forms_api.storage.keys import KeyFileError

    if (settings := settings_from(args)) is None:
        return EXIT_USAGE

    async def run() -> rotation.Rotated:
        store = await open_store(settings, columns=columns_of)
        try:
            if args.key == "data":
                return await rotation.rotate_data_key(settings, store, lambda line: print(line, flush=True))
            if args.key == "session":
                return await rotation.rotate_session_key(settings, store)
            return await rotation.rotate_signing_key(settings, store)
        finally:
            await store.close()

    try:
        rotated = run_in_own_loop(run())
    except StoreLocked:
        print(f"数据目录 {settings.data_dir} 正被 ipps serve 使用：请先停止服务再轮换密钥", file=sys.stderr)
        return EXIT_FAILED
    except (StoreUnavailable, KeyFileError, OSError) as exc:
        print(f"无法轮换密钥：{exc}", file=sys.stderr)
        return EXIT_FAILED
    print(
        f"已轮换{rotation.KEY_NAMES[rotated.name]}（指纹 {rotated.old_fingerprint[:16]} → "
        f"{rotated.new_fingerprint[:16]}），并记入操作日志。"
        + AFTER[rotated.name].format(records=rotated.records)
    )
    if settings.engine == "postgres":
        print("使用 PostgreSQL：请把新的密钥文件（保持权限 600）复制到每台主机后再启动服务。")
    return EXIT_OK
