"""Agent hours and callbacks (rule 17): nobody is left without an answer.

Outside agent hours, or when no agent is online, a queued customer is offered
a callback; accepting it asks for a mobile number, books a ticket for the
next time the bank can call, and closes the conversation.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from common.redaction import mask_phone
from handoff.core.config import Settings
from handoff.models import (
    Agent,
    CallbackStatus,
    CallbackTicket,
    Conversation,
    ConversationState,
    Handoff,
    HandoffStatus,
    StaffRole,
)
from handoff.services import desk, queue, summary
from handoff.services.clock import as_utc
from handoff.services.phrases import button_title, phrase

CALLBACK_PAYLOAD = "/callback"
LEAVE_PAYLOAD = "/leave_queue"
KEEP_WAITING_PAYLOAD = "/keep_waiting"
PENDING_PHONE = "callback_phone"
# Inside agent hours but nobody online: the bank calls within half an hour.
CALL_SOON = timedelta(minutes=30)
REFERENCE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O: read out on the phone

_MOBILE = re.compile(r"(?<!\d)(?:\+?86[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?!\d)")

Outgoing = list[tuple[str, list[dict[str, str]]]]


@dataclass(frozen=True)
class AgentHours:
    """Daily opening of the desk in its own time zone (default 08:00-22:00 Beijing time)."""

    opens: time
    closes: time
    zone: ZoneInfo

    @classmethod
    def from_settings(cls, settings: Settings) -> AgentHours:
        """Parse `AGENT_HOURS` ("HH:MM-HH:MM") and `AGENT_TIMEZONE`."""
        start, _, end = settings.agent_hours.partition("-")
        return cls(
            time.fromisoformat(start.strip()),
            time.fromisoformat(end.strip()),
            ZoneInfo(settings.agent_timezone),
        )

    def is_open(self, now: datetime) -> bool:
        """True when agents work at `now` (an overnight span such as 20:00-06:00 works too)."""
        local = as_utc(now).astimezone(self.zone).time()
        if self.opens <= self.closes:
            return self.opens <= local < self.closes
        return local >= self.opens or local < self.closes

    def next_opening(self, now: datetime) -> datetime:
        """The next moment the desk opens, strictly after `now` if it is closed now."""
        local = as_utc(now).astimezone(self.zone)
        candidate = local.replace(
            hour=self.opens.hour, minute=self.opens.minute, second=0, microsecond=0
        )
        if candidate <= local:
            candidate += timedelta(days=1)
        return candidate

    def callback_time(self, now: datetime) -> datetime:
        """When the bank will call: soon if the desk is open, else at the next opening."""
        soon = as_utc(now) + CALL_SOON
        if self.is_open(now) and self.is_open(soon):
            return soon.astimezone(self.zone)
        return self.next_opening(soon)

    def describe(self, moment: datetime, language: str | None) -> str:
        """`moment` in the desk's local time, worded for the customer."""
        local = moment.astimezone(self.zone)
        beijing = self.zone.key == "Asia/Shanghai"
        if language == "zh":
            zone = "北京时间" if beijing else self.zone.key
            return f"{local.month}月{local.day}日 {local:%H:%M}（{zone}）"
        if language == "en":
            zone = "Beijing time" if beijing else self.zone.key
            return f"{local:%H:%M} on {local.day} {local:%b} ({zone})"
        zone = "北京时间 Beijing time" if beijing else self.zone.key
        return f"{local:%Y-%m-%d %H:%M} ({zone})"


def extract_phone(text: str) -> str | None:
    """A mainland mobile number in what the customer typed, as 11 digits."""
    match = _MOBILE.search(text)
    return "".join(match.groups()) if match else None


async def staff_online(session: AsyncSession) -> int:
    """Agents and supervisors marked online (kept fresh by heartbeats)."""
    count = await session.scalar(
        select(func.count())
        .select_from(Agent)
        .where(Agent.online.is_(True), Agent.role.in_([StaffRole.agent, StaffRole.supervisor]))
    )
    return count or 0


