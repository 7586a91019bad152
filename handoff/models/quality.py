"""What the service-quality figures and the content team's learning loop are made from.

`TurnOutcome` is one row per customer message the bot handled: answered with a
FAQ, or missed (a clarification, a fallback, an out-of-scope reply, a
low-confidence handoff); a disputed handoff adds its messages as
`false_alarm`. Only missed messages keep their (masked) text. `HandoffDispute`
is an agent's verdict that a handoff was a false alarm.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from handoff.models.base import Base, utcnow


class Outcome(enum.StrEnum):
    """How the bot handled one customer message."""

    answered = "answered"
    other = "other"
    clarification = "clarification"
    fallback = "fallback"
    out_of_scope = "out_of_scope"
    low_confidence = "low_confidence"
    false_alarm = "false_alarm"


MISSED = (
    Outcome.clarification,
    Outcome.fallback,
    Outcome.out_of_scope,
    Outcome.low_confidence,
    Outcome.false_alarm,
)
"""Outcomes the Unanswered page collects."""


class TurnOutcome(Base):
    """One customer message and how the bot handled it."""

    __tablename__ = "turn_outcomes"
    __table_args__ = (
        Index("ix_turn_outcomes_conversation_outcome", "conversation_id", "outcome", "faq_key"),
        Index("ix_turn_outcomes_open", "handled", "outcome"),
        # Covers the quality figures' scans of a period (no look-ups in the table).
        # Delivers a period's answered questions per (customer, FAQ) in time order:
        # first-contact resolution's window needs no sort.
        Index(
            "ix_turn_outcomes_needs",
            "outcome", "customer_key", "faq_key", "started_at", "conversation_id",
        ),
        Index(
            "ix_turn_outcomes_period",
            "started_at", "language", "outcome", "faq_key", "conversation_id", "customer_key",
        ),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    seq: Mapped[int]
    # When the conversation started: a conversation counts in the period it started in.
    started_at: Mapped[datetime]
    language: Mapped[str | None] = mapped_column(String(2))
    # Who the customer is for repeat contacts: the verified customer's pseudonym
    # where known, otherwise the browser's hash (kept current by `services.outcomes`).
    customer_key: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))
    faq_key: Mapped[str | None] = mapped_column(String(48))
    # The masked customer message; kept only for missed messages.
    text: Mapped[str | None] = mapped_column(Text)
    # Set when an editor took the message up in a content change (or dismissed it).
    handled: Mapped[bool] = mapped_column(default=False)
    handled_change_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class HandoffDispute(Base):
    """An agent's verdict that a handoff was a false alarm (`common.evidence.DISPUTE_LABELS`)."""

    __tablename__ = "handoff_disputes"

    handoff_id: Mapped[int] = mapped_column(
        ForeignKey("handoffs.id", ondelete="CASCADE"), primary_key=True
    )
    label: Mapped[str] = mapped_column(String(16), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    agent_name: Mapped[str] = mapped_column(String(80))
    language: Mapped[str | None] = mapped_column(String(2))
    detector: Mapped[str | None] = mapped_column(String(64))
    score: Mapped[float | None]
    # The masked messages that triggered the handoff.
    messages: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
