"""A customer's conversation: the unit the gateway owns, authorises and serialises."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from handoff.models.base import Base, utcnow


class ConversationState(enum.StrEnum):
    """Who answers the customer now (docs/architecture.md, conversation states)."""

    bot = "bot"
    queued = "queued"
    agent = "agent"
    closed = "closed"


class Channel(enum.StrEnum):
    """Where the customer chats from."""

    web = "web"
    app = "app"


class Conversation(Base):
    """One chat; `token_hash` is the SHA-256 of the customer's bearer token."""

    __tablename__ = "conversations"
    # Covers the quality figures' period scans and joins (no look-ups in the table).
    __table_args__ = (  # fmt: skip
        Index(
            "ix_conversations_period",
            "created_at",
            "language",
            "id",
            "customer_ref",
            "browser_hash",
        ),
        Index(
            "ix_conversations_quality",
            "id",
            "created_at",
            "language",
            "customer_ref",
            "browser_hash",
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    channel: Mapped[Channel] = mapped_column(Enum(Channel, native_enum=False, length=8))
    language: Mapped[str | None] = mapped_column(String(2))
    state: Mapped[ConversationState] = mapped_column(
        Enum(ConversationState, native_enum=False, length=8), default=ConversationState.bot
    )
    # Allocated with an atomic UPDATE ... RETURNING so seqs never repeat or skip.
    last_seq: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None]
    # What the bot asked for last, when the gateway must treat the answer
    # specially ("otp": a one-time code, which never reaches the engine).
    expecting: Mapped[str | None] = mapped_column(String(16))
    # A keyed digest of the address that created it (never the address itself):
    # what the open-handoff cap per client counts.
    client_key: Mapped[str | None] = mapped_column(String(64), index=True)
    # Who the customer is, for counting repeat contacts (first-contact resolution):
    # a hash of the widget's browser id, and the verified customer's pseudonym.
    browser_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    customer_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    # A conversation waiting for an answer the customer reads later stays open
    # until then, whatever the idle expiry says (issue 18).
    keep_open_until: Mapped[datetime | None]
