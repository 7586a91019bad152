"""Start, watch and stop child processes: the engines a deployment starts, and every service.

The worker starts an engine per model it deploys; `make run` and the tests
start the whole stack with the same class. Each child runs in its own process
group with its output in a log file; a child that dies is reported with the
end of its log, and stopping always reaches the whole group so no engine is
left behind.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx


def free_port() -> int:
    """A port nothing listens on now, so a running `make run` is never disturbed."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Service:
    """One child process and how to tell it is ready."""

    name: str
    argv: list[str]
    health_url: str
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    ready: Callable[[httpx.Response], bool] = lambda r: r.status_code == 200
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start in a new process group, output appended to the log."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.argv,
            cwd=self.cwd,
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()

    def exited(self) -> int | None:
        """The exit code if the process has ended, else None."""
        return None if self.process is None else self.process.poll()

    def is_ready(self) -> bool:
        """One health probe."""
        try:
            return self.ready(httpx.get(self.health_url, timeout=2.0))
        except httpx.HTTPError:
            return False

    def stop(self, grace_s: float = 10.0) -> None:
        """SIGTERM the process group, then SIGKILL what is left after `grace_s`."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(grace_s)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        """Hard stop, as a crash would (used by failure tests)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def log_tail(self, lines: int = 20) -> str:
        """The end of the log, for crash reports."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class ServiceFailed(RuntimeError):
    """A service exited or never became healthy."""


def wait_ready(services: list[Service], timeout_s: float, say: Callable[[str], None]) -> None:
    """Block until every service answers its health check; fail fast if one dies."""
    pending = list(services)
    deadline = time.monotonic() + timeout_s
    while pending:
        for service in list(pending):
            code = service.exited()
            if code is not None:
                raise ServiceFailed(
                    f"{service.name} exited with code {code} while starting; "
                    f"last lines of {service.log_path}:\n{service.log_tail()}"
                )
            if service.is_ready():
                say(f"  {service.name} is up")
                pending.remove(service)
        if pending and time.monotonic() > deadline:
            names = ", ".join(s.name for s in pending)
            raise ServiceFailed(f"{names} not healthy after {timeout_s:.0f} s")
        if pending:
            time.sleep(0.5)


def stop_all(services: list[Service]) -> None:
    """Stop in reverse start order."""
    for service in reversed(services):
        service.stop()
