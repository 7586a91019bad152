"""Supervision: a crashed child is reported with its log, and stopping leaves nothing behind."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from pipeline.processes import Service, ServiceFailed, free_port, wait_ready


def test_a_child_that_dies_while_starting_is_reported_with_its_log(tmp_path: Path) -> None:
    service = Service(
        name="engine",
        argv=[sys.executable, "-c", "print('model file missing'); raise SystemExit(3)"],
        health_url=f"http://127.0.0.1:{free_port()}/health",
        log_path=tmp_path / "engine.log",
    )
    service.start()
    with pytest.raises(ServiceFailed) as failure:
        wait_ready([service], timeout_s=20, say=lambda _: None)
    assert "engine exited with code 3" in str(failure.value)
    assert "model file missing" in str(failure.value)


def test_stop_reaches_the_whole_process_group(tmp_path: Path) -> None:
    port = free_port()
    pidfile = tmp_path / "grandchild.pid"
    # A server that also starts a grandchild, as Rasa and uvicorn workers do.
    script = (
        "import subprocess, sys, http.server;"
        f"p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)']);"
        f"open({str(pidfile)!r}, 'w').write(str(p.pid));"
        f"http.server.HTTPServer(('127.0.0.1', {port}),"
        " http.server.SimpleHTTPRequestHandler).serve_forever()"
    )
    service = Service(
        name="gateway",
        argv=[sys.executable, "-c", script],
        health_url=f"http://127.0.0.1:{port}/",
        log_path=tmp_path / "gateway.log",
        cwd=tmp_path,
    )
    service.start()
    wait_ready([service], timeout_s=20, say=lambda _: None)
    grandchild = int(pidfile.read_text())
    service.stop(grace_s=5)
    assert service.exited() is not None
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(grandchild, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    pytest.fail("the grandchild outlived stop()")
