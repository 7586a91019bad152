"""A request for a human: one queue entry per handoff, with reason and priority."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from handoff.models.base import Base, utcnow


class HandoffReason(enum.StrEnum):
    """Why the conversation needs a person (DESIGN.md, fixed names)."""

    request_human = "request_human"
    emotion = "emotion"
    repeated_question = "repeated_question"
    low_confidence = "low_confidence"
    complex_topic = "complex_topic"
    verification_failed = "verification_failed"
    fraud_risk = "fraud_risk"
    complaint = "complaint"
    system_error = "system_error"


class Priority(enum.StrEnum):
    """Queue priority; `rank` orders the queue (lower first)."""

    urgent = "urgent"
    high = "high"
    normal = "normal"

    @property
    def rank(self) -> int:
        """Sort key: urgent first."""
        return {"urgent": 0, "high": 1, "normal": 2}[self.value]


class HandoffStatus(enum.StrEnum):
    """Life of a queue entry."""

    waiting = "waiting"
    claimed = "claimed"
    closed = "closed"
    cancelled = "cancelled"


class Handoff(Base):
    """A conversation waiting for, or served by, an agent."""

    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[HandoffReason] = mapped_column(
        Enum(HandoffReason, native_enum=False, length=24)
    )
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
