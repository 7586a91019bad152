"""Bring the gateway's database to the newest schema: `python -m handoff.migrate`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from handoff.core.config import get_settings

INI = Path(__file__).with_name("alembic.ini")


def alembic_config(database_url: str) -> Config:
    """Alembic's config pointed at `database_url`."""
    config = Config(str(INI))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str) -> None:
    """Apply every migration not yet applied (creating SQLite folders first)."""
    if database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(database_url), "head")


if __name__ == "__main__":
    upgrade(get_settings().database_url)
