"""JSON log lines (issue 14, item 7): one object per line, the server's loggers included."""

from __future__ import annotations

import json
import subprocess
import sys

from common import logjson
from common.paths import ROOT


def test_every_line_is_one_json_object_with_time_level_logger_and_message() -> None:
    script = (
        "import logging; from common import logjson; logjson.install();"
        "logging.getLogger('uvicorn.error').warning('engine at %s is down', 'http://127.0.0.1:5005');"
        "logging.getLogger('handoff.services.relay').info('多行\\n消息');"
        "\ntry:\n    1/0\nexcept ZeroDivisionError:\n"
        "    logging.getLogger('handoff').exception('failed')"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    assert [(line["level"], line["logger"]) for line in lines] == [
        ("WARNING", "uvicorn.error"), ("INFO", "handoff.services.relay"), ("ERROR", "handoff"),
    ]  # fmt: skip
    assert lines[0]["message"] == "engine at http://127.0.0.1:5005 is down"
    assert lines[1]["message"] == "多行\n消息"  # one line on the wire, the text intact
    assert "ZeroDivisionError" in lines[2]["exc"]
    assert lines[0]["ts"].endswith("+00:00")


def test_only_json_asks_for_json() -> None:
    assert logjson.wanted("json") and logjson.wanted(" JSON ")
    assert not logjson.wanted(None) and not logjson.wanted("text")
