"""The handoff queue: entering it, its order, and where a customer stands in it.

Order: priority first (urgent, high, normal); within a priority, chats handed
back by an agent who went offline come first, then the longest waiting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import false, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.models import (
    Conversation,
    ConversationState,
    DeskEntry,
    Handoff,
    HandoffReason,
    HandoffStatus,
    Priority,
)
from handoff.services.clock import as_utc

# Average minutes an agent spends on a chat (rule 21 targets at most 5).
AVERAGE_HANDLING_MINUTES = 4
# Rule 15: a supervisor steps in when a customer has waited more than 10 minutes.
ALERT_AFTER = timedelta(minutes=10)


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


async def waiting(session: AsyncSession) -> list[tuple[Handoff, DeskEntry | None]]:
    """Every waiting handoff with its desk entry, in queue order."""
    rows = await session.execute(
        select(Handoff, DeskEntry)
        .outerjoin(DeskEntry, DeskEntry.handoff_id == Handoff.id)
        .where(Handoff.status == HandoffStatus.waiting)
        .order_by(
            Handoff.priority_rank,
            func.coalesce(DeskEntry.requeued, false()).desc(),
            Handoff.created_at,
            Handoff.id,
        )
    )
    return [(handoff, entry) for handoff, entry in rows]


async def standing(session: AsyncSession, handoff: Handoff) -> QueueStanding:
    """1-based position among waiting handoffs (queue order) and a wait estimate."""
    order = [h.id for h, _ in await waiting(session)]
    position = order.index(handoff.id) + 1 if handoff.id in order else 1
    return QueueStanding(position, position * AVERAGE_HANDLING_MINUTES)


def waited_seconds(handoff: Handoff, now: datetime) -> int:
    """Seconds since the customer asked for a human (never negative)."""
    return max(0, int((now - as_utc(handoff.created_at)).total_seconds()))


def is_overdue(handoff: Handoff, now: datetime) -> bool:
    """True when a waiting customer has waited longer than rule 15 allows."""
    return (
        handoff.status == HandoffStatus.waiting and now - as_utc(handoff.created_at) > ALERT_AFTER
    )


def queue_item(handoff: Handoff, position: int, now: datetime) -> dict[str, Any]:
    """One entry of `GET /api/agent/queue` (docs/architecture.md), plus the rule-15 alert flag."""
    return {
        "id": handoff.id,
        "conversation_id": handoff.conversation_id,
        "reason": handoff.reason.value,
        "priority": handoff.priority.value,
        "language": handoff.language,
        "waited_s": waited_seconds(handoff, now),
        "queue_position": position,
        "status": handoff.status.value,
        "alert": is_overdue(handoff, now),
    }


async def queue_items(session: AsyncSession, now: datetime) -> list[dict[str, Any]]:
    """The waiting queue as staff see it."""
    return [
        queue_item(handoff, position, now)
        for position, (handoff, _) in enumerate(await waiting(session), start=1)
    ]
