"""`make run` restarts a crashed service with backoff and says so (issue 14, item 5)."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from bankbot.supervisor import Backoff, Supervisor
from pipeline.processes import Service, free_port


def _server(tmp_path: Path, name: str = "action server") -> Service:
    port = free_port()
    return Service(
        name=name,
        argv=[sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        health_url=f"http://127.0.0.1:{port}/",
        log_path=tmp_path / f"{name}.log",
        cwd=tmp_path,
    )


def _run_until(supervisor: Supervisor, done: object, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not done():  # type: ignore[operator]
        assert time.monotonic() < deadline, "supervisor did not get there in time"
        supervisor.check()
        time.sleep(0.05)


def test_a_killed_service_is_restarted_and_the_operator_is_told(tmp_path: Path) -> None:
    service = _server(tmp_path)
    said: list[str] = []
    service.start()
    try:
        _run_until(Supervisor([], said.append), service.is_ready, 20)
        supervisor = Supervisor([service], said.append, Backoff(first_s=0.5))
        assert service.process is not None
        os.killpg(service.process.pid, signal.SIGKILL)  # a crash
        started = time.monotonic()
        _run_until(supervisor, lambda: any("is back" in line for line in said), 20)
        took = time.monotonic() - started
    finally:
        service.stop()
    report = "\n".join(said)
    assert "action server stopped unexpectedly (exit -9)" in report
    assert "restarting it in 0.5 s (crash 1 in a row)" in report
    assert "restarting action server" in report and "action server is back" in report
    assert took < 10


def test_a_service_that_keeps_crashing_waits_longer_each_time(tmp_path: Path) -> None:
    service = Service(
        name="engine",
        argv=[sys.executable, "-c", "print('model file missing'); raise SystemExit(3)"],
        health_url=f"http://127.0.0.1:{free_port()}/",
        log_path=tmp_path / "engine.log",
    )
    said: list[str] = []
    supervisor = Supervisor([service], said.append, Backoff(first_s=0.1, max_s=0.4))
    service.start()
    try:
        _run_until(supervisor, lambda: sum("stopped unexpectedly" in s for s in said) >= 4, 20)
    finally:
        service.stop()
    crashes = [s for s in said if "stopped unexpectedly" in s]
    assert "exit 3" in crashes[0] and "model file missing" in crashes[0]  # the log's end
    assert [f"crash {n} in a row" in s for n, s in enumerate(crashes[:4], start=1)] == [True] * 4
    assert Backoff().delay(1) == 1 and Backoff().delay(3) == 4 and Backoff().delay(9) == 30
