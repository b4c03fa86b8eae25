"""A throwaway PostgreSQL cluster for the tests and benchmarks, from the installed server binaries.

``initdb`` refuses to run as root, and these machines run everything as root: the cluster
then belongs to the ``postgres`` system user (``runuser -u postgres --``), in a temporary
folder under /tmp that user owns, listening on a free loopback port and a Unix socket in that
folder, with trust authentication for the ``ipps`` role. :meth:`Cluster.stop` stops it and
removes the folder.

    with Cluster.started() as cluster:
        url = cluster.create_database("t1")   # postgresql://ipps@127.0.0.1:PORT/t1

Where the binaries are missing, :func:`find_binaries` answers None and the tests say why they
are skipped (in CI, with ``CI=true``, they fail instead: ``.ci/run`` installs Debian's
``postgresql``).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROLE = "ipps"


def find_binaries() -> Path | None:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres``, or None."""
    candidates = [Path(p).parent for p in (shutil.which("initdb"),) if p]
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for folder in candidates:
        if all((folder / name).exists() for name in ("initdb", "pg_ctl", "postgres")):
            return folder
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    def __init__(self, root: Path, port: int, binaries: Path, as_postgres: list[str]) -> None:
        self.root, self.port, self.binaries, self._as = root, port, binaries, as_postgres

    @classmethod
    @contextlib.contextmanager
    def started(cls, *, durable: bool = False, settings: dict[str, str] | None = None) -> Iterator[Cluster]:
        """Start a cluster; ``durable``: fsync and synchronous commit on (benchmarks), off
        otherwise (tests: a crash of the test machine loses nothing of value)."""
        binaries = find_binaries()
        if binaries is None:
            raise RuntimeError("PostgreSQL server binaries (initdb, pg_ctl, postgres) not found")
        root = Path(tempfile.mkdtemp(prefix="ipps-pg-"))
        as_postgres: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(root, user.pw_uid, user.pw_gid)
            as_postgres = ["runuser", "-u", "postgres", "--"]
        cluster = cls(root, _free_port(), binaries, as_postgres)
        try:
            cluster._init_and_start(durable, settings or {})
            yield cluster
        finally:
            cluster.stop()

    def _run(self, *command: str) -> None:
        result = subprocess.run(
            [*self._as, *command], capture_output=True, text=True, check=False, timeout=180
        )
        if result.returncode != 0:
            log = (self.root / "log").read_text(errors="replace") if (self.root / "log").exists() else ""
            raise RuntimeError(f"{' '.join(command)} failed: {result.stdout}{result.stderr}{log[-2000:]}")

    def _init_and_start(self, durable: bool, settings: dict[str, str]) -> None:
        data = self.root / "data"
        self._run(
            str(self.binaries / "initdb"), "-D", str(data), "-U", ROLE, "-A", "trust", "-E", "UTF8",
            "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        options = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": str(self.root),
            "max_connections": "200",
            "fsync": "on" if durable else "off",
            "synchronous_commit": "on" if durable else "off",
            "full_page_writes": "on" if durable else "off",
            **settings,
        }
        flags = " ".join(f"-c {name}={value}" for name, value in options.items())
        self._run(
            str(self.binaries / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(self.root / "log"),
            "-w",
            "-o",
            flags,
            "start",
        )

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{ROLE}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        data = self.root / "data"
        if (data / "postmaster.pid").exists():
            with contextlib.suppress(RuntimeError):
                self._run(str(self.binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
