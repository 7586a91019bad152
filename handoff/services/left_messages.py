"""Messages answered later (issue 18): the customer leaves, the reply waits in the chat.

A customer who chooses "leave a message" stays in the same conversation,
now in the message queue (`Handoff.mode == message`) with an answer due
within `MESSAGE_SLA_MINUTES`. The conversation is kept open for
`MESSAGE_OPEN_HOURS` (`Conversation.keep_open_until`, which any idle expiry
must respect) and each agent reply extends it; when that time has passed
with the chat still open, `expire` ends it politely.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.core.config import Settings
from handoff.models import (
    Conversation,
    ConversationState,
    Handoff,
    HandoffMode,
    HandoffStatus,
    Sender,
)
from handoff.services import desk
from handoff.services.conversations import append_message
from handoff.services.events import conversation_topic
from handoff.services.overflow import duration_words
from handoff.services.phrases import phrase


def keep_open(conversation: Conversation, settings: Settings, now: datetime) -> None:
    """Hold the conversation open for the configured time from `now`."""
    conversation.keep_open_until = now + timedelta(hours=settings.message_open_hours)


async def leave_message(
    settings: Settings,
    conversation: Conversation,
    handoff: Handoff,
    now: datetime,
    outbox: desk.Outbox,
) -> tuple[str, list[dict[str, str]]]:
    """Move a waiting handoff to the message queue and tell the customer what happens next."""
    handoff.mode = HandoffMode.message
    handoff.due_at = now + timedelta(minutes=settings.message_sla_minutes)
    keep_open(conversation, settings, now)
    outbox.queue_event("message", handoff)
    language = conversation.language
    text = phrase(
        "message_left",
        language,
        sla=duration_words(settings.message_sla_minutes, language),
        hours=settings.message_open_hours,
    )
    return text, []


async def expire(session: AsyncSession, now: datetime, outbox: desk.Outbox) -> list[str]:
    """End message conversations whose open time has passed; returns their ids."""
    rows = await session.execute(
        select(Handoff, Conversation)
        .join(Conversation, Conversation.id == Handoff.conversation_id)
        .where(
            Handoff.mode == HandoffMode.message,
            Handoff.status.in_([HandoffStatus.waiting, HandoffStatus.claimed]),
            Conversation.keep_open_until.is_not(None),
            Conversation.keep_open_until < now,
        )
    )
    ended = []
    for handoff, conversation in rows.all():
        handoff.status, handoff.closed_at = HandoffStatus.closed, now
        handoff.resolution = "message conversation expired"
        conversation.state, conversation.closed_at = ConversationState.closed, now
        conversation.keep_open_until = None
        note = await append_message(
            session, conversation, Sender.system, phrase("message_expired", conversation.language)
        )
        outbox.customer_messages(conversation.id, [note])
        outbox.add(conversation_topic(conversation.id), {"type": "state", "state": "closed"})
        outbox.queue_event("closed", handoff)
        ended.append(conversation.id)
    await session.commit()
    return ended
