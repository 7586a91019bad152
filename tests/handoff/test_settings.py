"""Production refuses to start on missing or well-known secrets; development refuses to
start anywhere but a developer's machine (loopback, SQLite)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from common.paths import ROOT
from handoff.core.config import Settings, development_refusal
from handoff.main import create_app
from tests.conftest import make_settings


def production(**values: object) -> Settings:
    return Settings(_env_file=None, BANKBOT_ENV="production", **values)  # type: ignore[call-arg]


def test_production_refuses_a_missing_engine_token() -> None:
    with pytest.raises(ValidationError, match="ENGINE_TOKEN"):
        production(session_secret="s" * 40, otp_digest_key="o" * 40)


@pytest.mark.parametrize("weak", ["changeme", "secret", "short"])
def test_production_refuses_weak_secrets(weak: str) -> None:
    with pytest.raises(ValidationError):
        production(engine_token=weak, session_secret="s" * 40, otp_digest_key="o" * 40)


def test_production_accepts_random_secrets() -> None:
    settings = production(engine_token="e" * 40, session_secret="s" * 40, otp_digest_key="o" * 40)
    assert settings.env == "production" and not settings.is_development


def test_development_needs_no_configuration() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database_url.startswith("sqlite:////")
    assert settings.gateway_host == "127.0.0.1"


def test_allowed_origins_come_as_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://bank.example, https://app.bank.example")
    assert Settings(_env_file=None).allowed_origins == [  # type: ignore[call-arg]
        "https://bank.example",
        "https://app.bank.example",
    ]


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"gateway_host": "0.0.0.0"}, "GATEWAY_HOST=0.0.0.0 is reachable from other machines"),
        ({"gateway_host": "10.1.2.3"}, "GATEWAY_HOST=10.1.2.3"),
        (
            {"database_url": "postgresql://postgres@127.0.0.1:5432/bank"},
            "DATABASE_URL points at a postgresql database",
        ),
    ],
)
def test_development_mode_refuses_to_start_outside_a_developers_machine(
    values: dict[str, str], reason: str
) -> None:
    settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
    with pytest.raises(RuntimeError) as refused:
        create_app(settings)
    assert reason in str(refused.value)
    assert "demo staff accounts" in str(refused.value) and "BANKBOT_ENV=production" in str(
        refused.value
    )
    # Loopback and SQLite are fine; so is production anywhere.
    local = Settings(_env_file=None, gateway_host="::1")  # type: ignore[call-arg]
    assert development_refusal(local) is None
    strong = {"engine_token": "e" * 40, "session_secret": "s" * 40, "otp_digest_key": "o" * 40}
    assert development_refusal(production(**values, **strong)) is None


def test_the_gateway_process_says_why_it_refuses(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "BANKBOT_ENV": "development",
        "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/nowhere",
    }
    started = subprocess.run(
        [sys.executable, "-c", "from handoff.main import app; app()"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert started.returncode != 0
    assert "refuses to start" in started.stderr and "SQLite" in started.stderr


def test_the_gateway_refuses_to_start_without_the_sealing_key(tmp_path: Path) -> None:
    settings = make_settings(f"sqlite:///{tmp_path}/gateway.db", otp_digest_key="")
    with pytest.raises(RuntimeError, match="OTP_DIGEST_KEY is not set"):
        create_app(settings)
