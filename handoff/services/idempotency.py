"""Stored answers for retried customer messages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.models import IdempotentReply
from handoff.models.base import utcnow


async def stored_reply(
    session: AsyncSession, conversation_id: str, client_message_id: str
) -> dict[str, Any] | None:
    """The answer given the first time this message id was seen, if any."""
    return await session.scalar(
        select(IdempotentReply.response).where(
            IdempotentReply.conversation_id == conversation_id,
            IdempotentReply.client_message_id == client_message_id,
        )
    )


def remember_reply(
    session: AsyncSession, conversation_id: str, client_message_id: str, response: dict[str, Any]
) -> None:
    """Keep the answer so a retry gets it instead of a second bot turn."""
    session.add(
        IdempotentReply(
            conversation_id=conversation_id,
            client_message_id=client_message_id,
            response=response,
        )
    )


async def purge_expired(session: AsyncSession, retention_days: int) -> int:
    """Forget answers older than the retention period."""
    cutoff = utcnow() - timedelta(days=retention_days)
    result = await session.execute(
        delete(IdempotentReply).where(IdempotentReply.created_at < cutoff)
    )
    return getattr(result, "rowcount", 0) or 0
