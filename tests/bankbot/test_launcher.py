"""The launcher's own pieces: secrets, the engine's endpoints, staff CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from bankbot.dotenv import ensure_secrets
from bankbot.stack import StackConfig, render_endpoints
from common.paths import ROOT


def test_first_run_writes_random_secrets_once(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    assert ensure_secrets(env) == ["ENGINE_TOKEN", "SESSION_SECRET", "OTP_DIGEST_KEY"]
    first = env.read_text()
    assert ensure_secrets(env) == []
    assert env.read_text() == first
    values = dict(line.split("=", 1) for line in first.splitlines() if "=" in line)
    assert len(values["ENGINE_TOKEN"]) >= 32 and values["ENGINE_TOKEN"] != values["SESSION_SECRET"]
    assert oct(env.stat().st_mode)[-3:] == "600"
    other = tmp_path / "other.env"
    ensure_secrets(other)
    assert other.read_text() != first  # random per installation


def test_existing_secrets_are_kept(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("ENGINE_TOKEN=mine\n")
    assert ensure_secrets(env) == ["SESSION_SECRET", "OTP_DIGEST_KEY"]
    assert env.read_text().startswith("ENGINE_TOKEN=mine\n")


def config(tmp_path: Path, database_url: str, redis_url: str | None = None) -> StackConfig:
    return StackConfig(
        model=tmp_path / "m.tar.gz",
        engine_url="http://127.0.0.1:5005",
        engine_token="t",
        otp_digest_key="k",
        action_server_url="http://127.0.0.1:5055/webhook",
        database_url=database_url,
        core_database_url="sqlite:///x.db",
        tracker_sqlite_path=tmp_path / "tracker.db",
        run_dir=tmp_path / "run",
        log_dir=tmp_path / "log",
        redis_url=redis_url,
    )


def test_engine_uses_sqlite_tracker_by_default(tmp_path: Path) -> None:
    endpoints = yaml.safe_load(render_endpoints(config(tmp_path, "sqlite:///g.db")).read_text())
    assert endpoints["tracker_store"] == {
        "type": "bot.tracker_store.WindowedSQLTrackerStore",
        "dialect": "sqlite",
        "db": str(tmp_path / "tracker.db"),
    }
    # the FAQ reply is rendered in the engine (bot/nlg.py)
    assert endpoints["nlg"] == {"type": "bot.nlg.BankNaturalLanguageGenerator"}
    assert "lock_store" not in endpoints
    assert endpoints["action_endpoint"]["url"] == "http://127.0.0.1:5055/webhook"


def test_engine_uses_postgres_tracker_and_redis_locks_when_configured(tmp_path: Path) -> None:
    path = render_endpoints(
        config(tmp_path, "postgresql://bank:pw@db.internal:6543/bankbot", "redis://cache:6380/2")
    )
    endpoints = yaml.safe_load(path.read_text())
    assert endpoints["tracker_store"] == {
        "type": "bot.tracker_store.WindowedSQLTrackerStore",
        "dialect": "postgresql", "url": "db.internal", "port": 6543,
        "db": "bankbot", "username": "bank", "password": "pw",
    }  # fmt: skip
    assert endpoints["lock_store"]["type"] == "redis"
    assert (endpoints["lock_store"]["url"], endpoints["lock_store"]["port"]) == ("cache", 6380)
    assert endpoints["lock_store"]["db"] == 2
    assert oct(path.stat().st_mode)[-3:] == "600"


def test_staff_cli_creates_an_account_that_can_log_in(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/g.db",
        "BANKBOT_STAFF_PASSWORD": "correct horse battery",
    }
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "bankbot", *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert run("migrate").returncode == 0
    created = run("staff", "add", "lily", "--name", "Lily Wang", "--role", "supervisor")
    assert created.returncode == 0, created.stderr
    assert "lily" in run("staff", "list").stdout
    again = run("staff", "add", "lily", "--name", "x")
    assert again.returncode != 0 and "exists" in again.stderr
    short = subprocess.run(
        [sys.executable, "-m", "bankbot", "staff", "passwd", "lily"],
        env={**env, "BANKBOT_STAFF_PASSWORD": "short"}, cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert short.returncode != 0 and "12 characters" in short.stderr
