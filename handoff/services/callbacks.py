"""What a queued customer may do, and callback tickets (rule 17; issue 18).

A queued customer may leave the queue, keep waiting, book a callback at a
slot they choose within agent hours (`services/overflow.py` lists the slots;
then a mobile number books the ticket and closes the chat), or leave a
message answered later (`services/left_messages.py`). The agent who makes a
callback opens the ticket and finds the same conversation: transcript,
reason and verification state; what they note is added to it.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from common.redaction import mask_phone
from handoff.core.config import Settings
from handoff.core.errors import Conflict, NotFound
from handoff.models import (
    CallbackStatus,
    CallbackTicket,
    Conversation,
    ConversationState,
    Handoff,
    HandoffMode,
    HandoffStatus,
    Priority,
)
from handoff.services import desk, left_messages, overflow, queue, summary
from handoff.services.clock import as_utc
from handoff.services.hours import CALL_SOON, AgentHours
from handoff.services.overflow import (
    CALLBACK_PAYLOAD,
    KEEP_WAITING_PAYLOAD,
    LEAVE_MESSAGE_PAYLOAD,
    LEAVE_PAYLOAD,
    leave_button,
)
from handoff.services.phrases import phrase

__all__ = [
    "CALLBACK_PAYLOAD",
    "CALL_SOON",
    "KEEP_WAITING_PAYLOAD",
    "LEAVE_PAYLOAD",
    "AgentHours",
    "leave_button",
]

# "cbphone:202611250230": the slot chosen (UTC), the phone number still to come.
PENDING_PHONE = "cbphone:"
REFERENCE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O: read out on the phone

_MOBILE = re.compile(r"(?<!\d)(?:\+?86[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?!\d)")

Outgoing = list[tuple[str, list[dict[str, str]]]]


def extract_phone(text: str) -> str | None:
    """A mainland mobile number in what the customer typed, as 11 digits."""
    match = _MOBILE.search(text)
    return "".join(match.groups()) if match else None


@dataclass
class QueuedTurn:
    """The answer to a message from a queued customer."""

    outgoing: Outgoing
    handoff: Handoff | None  # still waiting: the relay reports its place


def _pending_slot(pending: str | None) -> datetime | None:
    if not pending or not pending.startswith(PENDING_PHONE):
        return None
    try:
        return datetime.strptime(pending[len(PENDING_PHONE) :], "%Y%m%d%H%M").replace(tzinfo=UTC)
    except ValueError:
        return None


async def queued_turn(
    session: AsyncSession,
    settings: Settings,
    conversation: Conversation,
    text: str,
    now: datetime,
    outbox: desk.Outbox,
) -> QueuedTurn:
    """Leave, keep waiting, pick a callback slot, give the phone, or leave a message."""
    handoff = await queue.open_handoff(session, conversation.id)
    if handoff is None or handoff.status != HandoffStatus.waiting:
        return QueuedTurn([], None)
    language = conversation.language
    facts = await summary.facts_for(session, conversation.id)
    command = text.strip()
    if command == LEAVE_PAYLOAD:
        left = await desk.leave_queue(
            session,
            handoff,
            now,
            outbox,
            status=HandoffStatus.cancelled,
            resolution="customer left the queue",
        )
        if left:
            facts.pending = None
            conversation.state, conversation.closed_at = ConversationState.closed, now
            conversation.keep_open_until = None
            return QueuedTurn([(phrase("left_queue", language), [])], None)
    if handoff.mode == HandoffMode.message:
        outbox.queue_event("message_added", handoff)
        return QueuedTurn([(phrase("message_noted", language), [])], handoff)
    if handoff.priority == Priority.urgent:  # fraud is served first, never parked
        facts.pending = None
        return QueuedTurn(await _standing_reply(session, settings, handoff, language, now), handoff)
    if command == LEAVE_MESSAGE_PAYLOAD:
        facts.pending = None
        reply = await left_messages.leave_message(settings, conversation, handoff, now, outbox)
        return QueuedTurn([reply], handoff)
    if command == CALLBACK_PAYLOAD:
        facts.pending = None
        return QueuedTurn([await _slots_reply(session, settings, language, now, "")], handoff)
    slot = overflow.parse_slot(command)
    if slot is not None:
        if slot not in await overflow.open_slots(session, settings, now):
            return QueuedTurn(
                [await _slots_reply(session, settings, language, now, "callback_slot_taken")],
                handoff,
            )
        facts.pending = PENDING_PHONE + slot.strftime("%Y%m%d%H%M")
        when = AgentHours.from_settings(settings).describe(slot, language)
        buttons = [overflow.button("button_keep_waiting", KEEP_WAITING_PAYLOAD, language)]
        return QueuedTurn([(phrase("callback_ask_phone", language, when=when), buttons)], handoff)
    if command == KEEP_WAITING_PAYLOAD:
        facts.pending = None
        return QueuedTurn(await _standing_reply(session, settings, handoff, language, now), handoff)
    chosen = _pending_slot(facts.pending)
    if chosen is not None:
        phone = extract_phone(text)
        if phone is None:
            buttons = [
                overflow.button("button_keep_waiting", KEEP_WAITING_PAYLOAD, language),
                leave_button(language),
            ]
            return QueuedTurn([(phrase("callback_bad_phone", language), buttons)], handoff)
        if chosen not in await overflow.open_slots(session, settings, now):
            facts.pending = None
            return QueuedTurn(
                [await _slots_reply(session, settings, language, now, "callback_slot_taken")],
                handoff,
            )
        ticket = await book(session, conversation, handoff, phone, chosen, now, outbox)
        if ticket is not None:
            facts.pending = None
            hours = AgentHours.from_settings(settings)
            booked = phrase(
                "callback_booked",
                language,
                reference=ticket.reference,
                when=hours.describe(as_utc(ticket.call_at), language),
                phone=mask_phone(ticket.phone),
            )
            return QueuedTurn([(booked, [])], None)
    return QueuedTurn(await _standing_reply(session, settings, handoff, language, now), handoff)


async def _slots_reply(
    session: AsyncSession, settings: Settings, language: str | None, now: datetime, lead: str
) -> tuple[str, list[dict[str, str]]]:
    slots = await overflow.open_slots(session, settings, now)
    if not slots:
        buttons = [
            overflow.button("button_keep_waiting", KEEP_WAITING_PAYLOAD, language),
            overflow.button("button_leave_message", LEAVE_MESSAGE_PAYLOAD, language),
        ]
        return phrase("callback_no_slots", language), buttons
    text = phrase("callback_pick_slot", language)
    if lead:
        text = phrase(lead, language)
    return text, overflow.slot_buttons(slots, settings, language)


async def _standing_reply(
    session: AsyncSession, settings: Settings, handoff: Handoff, language: str | None, now: datetime
) -> Outgoing:
    place = await queue.standing(session, settings, handoff, now)
    if place.position > 1:
        text = phrase("still_queued", language, ahead=place.position - 1)
    else:
        text = phrase("still_queued_next", language)
    outgoing: Outgoing = [(text, [leave_button(language)])]
    offer = await overflow.offer(session, settings, handoff, place, language, now)
    if offer is not None:  # the three ways on stay open while the wait is long
        outgoing.append(offer)
    return outgoing


async def book(
    session: AsyncSession,
    conversation: Conversation,
    handoff: Handoff,
    phone: str,
    call_at: datetime,
    now: datetime,
    outbox: desk.Outbox,
) -> CallbackTicket | None:
    """Book the callback and close the conversation; None if an agent claimed it meanwhile."""
    # Letters after the date: a longer run of digits would be masked as a card number.
    suffix = "".join(secrets.choice(REFERENCE_LETTERS) for _ in range(5))
    reference = f"CB{call_at:%Y%m%d}-{suffix}"
    booked = await desk.leave_queue(
        session,
        handoff,
        now,
        outbox,
        status=HandoffStatus.closed,
        resolution=f"callback {reference}",
    )
    if not booked:
        return None
    ticket = CallbackTicket(
        reference=reference,
        conversation_id=conversation.id,
        phone=phone,
        language=conversation.language,
        reason=handoff.reason.value,
        call_at=call_at.astimezone(UTC),
        created_at=now,
        handoff_id=handoff.id,
    )
    session.add(ticket)
    conversation.state, conversation.closed_at = ConversationState.closed, now
    await session.flush()
    return ticket


def ticket_view(ticket: CallbackTicket, hours: AgentHours) -> dict[str, Any]:
    """A callback ticket for staff: the phone is always masked."""
    call_at = as_utc(ticket.call_at)
    return {
        "id": ticket.id,
        "reference": ticket.reference,
        "conversation_id": ticket.conversation_id,
        "phone": mask_phone(ticket.phone),
        "language": ticket.language,
        "reason": ticket.reason,
        "call_at": call_at.isoformat().replace("+00:00", "Z"),
        "call_at_local": hours.describe(call_at, "en"),
        "status": ticket.status.value,
    }


async def open_tickets(session: AsyncSession) -> list[CallbackTicket]:
    """Callbacks still to make, soonest first."""
    rows = await session.scalars(
        select(CallbackTicket)
        .where(CallbackTicket.status == CallbackStatus.open)
        .order_by(CallbackTicket.call_at, CallbackTicket.id)
    )
    return list(rows)


async def ticket_detail(
    session: AsyncSession, settings: Settings, ticket_id: int, now: datetime
) -> dict[str, Any]:
    """The ticket with its conversation: reason, priority, verification and transcript."""
    ticket = await session.get(CallbackTicket, ticket_id)
    if ticket is None:
        raise NotFound("No such callback.")
    handoff = await session.get(Handoff, ticket.handoff_id) if ticket.handoff_id else None
    facts = await summary.existing_facts(session, ticket.conversation_id)
    messages = await summary.transcript(session, ticket.conversation_id)
    return {
        **ticket_view(ticket, AgentHours.from_settings(settings)),
        "priority": handoff.priority.value if handoff else None,
        "verification": summary.verification_view(facts, now, settings.verified_ttl_s),
        "summary": summary.summarise(messages, facts),
        "transcript": summary.transcript_view(messages),
        "note": ticket.note,
    }


async def complete(
    session: AsyncSession, ticket_id: int, note: str, now: datetime
) -> CallbackTicket:
    """Mark the call made, with the agent's note (kept with the ticket, not shown to customers)."""
    result = await session.execute(
        update(CallbackTicket)
        .where(CallbackTicket.id == ticket_id, CallbackTicket.status == CallbackStatus.open)
        .values(status=CallbackStatus.done, done_at=now, note=note)
        .execution_options(synchronize_session=False)
    )
    ticket = await session.get(CallbackTicket, ticket_id, populate_existing=True)
    if ticket is None:
        raise NotFound("No such callback.")
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(f"This callback is {ticket.status.value} already.", code="callback_done")
    await session.commit()
    return ticket