async def offer_reason(session: AsyncSession, hours: AgentHours, now: datetime) -> str | None:
    """Why a callback is offered ("closed" or "busy"), or None when agents are there."""
    if not hours.is_open(now):
        return "closed"
    if await staff_online(session) == 0:
        return "busy"
    return None


def _button(key: str, payload: str, language: str | None) -> dict[str, str]:
    return {"title": button_title(key, language), "payload": payload}


def leave_button(language: str | None) -> dict[str, str]:
    """Lets a queued customer give up waiting (the handoff is cancelled)."""
    return _button("button_leave", LEAVE_PAYLOAD, language)


async def offer(
    session: AsyncSession, settings: Settings, language: str | None, now: datetime
) -> tuple[str, list[dict[str, str]]] | None:
    """The callback offer added to a queued reply, when one is due."""
    hours = AgentHours.from_settings(settings)
    reason = await offer_reason(session, hours, now)
    if reason is None:
        return None
    when = hours.describe(hours.callback_time(now), language)
    text = phrase(f"callback_offer_{reason}", language, when=when, hours=settings.agent_hours)
    return text, [_button("button_callback", CALLBACK_PAYLOAD, language)]


@dataclass
class QueuedTurn:
    """The answer to a message from a queued customer."""

    outgoing: Outgoing
    handoff: Handoff | None  # still waiting: the relay reports its place


async def queued_turn(
    session: AsyncSession,
    settings: Settings,
    conversation: Conversation,
    text: str,
    now: datetime,
    outbox: desk.Outbox,
) -> QueuedTurn:
    """Leave the queue, take or refuse a callback, or hear the place in the queue."""
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
            return QueuedTurn([(phrase("left_queue", language), [])], None)
    if command == CALLBACK_PAYLOAD:
        facts.pending = PENDING_PHONE
        hours = AgentHours.from_settings(settings)
        when = hours.describe(hours.callback_time(now), language)
        buttons = [_button("button_keep_waiting", KEEP_WAITING_PAYLOAD, language)]
        return QueuedTurn(
            [(phrase("callback_ask_phone", language, when=when), buttons)], handoff
        )
    if command == KEEP_WAITING_PAYLOAD:
        facts.pending = None
        return QueuedTurn(await _standing_reply(session, settings, handoff, language, now), handoff)
    if facts.pending == PENDING_PHONE:
        phone = extract_phone(text)
        if phone is None:
            buttons = [
                _button("button_keep_waiting", KEEP_WAITING_PAYLOAD, language),
                leave_button(language),
            ]
            return QueuedTurn([(phrase("callback_bad_phone", language), buttons)], handoff)
        ticket = await book(session, settings, conversation, handoff, phone, now, outbox)
        if ticket is not None:
            facts.pending = None
            hours = AgentHours.from_settings(settings)
            reply = phrase(
                "callback_booked",
                language,
                reference=ticket.reference,
                when=hours.describe(as_utc(ticket.call_at), language),
                phone=mask_phone(ticket.phone),
            )
            return QueuedTurn([(reply, [])], None)
    return QueuedTurn(await _standing_reply(session, settings, handoff, language, now), handoff)


async def _standing_reply(
    session: AsyncSession, settings: Settings, handoff: Handoff, language: str | None, now: datetime
) -> Outgoing:
    place = await queue.standing(session, handoff)
    outgoing: Outgoing = [
        (
            phrase(
                "still_queued" if place.position > 1 else "still_queued_next",
                language,
                ahead=place.position - 1,
                count=place.position - 1,
            ),
            [leave_button(language)],
        )
    ]
    extra = await offer(session, settings, language, now)
    if extra is not None:
        outgoing.append(extra)
    return outgoing


async def book(
    session: AsyncSession,
    settings: Settings,
    conversation: Conversation,
    handoff: Handoff,
    phone: str,
    now: datetime,
    outbox: desk.Outbox,
) -> CallbackTicket | None:
    """Book the callback and close the conversation; None if an agent claimed it meanwhile."""
    hours = AgentHours.from_settings(settings)
    call_at = hours.callback_time(now)
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
