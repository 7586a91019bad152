"""The handoff desk's own bookkeeping, kept beside the customer-side tables.

`DeskEntry` says who holds a handoff and whether it went back to the queue;
`ConversationFacts` keeps what the engine reported (verification, intents,
FAQ keys) for the agent's summary; `CallbackTicket` is a promise to call back;
`AgentPresence` records when staff were online (the wait estimate's agent-hours).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from handoff.models.base import Base, utcnow


class DeskEntry(Base):
    """Who holds a handoff; `requeued` puts a returned chat at the front of its priority."""

    __tablename__ = "desk_entries"

    handoff_id: Mapped[int] = mapped_column(
        ForeignKey("handoffs.id", ondelete="CASCADE"), primary_key=True
    )
    agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), index=True
    )
    requeued: Mapped[bool] = mapped_column(default=False)
    # Set once a supervisor was alerted about a long wait (rule 15), so it fires once.
    alerted_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ConversationFacts(Base):
    """What the gateway learnt about a conversation beyond its transcript."""

    __tablename__ = "conversation_facts"

    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    verified_at: Mapped[datetime | None]
    intents: Mapped[list[str]] = mapped_column(JSON, default=list)
    faq_keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    # What the next customer message answers (e.g. "callback_phone"), if anything.
    pending: Mapped[str | None] = mapped_column(String(24))
    csat_pending: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CallbackStatus(enum.StrEnum):
    """Life of a callback promise."""

    open = "open"
    done = "done"
    cancelled = "cancelled"


class CallbackTicket(Base):
    """The bank calls the customer back at `call_at` (rule 17: never leave them unanswered)."""

    __tablename__ = "callback_tickets"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    # The full number is needed to call; every view shows it masked.
    phone: Mapped[str] = mapped_column(String(20))
    language: Mapped[str | None] = mapped_column(String(2))
    reason: Mapped[str] = mapped_column(String(24))
    call_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[CallbackStatus] = mapped_column(
        Enum(CallbackStatus, native_enum=False, length=10), default=CallbackStatus.open
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The handoff it came from (its reason and priority), and how the call went.
    handoff_id: Mapped[int | None] = mapped_column(
        ForeignKey("handoffs.id", ondelete="SET NULL"), index=True
    )
    done_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)


class AgentPresence(Base):
    """One stretch of time a staff member was online: the desk's agent-hours come from these."""

    __tablename__ = "agent_presence"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(index=True)
    ended_at: Mapped[datetime | None] = mapped_column(index=True)
