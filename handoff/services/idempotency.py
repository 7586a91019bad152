"""Stored answers for retried customer messages.

The record is created *pending* in the same commit as the customer's message
and completed with the answer in the commit that stores the replies. A retry
that finds a pending record knows the first attempt died between the two
commits: it must not run the turn a second time (the engine may already have
acted on it), so the relay apologises instead (`relay.interrupted_turn`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import and_, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.models import Conversation, ConversationFacts, IdempotentReply
from handoff.models.base import utcnow

PENDING: dict[str, Any] = {"pending": True}


def is_pending(response: dict[str, Any]) -> bool:
    """Whether a stored record is a reservation whose turn never finished."""
    return response.get("pending") is True


async def start_turn(
    session: AsyncSession, conversation: Conversation, client_message_id: str
) -> tuple[IdempotentReply | None, ConversationFacts | None]:
    """The record of this message id and the conversation's facts row, if any: one query.

    Read under the conversation's lock; the same query reloads `conversation`
    (another turn may have changed it while this request waited for the lock),
    so the turn reads none of the three again.
    """
    row = (
        await session.execute(
            select(Conversation, IdempotentReply, ConversationFacts)
            .outerjoin(
                IdempotentReply,
                and_(
                    IdempotentReply.conversation_id == Conversation.id,
                    IdempotentReply.client_message_id == client_message_id,
                ),
            )
            .outerjoin(ConversationFacts, ConversationFacts.conversation_id == Conversation.id)
            .where(Conversation.id == conversation.id)
            .execution_options(populate_existing=True)
        )
    ).one()
    return row[1], row[2]


def reserve(
    session: AsyncSession, conversation_id: str, client_message_id: str
) -> IdempotentReply:
    """Mark the message id as taken; commit it together with the customer's message."""
    record = IdempotentReply(
        conversation_id=conversation_id,
        client_message_id=client_message_id,
        response=dict(PENDING),
    )
    session.add(record)
    return record


async def remember_reply(
    session: AsyncSession,
    conversation_id: str,
    client_message_id: str,
    response: dict[str, Any],
    record: IdempotentReply | None = None,
) -> None:
    """Keep the answer so a retry gets it instead of a second bot turn.

    `record` is the message id's row when the caller holds it already (its
    reservation): then no query is needed.
    """
    if record is not None:
        record.response = response
        return
    row = await session.scalar(
        select(IdempotentReply).where(
            IdempotentReply.conversation_id == conversation_id,
            IdempotentReply.client_message_id == client_message_id,
        )
    )
    if row is None:
        session.add(
            IdempotentReply(
                conversation_id=conversation_id,
                client_message_id=client_message_id,
                response=response,
            )
        )
    else:
        row.response = response


async def purge_expired(session: AsyncSession, retention_days: int) -> int:
    """Forget answers older than the retention period."""
    cutoff = utcnow() - timedelta(days=retention_days)
    result = await session.execute(
        delete(IdempotentReply).where(IdempotentReply.created_at < cutoff)
    )
    return getattr(result, "rowcount", 0) or 0
