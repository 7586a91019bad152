"""Throw-away Redis and PostgreSQL servers on free loopback ports, for fault tests.

Faults (stopping Redis, restarting PostgreSQL) are never done to the shared
servers on 6379 and 5432: each test that needs one starts its own from the
installed server binaries, in a temporary directory, and removes it after.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import redis

from pipeline.processes import free_port


def redis_binary() -> str:
    """The installed redis-server (fails the test, never skips, when it is missing)."""
    found = shutil.which("redis-server")
    if found is None:
        raise RuntimeError("redis-server is not installed (Debian: apt-get install redis-server)")
    return found


def postgres_bindir() -> Path:
    """The newest installed PostgreSQL server's bin directory."""
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(d.split("/")[-2]))
    if not dirs:
        raise RuntimeError("no PostgreSQL server binaries (Debian: apt-get install postgresql)")
    return Path(dirs[-1])


@dataclass
class RedisServer:
    """A redis-server without persistence; stop and start it to make an outage."""

    port: int
    workdir: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [redis_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5).ping()
                return
            except redis.RedisError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@contextmanager
def throwaway_redis() -> Iterator[RedisServer]:
    """A private Redis on a free port for the block."""
    with tempfile.TemporaryDirectory(prefix="bankbot-redis-") as workdir:
        server = RedisServer(free_port(), Path(workdir))
        server.start()
        try:
            yield server
        finally:
            server.stop()


@dataclass
class PostgresServer:
    """A PostgreSQL cluster in a temporary directory, run as the `postgres` user."""

    port: int
    datadir: Path

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _as_postgres(self, *argv: str) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else list(argv)

    def start(self) -> None:
        subprocess.run(
            self._as_postgres(
                str(postgres_bindir() / "pg_ctl"), "-D", str(self.datadir), "-w", "-s",
                "-l", str(self.datadir / "server.log"),
                "-o", f"-p {self.port} -k {self.datadir} -c listen_addresses=127.0.0.1"
                " -c fsync=off",
                "start",
            ),
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while True:
            try:
                psycopg.connect(self.admin_url, connect_timeout=1).close()
                return
            except psycopg.Error:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(
            self._as_postgres(str(postgres_bindir() / "pg_ctl"), "-D", str(self.datadir),
                              "-m", mode, "-w", "-s", "stop"),
            check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"


@contextmanager
def throwaway_postgres() -> Iterator[PostgresServer]:
    """A private PostgreSQL on a free port (trust authentication) for the block."""
    workdir = Path(tempfile.mkdtemp(prefix="bankbot-pg-"))
    datadir = workdir / "data"
    datadir.mkdir()
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(workdir, owner.pw_uid, owner.pw_gid)
        os.chown(datadir, owner.pw_uid, owner.pw_gid)
    server = PostgresServer(free_port(), datadir)
    subprocess.run(
        server._as_postgres(str(postgres_bindir() / "initdb"), "-D", str(datadir), "-U",
                            "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"),
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    server.start()
    try:
        yield server
    finally:
        server.stop("immediate")
        shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def serve_gateway(settings: Any) -> Iterator[str]:
    """The gateway app under uvicorn in a thread on a free loopback port; yields its URL."""
    import threading

    import uvicorn

    from handoff.main import create_app

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=port, log_level="warning",
            ws="websockets-sansio",
        )
    )  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the gateway did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
