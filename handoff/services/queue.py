"""The handoff queue: entering it, its order, and where a customer stands in it.

Order: priority first (urgent, high, normal); within a priority, chats handed
back by an agent who went offline come first, then the longest waiting.
Customers who left a message instead of waiting (issue 18) are not in this
queue: they form the message queue, ordered by when their answer is due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import false, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.core.config import Settings
from handoff.models import (
    Conversation,
    ConversationState,
    DeskEntry,
    Handoff,
    HandoffMode,
    HandoffReason,
    HandoffStatus,
    Priority,
)
from handoff.services import estimate
from handoff.services.clock import as_utc, clock

# Rule 15: a supervisor steps in when a customer has waited more than 10 minutes.
ALERT_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class QueueStanding:
    """What the customer is told about their place in the queue; `wait` None: nobody online."""

    position: int
    wait: estimate.WaitEstimate | None


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
            if priority == Priority.urgent:  # fraud never waits as a left message
                current.mode, current.due_at = HandoffMode.live, None
        return current
    handoff = Handoff(
        # The desk's clock, like every other time the estimate and the alerts compare.
        created_at=clock.now(),
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
        .where(Handoff.status == HandoffStatus.waiting, Handoff.mode == HandoffMode.live)
        .order_by(
            Handoff.priority_rank,
            func.coalesce(DeskEntry.requeued, false()).desc(),
            Handoff.created_at,
            Handoff.id,
        )
    )
    return [(handoff, entry) for handoff, entry in rows]


async def messages_waiting(session: AsyncSession) -> list[Handoff]:
    """Left messages nobody has taken yet, the soonest due first."""
    rows = await session.scalars(
        select(Handoff)
        .where(Handoff.status == HandoffStatus.waiting, Handoff.mode == HandoffMode.message)
        .order_by(Handoff.priority_rank, Handoff.due_at, Handoff.id)
    )
    return list(rows)


async def position(session: AsyncSession, handoff: Handoff) -> int:
    """1-based place among the handoffs of its own queue (live or messages)."""
    if handoff.mode == HandoffMode.message:
        order = [h.id for h in await messages_waiting(session)]
    else:
        order = [h.id for h, _ in await waiting(session)]
    return order.index(handoff.id) + 1 if handoff.id in order else 1


async def standing(
    session: AsyncSession, settings: Settings, handoff: Handoff, now: datetime
) -> QueueStanding:
    """The place in the queue and the wait the desk's recent pace predicts."""
    place = await position(session, handoff)
    load = await estimate.desk_load(session, settings, now)
    wait = estimate.estimate(
        place, load, settings.prior_chats_per_agent_hour, handoff.priority_rank
    )
    return QueueStanding(place, wait)


def waited_seconds(handoff: Handoff, now: datetime) -> int:
    """Seconds since the customer asked for a human (never negative)."""
    return max(0, int((now - as_utc(handoff.created_at)).total_seconds()))


def is_overdue(handoff: Handoff, now: datetime) -> bool:
    """True when a customer waiting live has waited longer than rule 15 allows."""
    return (
        handoff.status == HandoffStatus.waiting
        and handoff.mode == HandoffMode.live
        and now - as_utc(handoff.created_at) > ALERT_AFTER
    )


def queue_item(handoff: Handoff, place: int, now: datetime) -> dict[str, Any]:
    """One entry of `GET /api/agent/queue` (docs/architecture.md), plus the rule-15 alert flag."""
    return {
        "id": handoff.id,
        "conversation_id": handoff.conversation_id,
        "reason": handoff.reason.value,
        "priority": handoff.priority.value,
        "language": handoff.language,
        "waited_s": waited_seconds(handoff, now),
        "queue_position": place,
        "status": handoff.status.value,
        "alert": is_overdue(handoff, now),
        "mode": handoff.mode.value,
        "due_at": _iso(handoff.due_at),
        "sla_overdue": bool(handoff.due_at and as_utc(handoff.due_at) < now),
    }


async def queue_items(session: AsyncSession, now: datetime) -> list[dict[str, Any]]:
    """The waiting queue as staff see it."""
    return [
        queue_item(handoff, place, now)
        for place, (handoff, _) in enumerate(await waiting(session), start=1)
    ]


async def message_queue_items(session: AsyncSession, now: datetime) -> list[dict[str, Any]]:
    """The message queue as staff see it: due time and whether its SLA is missed."""
    return [
        queue_item(handoff, place, now)
        for place, handoff in enumerate(await messages_waiting(session), start=1)
    ]


def _iso(moment: datetime | None) -> str | None:
    return as_utc(moment).isoformat().replace("+00:00", "Z") if moment else None
