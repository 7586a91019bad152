"""Answers already given, keyed by the client's message id (zulip's idempotent requests).

A retried POST returns the stored answer instead of talking to the bot twice.
Rows older than the retention period are purged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from handoff.models.base import Base, utcnow


class IdempotentReply(Base):
    """The response body sent for one (conversation, client_message_id)."""

    __tablename__ = "idempotent_replies"
    __table_args__ = (
        UniqueConstraint("conversation_id", "client_message_id", name="uq_idem_conv_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    client_message_id: Mapped[str] = mapped_column(String(128))
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
