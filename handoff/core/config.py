"""The gateway's settings: one object, read once, from the environment and `.env`.

Development works with no configuration at all; production refuses to start
with a missing or well-known secret, because a bank cannot run on demo keys.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url

from common.paths import ENV_FILE, LOG_DIR, ROOT
from common.settings import weak_secret
from common.sqlite import absolute_sqlite_url


class Settings(BaseSettings):
    """Gateway settings (environment variables win over `.env`)."""

    model_config = SettingsConfigDict(
        env_file=ROOT / ENV_FILE, env_file_encoding="utf-8", extra="ignore"
    )

    env: Literal["development", "production"] = Field("development", validation_alias="BANKBOT_ENV")
    database_url: str = "sqlite:///var/bankbot.db"
    redis_url: str | None = None
    engine_url: str = "http://127.0.0.1:5005"
    # Several engines behind one gateway (comma-separated; `engine_url` when empty):
    # each conversation goes to one of them by a hash of its id.
    engine_urls: Annotated[list[str], NoDecode] = []
    engine_token: SecretStr = SecretStr("")
    action_server_url: str = "http://127.0.0.1:5055/webhook"
    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8000
    session_secret: SecretStr = SecretStr("")
    # Shared with the action server: one-time codes travel only as HMAC digests.
    otp_digest_key: SecretStr = SecretStr("")
    allowed_origins: Annotated[list[str], NoDecode] = []
    agent_hours: str = "08:00-22:00"
    agent_timezone: str = "Asia/Shanghai"
    hotline: str = "95-000"
    # --- long queues (issue 18) ---------------------------------------------------
    # Above this expected wait (or with nobody online, or outside agent hours) the
    # customer is offered: keep waiting, a callback slot, or leave a message.
    overflow_threshold_minutes: int = Field(15, ge=0)
    # The wait estimate reads closed chats per agent-hour over this sliding window.
    throughput_window_minutes: int = Field(60, ge=5)
    # Until the window holds enough closed chats, this prior rate is assumed (and
    # the range said is wide): an agent with three chats at about 15 min each.
    prior_chats_per_agent_hour: int = Field(12, ge=1)
    callback_slot_minutes: int = Field(30, ge=5)
    callback_slots_shown: int = Field(6, ge=1, le=12)
    callback_slot_capacity: int = Field(4, ge=1)
    # A left message is answered within this (its own queue's SLA) ...
    message_sla_minutes: int = Field(240, ge=1)
    # ... and the conversation stays open this long for the customer to come back.
    message_open_hours: int = Field(72, ge=1)
    # The action server's VERIFIED_TTL_S: agents see when a verification expired.
    verified_ttl_s: int = Field(1800, ge=1)
    # The customer must hear back within 3 s when the engine is down (rule 17),
    # and within 30 s in any case (rule 1).
    engine_connect_timeout_s: float = 1.0
    engine_read_timeout_s: float = 25.0
    # Turns one engine works on at once; the rest wait their turn here, in
    # order, at most `engine_queue_timeout_s` (services/engine.py).
    engine_max_in_flight: int = Field(8, ge=1, le=1000)
    engine_queue_timeout_s: float = Field(5.0, gt=0)
    max_body_bytes: int = 64 * 1024
    max_message_chars: int = 2000
    idempotency_retention_days: int = 7
    # Transcripts, callback tickets and Rasa's tracker events (handoff/services/retention.py).
    retention_days: int = Field(180, ge=1)
    # Rasa's tracker store, for the purge; default: beside the gateway's database.
    tracker_database_url: str | None = None
    # ---- abuse limits (docs/security.md); counted in Redis when REDIS_URL is set
    login_failures_per_account: int = 5
    login_failures_per_client: int = 20
    login_window_s: int = 15 * 60
    # Password hashing (argon2id, ~50 ms of a core each) at once, and waiting.
    hashing_slots: int = 2
    hashing_queue: int = 16
    conversations_per_client: int = 20  # per `customer_window_s`
    messages_per_conversation: int = 30  # per minute
    messages_per_client: int = 120  # per minute
    handoffs_per_client: int = 6  # per `customer_window_s`
    open_handoffs_per_client: int = 3
    customer_window_s: int = 10 * 60
    # ---- expiry
    conversation_idle_timeout_s: int = 60 * 60
    conversation_max_age_s: int = 24 * 60 * 60
    staff_idle_timeout_s: int = 30 * 60
    # Supervisors and editors must enrol a second factor (TOTP) before working.
    require_totp: bool | None = None
    log_dir: Path = ROOT / LOG_DIR
    # "text" (default) or "json": one JSON object per line (common/logjson.py).
    log_format: Literal["text", "json"] = "text"

    @field_validator("allowed_origins", "engine_urls", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("database_url")
    @classmethod
    def _absolute_sqlite(cls, value: str) -> str:
        return absolute_sqlite_url(value)

    @model_validator(mode="after")
    def _refuse_weak_secrets_in_production(self) -> Settings:
        if self.env != "production":
            return self
        for name in ("engine_token", "session_secret", "otp_digest_key"):
            secret: SecretStr = getattr(self, name)
            value = secret.get_secret_value()
            if weak_secret(value):
                raise ValueError(
                    f"{name.upper()} must be set to a random value of at least 32 "
                    "characters in production"
                )
        return self

    @property
    def conversation_idle_timeout(self) -> timedelta:
        """A customer's token stops working after this long without a message."""
        return timedelta(seconds=self.conversation_idle_timeout_s)

    @property
    def conversation_max_age(self) -> timedelta:
        """... and this long after the conversation began, whatever happens."""
        return timedelta(seconds=self.conversation_max_age_s)

    @property
    def staff_idle_timeout(self) -> timedelta:
        """A staff session ends after this long without a request."""
        return timedelta(seconds=self.staff_idle_timeout_s)

    @property
    def totp_required(self) -> bool:
        """TOTP for supervisors and editors: on in production unless REQUIRE_TOTP says."""
        return self.require_totp if self.require_totp is not None else not self.is_development

    @property
    def is_development(self) -> bool:
        """Development mode: demo accounts, dev SMS outbox, API docs."""
        return self.env == "development"


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def development_refusal(settings: Settings) -> str | None:
    """Why development mode must not start with these settings (None: it may).

    Development mode has accounts with published passwords and an SMS outbox
    that shows one-time codes to anyone: it belongs on a developer's machine,
    bound to loopback, on a throw-away SQLite file.
    """
    if not settings.is_development:
        return None
    problems = []
    if not _loopback(settings.gateway_host):
        problems.append(f"GATEWAY_HOST={settings.gateway_host} is reachable from other machines")
    backend = make_url(settings.database_url).get_backend_name()
    if backend != "sqlite":
        problems.append(f"DATABASE_URL points at a {backend} database, not a local SQLite file")
    if not problems:
        return None
    return (
        "development mode (demo staff accounts with published passwords, the SMS outbox) "
        f"refuses to start: {'; '.join(problems)}. Run it on 127.0.0.1 with SQLite, or set "
        "BANKBOT_ENV=production with real secrets and staff accounts."
    )


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; tests build their own `Settings` instead."""
    return Settings()  # values come from the environment
