"""Stored answers for retried customer messages.

The record is created *pending* in the same commit as the customer's message
and completed with the answer in the commit that stores the replies (for a
bot turn, just after its answer went out: `services/after_reply.py`). A
retry that finds a pending record knows the first attempt died between the
two commits, or failed to store its answer: it must not run the turn a
second time (the engine may already have acted on it), so the relay
apologises instead (`relay._interrupted_turn`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Insert, Table, Update, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.models import IdempotentReply
from handoff.models.base import utcnow

PENDING: dict[str, Any] = {"pending": True}
_REPLIES: Table = IdempotentReply.__table__  # type: ignore[assignment]
# Built once (per backend): building a statement costs more than running it on SQLite.
_RESERVE = {
    name: dialect_insert(_REPLIES)
    .on_conflict_do_nothing(index_elements=["conversation_id", "client_message_id"])
    .returning(_REPLIES.c.id)
    for name, dialect_insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}
_REMEMBER = (
    update(_REPLIES).where(_REPLIES.c.id == bindparam("rid")).values(response=bindparam("response"))
)


def is_pending(response: dict[str, Any]) -> bool:
    """Whether a stored record is a reservation whose turn never finished."""
    return response.get("pending") is True


async def reserve(
    session: AsyncSession, conversation_id: str, client_message_id: str
) -> int | None:
    """Take the message id for this turn: the new pending row's id, None if it was taken before.

    One INSERT ... ON CONFLICT DO NOTHING (both backends) is the look-up and the
    reservation at once; it commits together with the customer's message.
    """
    statement, params = reservation(
        session.get_bind().dialect.name, conversation_id, client_message_id
    )
    return (await session.execute(statement, params)).scalar_one_or_none()


def reservation(
    dialect: str, conversation_id: str, client_message_id: str
) -> tuple[Insert, dict[str, Any]]:
    """The statement and parameters of `reserve` (also run on a worker thread)."""
    params = {
        "conversation_id": conversation_id,
        "client_message_id": client_message_id,
        "response": dict(PENDING),
        "created_at": utcnow(),
    }
    return _RESERVE[dialect], params


async def earlier(
    session: AsyncSession, conversation_id: str, client_message_id: str
) -> IdempotentReply:
    """The record an earlier attempt of this message left (`reserve` said it exists)."""
    row = await session.scalar(
        select(IdempotentReply).where(
            IdempotentReply.conversation_id == conversation_id,
            IdempotentReply.client_message_id == client_message_id,
        )
    )
    assert row is not None, "reserve() found the record"
    return row


async def remember_reply(session: AsyncSession, record_id: int, response: dict[str, Any]) -> None:
    """Keep the answer on the reserved row, so a retry gets it instead of a second bot turn."""
    await session.execute(*remembering(record_id, response))


def remembering(record_id: int, response: dict[str, Any]) -> tuple[Update, dict[str, Any]]:
    """The statement and parameters of `remember_reply` (also run on a worker thread)."""
    return _REMEMBER, {"rid": record_id, "response": response}


async def purge_expired(session: AsyncSession, retention_days: int) -> int:
    """Forget answers older than the retention period."""
    cutoff = utcnow() - timedelta(days=retention_days)
    result = await session.execute(
        delete(IdempotentReply).where(IdempotentReply.created_at < cutoff)
    )
    return getattr(result, "rowcount", 0) or 0
