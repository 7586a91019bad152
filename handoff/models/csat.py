"""Customer satisfaction given at the end of a conversation (rule 6)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from handoff.models.base import Base, utcnow


class CsatScore(enum.StrEnum):
    """The banks' three-point scale."""

    very_satisfied = "very_satisfied"
    neutral = "neutral"
    dissatisfied = "dissatisfied"


class CsatRating(Base):
    """One rating per conversation; a second rating replaces the first."""

    __tablename__ = "csat_ratings"

    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    score: Mapped[CsatScore] = mapped_column(Enum(CsatScore, native_enum=False, length=16))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
