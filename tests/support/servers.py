"""Helpers for tests that start real servers: free ports, waiting, and skip-or-fail when a binary is missing."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout: float = 20.0, host: str = "127.0.0.1",
                  proc: subprocess.Popen[bytes] | None = None, log: Path | None = None) -> None:
    """Block until something accepts connections on the port; fail early if the server process exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited ({proc.returncode}): {log.read_text() if log and log.exists() else ''}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listening on {host}:{port} after {timeout}s")


def need_binary(path_or_name: str, package: str) -> str:
    """The binary's path; when missing, skip (or fail under QA_MONITOR_REQUIRE_SERVERS=1, as in CI)."""
    found = path_or_name if os.path.isabs(path_or_name) and os.path.exists(path_or_name) else shutil.which(
        path_or_name)
    if not found:
        missing(f"{path_or_name} not found (install the Debian package '{package}')")
    return str(found)


def missing(reason: str) -> None:
    """Skip a test whose server is unavailable; in CI (QA_MONITOR_REQUIRE_SERVERS=1) that is a failure."""
    if os.environ.get("QA_MONITOR_REQUIRE_SERVERS") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A fresh database on a PostgreSQL server for one test, dropped afterwards; yields its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"qam_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def postgres_binaries() -> tuple[str, str] | None:
    """The paths of initdb and pg_ctl, or None when the PostgreSQL server is not installed."""
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    return (initdb, pg_ctl) if initdb and pg_ctl else None


@contextmanager
def postgres_cluster() -> Iterator[str]:
    """A throwaway PostgreSQL cluster on a free port, stopped and removed afterwards; yields its server URL."""
    binaries = postgres_binaries()
    if binaries is None:
        raise FileNotFoundError("PostgreSQL server binaries not found (install the Debian package 'postgresql')")
    initdb, pg_ctl = binaries
    root = Path(tempfile.mkdtemp(prefix="qa-monitor-pg-"))
    data, port = root / "data", free_port()
    as_user: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root
        shutil.chown(root, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    subprocess.run([*as_user, initdb, "-D", str(data), "-U", "qa", "--auth=trust", "-E", "UTF8"],
                   check=True, capture_output=True)
    try:
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-l", str(root / "log"), "-w", "-o",
                        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
                       check=True, capture_output=True)
        wait_for_port(port)
        yield f"postgresql+psycopg://qa@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
