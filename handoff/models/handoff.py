"""A request for a human: one queue entry per handoff, with reason and priority.

Reasons and priorities are the protocol's (:mod:`common.handoffs`).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from common.handoffs import HandoffReason, Priority
from handoff.models.base import Base, utcnow


class HandoffStatus(enum.StrEnum):
    """Life of a queue entry."""

    waiting = "waiting"
    claimed = "claimed"
    closed = "closed"
    cancelled = "cancelled"


class HandoffMode(enum.StrEnum):
    """How the customer waits: live in the chat, or a message answered later (issue 18)."""

    live = "live"
    message = "message"


class Handoff(Base):
    """A conversation waiting for, or served by, an agent."""

    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[HandoffReason] = mapped_column(Enum(HandoffReason, native_enum=False, length=24))
    priority: Mapped[Priority] = mapped_column(Enum(Priority, native_enum=False, length=8))
    # Stored so ORDER BY works in SQL on both backends.
    priority_rank: Mapped[int] = mapped_column(Integer)
    status: Mapped[HandoffStatus] = mapped_column(
        Enum(HandoffStatus, native_enum=False, length=10), default=HandoffStatus.waiting
    )
    language: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    claimed_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(Text)
    # Why it happened (`common.evidence`), as the action server reported it, masked.
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # A left message waits in its own queue, answered by `due_at` (its SLA).
    mode: Mapped[HandoffMode] = mapped_column(
        Enum(HandoffMode, native_enum=False, length=8), default=HandoffMode.live
    )
    due_at: Mapped[datetime | None]
