"""A stored message of a conversation, numbered by `seq` within it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from handoff.models.base import Base, utcnow


class Sender(enum.StrEnum):
    """Who wrote the message."""

    customer = "customer"
    bot = "bot"
    agent = "agent"
    system = "system"


class Message(Base):
    """Text as the customer or staff see it, already redacted where rules require."""

    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("conversation_id", "seq", name="uq_messages_conv_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int]
    sender: Mapped[Sender] = mapped_column(Enum(Sender, native_enum=False, length=8))
    text: Mapped[str] = mapped_column(Text)
    buttons: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    agent_name: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
