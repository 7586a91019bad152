"""Staff accounts and their login sessions (agents, supervisors, content editors)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from handoff.models.base import Base, utcnow

# Rule 16: an online agent serves at most three chats at once.
DEFAULT_CAPACITY = 3


class StaffRole(enum.StrEnum):
    """What a staff member may see: agents their chats, supervisors all, editors content only."""

    agent = "agent"
    supervisor = "supervisor"
    editor = "editor"


class Agent(Base):
    """A staff account; `online` is kept true by console heartbeats (a sweeper clears it)."""

    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    role: Mapped[StaffRole] = mapped_column(Enum(StaffRole, native_enum=False, length=12))
    # argon2id, as produced by argon2-cffi (the hash carries its own parameters).
    password_hash: Mapped[str] = mapped_column(String(255))
    capacity: Mapped[int] = mapped_column(default=DEFAULT_CAPACITY)
    online: Mapped[bool] = mapped_column(default=False)
    last_seen_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # `bankbot staff disable NAME`: no login, every session refused.
    disabled: Mapped[bool] = mapped_column(default=False)
    # Sessions created before this moment are refused (a password change).
    sessions_valid_after: Mapped[datetime | None]
    # Base32 TOTP secret (supervisors, editors); active once `totp_confirmed_at` is set.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_confirmed_at: Mapped[datetime | None]
    # The last time step a code was accepted for, so a code works once.
    totp_last_step: Mapped[int | None]


class StaffSession(Base):
    """A login: only the SHA-256 of the random token is stored, so a DB leak logs nobody in."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    # The idle timeout counts from here (refreshed at most every few seconds).
    last_used_at: Mapped[datetime | None]
