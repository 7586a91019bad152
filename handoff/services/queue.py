"""The handoff queue: entering it, and where a customer stands in it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.models import (
    Conversation,
    ConversationState,
    Handoff,
    HandoffReason,
    HandoffStatus,
    Priority,
)

# Average minutes an agent spends on a chat (rule 21 targets at most 5).
AVERAGE_HANDLING_MINUTES = 4


@dataclass(frozen=True)
class QueueStanding:
    """What the customer is told about their place in the queue."""

    position: int
    estimated_wait_minutes: int


async def enqueue(
    session: AsyncSession, conversation: Conversation, reason: HandoffReason, priority: Priority
) -> Handoff:
    """Put the conversation in the queue; a second request keeps the first entry.

    The priority is raised if the new reason is more urgent (fraud after a
    plain request for a human must jump the queue).
    """
    current = await open_handoff(session, conversation.id)
    if current is not None:
        if priority.rank < current.priority_rank:
            current.priority, current.priority_rank, current.reason = (
                priority,
                priority.rank,
                reason,
            )
        return current
    handoff = Handoff(
        conversation_id=conversation.id,
        reason=reason,
        priority=priority,
        priority_rank=priority.rank,
        language=conversation.language,
    )
    session.add(handoff)
    conversation.state = ConversationState.queued
    await session.flush()
    return handoff


async def open_handoff(session: AsyncSession, conversation_id: str) -> Handoff | None:
    """The waiting or claimed handoff of a conversation, if any."""
    return await session.scalar(
        select(Handoff).where(
            Handoff.conversation_id == conversation_id,
            Handoff.status.in_([HandoffStatus.waiting, HandoffStatus.claimed]),
        )
    )


async def standing(session: AsyncSession, handoff: Handoff) -> QueueStanding:
    """1-based position among waiting handoffs (priority, then age) and a wait estimate."""
    ahead = await session.scalar(
        select(func.count())
        .select_from(Handoff)
        .where(
            Handoff.status == HandoffStatus.waiting,
            Handoff.id != handoff.id,
            or_(
                Handoff.priority_rank < handoff.priority_rank,
                and_(
                    Handoff.priority_rank == handoff.priority_rank,
                    Handoff.created_at < handoff.created_at,
                ),
            ),
        )
    )
    position = (ahead or 0) + 1
    return QueueStanding(position, position * AVERAGE_HANDLING_MINUTES)
