"""The action server's settings: one object, from the environment and `.env`."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from handoff.core.config import ROOT, sqlite_path_to_absolute


class ActionSettings(BaseSettings):
    """What the custom actions need: the core bank and the SMS gateway."""

    model_config = SettingsConfigDict(env_file=ROOT / ".env", extra="ignore")

    env: Literal["development", "production"] = Field(
        "development", validation_alias="BANKBOT_ENV"
    )
    core_database_url: str = "sqlite:///var/corebank.db"

    def model_post_init(self, _context: object) -> None:
        self.core_database_url = sqlite_path_to_absolute(self.core_database_url)


@lru_cache
def get_action_settings() -> ActionSettings:
    """The process-wide settings."""
    return ActionSettings()
