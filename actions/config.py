"""The action server's settings: one object, from the environment and `.env`."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from common.paths import ENV_FILE, ROOT
from common.settings import weak_secret
from common.sqlite import absolute_sqlite_url


class ActionSettings(BaseSettings):
    """What the custom actions need: the core bank, one-time codes and the SMS gateway.

    Every duration of identity verification is a setting so the integration
    tests can shrink them (a 2-second "fresh verification" window instead of
    5 minutes); the defaults are the bank's rules (docs/requirements.md, rules 7-8).
    """

    model_config = SettingsConfigDict(env_file=ROOT / ENV_FILE, extra="ignore")

    env: Literal["development", "production"] = Field("development", validation_alias="BANKBOT_ENV")
    core_database_url: str = "sqlite:///var/corebank.db"

    # --- one-time codes -------------------------------------------------------
    # Shared with the gateway only: codes travel and are stored as HMAC digests.
    otp_digest_key: SecretStr = SecretStr("")
    otp_ttl_s: int = Field(300, ge=1)  # a code is valid for 5 minutes
    otp_resend_after_s: int = Field(60, ge=0)  # a new code no sooner than 60 s after the last
    otp_max_sends_per_hour: int = Field(5, ge=1)  # per phone number, against SMS bombing

    # --- identity verification ------------------------------------------------
    verify_max_failures: int = Field(3, ge=1)  # per conversation, then lock + handoff
    verify_lockout_s: int = Field(900, ge=1)  # the phone is locked for 15 minutes
    # Failures on one phone across conversations (a new chat per guess) also lock it.
    verify_phone_max_failures: int = Field(5, ge=1)
    verify_phone_failure_window_s: int = Field(3600, ge=1)
    # Rule 8: a high-risk operation needs a verification younger than this.
    fresh_verification_s: int = Field(300, ge=1)
    # How long a verification serves ordinary queries in one conversation.
    verified_ttl_s: int = Field(1800, ge=1)
    # Challenges, failures and code sends are deleted after this (rule 11).
    verification_retention_days: int = Field(30, ge=1)

    # --- SMS ------------------------------------------------------------------
    sms_backend: Literal["dev", "http"] = "dev"
    # dev: the gateway's in-memory outbox (development mode only)
    gateway_url: str = "http://127.0.0.1:8000"
    engine_token: SecretStr = SecretStr("")
    # http: the operator's SMS gateway
    sms_gateway_url: str | None = None
    sms_api_key: SecretStr = SecretStr("")
    sms_api_key_header: str = "X-Api-Key"
    sms_sender_name: str = "HarbourBank"
    sms_timeout_s: float = Field(5.0, gt=0)

    def model_post_init(self, _context: object) -> None:
        """Anchor a relative SQLite path at the project root."""
        self.core_database_url = absolute_sqlite_url(self.core_database_url)

    @model_validator(mode="after")
    def _production_rules(self) -> ActionSettings:
        if self.env != "production":
            return self
        key = self.otp_digest_key.get_secret_value()
        if weak_secret(key):
            raise ValueError(
                "OTP_DIGEST_KEY must be set to a random value of at least 32 characters "
                "in production"
            )
        if self.sms_backend != "http":
            raise ValueError("SMS_BACKEND must be 'http' in production (the outbox is dev-only)")
        if not self.sms_gateway_url or not self.sms_gateway_url.startswith("https://"):
            raise ValueError("SMS_GATEWAY_URL must be an https:// URL in production")
        if len(self.sms_api_key.get_secret_value()) < 16:
            raise ValueError("SMS_API_KEY must be set in production")
        return self


@lru_cache
def get_action_settings() -> ActionSettings:
    """The process-wide settings."""
    return ActionSettings()
