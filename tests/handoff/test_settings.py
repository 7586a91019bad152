"""Production refuses to start on missing or well-known secrets."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from handoff.core.config import Settings


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
