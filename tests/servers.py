"""Debian's PostgreSQL server (the production kind), started for the tests.

The embedded server is one PostgreSQL (16); production runs Debian's packaged
servers (14-17). ``make test`` installs Debian's ``postgresql`` when missing;
this starts a private cluster of it on a free loopback port, as the user
``postgres`` when the tests run as root (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def debian_bindir() -> Path | None:
    """The newest installed Debian PostgreSQL server's bin folder."""
    root = Path("/usr/lib/postgresql")
    found = sorted(
        (p for p in root.glob("*/bin") if (p / "postgres").exists()),
        key=lambda p: int(p.parent.name),
    )
    return found[-1] if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    restart: Callable[[], None]


@contextmanager
def debian_postgres():
    """Yield a fresh cluster in a folder of its own (its admin URL, and a fast restart
    that drops every connection as a server restart does); stop it afterwards."""
    bindir = debian_bindir()
    if bindir is None:
        raise RuntimeError("Debian's PostgreSQL server is needed (make test installs it)")
    # Its own folder: the server's user must reach it (the tests' state folder is 0700).
    folder = Path(tempfile.mkdtemp(prefix="yigongti-pg-"))
    data = folder / "data"
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    subprocess.run(
        [
            *as_user,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [
            *as_user,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(folder / "server.log"),
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
    )

    def restart() -> None:
        subprocess.run(
            [
                *as_user,
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(folder / "server.log"),
                "-m",
                "fast",
                "-w",
                "restart",
            ],
            check=True,
            # Not captured: the new postmaster would keep the pipes open forever.
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    try:
        yield Server(f"postgresql://postgres@127.0.0.1:{port}/postgres", restart)
    finally:
        subprocess.run(
            [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)
