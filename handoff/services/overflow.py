"""Long queues (issue 18): what a waiting customer is told and offered.

The queued reply says the wait the desk's recent pace predicts
(`services/estimate.py`), as a range when it is uncertain. When that wait is
over `OVERFLOW_THRESHOLD_MINUTES`, nobody is online or the desk is closed, a
second reply offers three ways on: keep waiting, a callback at a chosen slot
within agent hours, or a message answered later in the same conversation.
Urgent (fraud) handoffs are never offered to wait or leave: they go to the
front and the supervisors are alerted.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.core.config import Settings
from handoff.models import (
    Agent,
    CallbackStatus,
    CallbackTicket,
    Conversation,
    ConversationState,
    Handoff,
    HandoffMode,
    Priority,
    StaffRole,
)
from handoff.services import queue
from handoff.services.clock import as_utc
from handoff.services.estimate import WaitEstimate
from handoff.services.hours import AgentHours
from handoff.services.phrases import button_title, phrase

CALLBACK_PAYLOAD = "/callback"
LEAVE_PAYLOAD = "/leave_queue"
KEEP_WAITING_PAYLOAD = "/keep_waiting"
LEAVE_MESSAGE_PAYLOAD = "/leave_message"
SLOT_PAYLOAD = "/callback_at "  # + the slot in UTC, "2026-11-25T02:30Z"
SLOT_FORMAT = "%Y-%m-%dT%H:%MZ"
# Slots are looked for this far ahead at most.
SLOT_HORIZON = timedelta(days=7)

Outgoing = list[tuple[str, list[dict[str, str]]]]


def button(key: str, payload: str, language: str | None) -> dict[str, str]:
    """A quick reply whose title is one of the gateway's phrases."""
    return {"title": button_title(key, language), "payload": payload}


def leave_button(language: str | None) -> dict[str, str]:
    """Lets a queued customer give up waiting (the handoff is cancelled)."""
    return button("button_leave", LEAVE_PAYLOAD, language)


def wait_words(wait: WaitEstimate, language: str | None) -> str:
    """The wait in words ("about 6 min", "25–48 min", "under a minute")."""
    if wait.high <= 1:
        return phrase("wait_soon", language)
    if wait.is_range:
        return phrase("wait_range", language, low=wait.low, high=wait.high)
    return phrase("wait_about", language, minutes=wait.expected)


def duration_words(minutes: int, language: str | None) -> str:
    """A message SLA said in hours when it is whole hours, else in minutes."""
    if minutes % 60 == 0:
        return phrase("duration_hours", language, n=minutes // 60)
    return phrase("duration_minutes", language, n=minutes)


def queued_reply(
    place: queue.QueueStanding, handoff: Handoff, language: str | None
) -> tuple[str, list[dict[str, str]]]:
    """The reply that tells a customer they are queued, and how long it may take."""
    if handoff.priority == Priority.urgent:
        return phrase("queued_urgent", language), []
    ahead = place.position - 1
    if place.wait is None:
        text = phrase("queued_no_estimate", language, ahead=ahead)
    else:
        key = "queued" if ahead > 0 else "queued_next"
        text = phrase(key, language, ahead=ahead, wait=wait_words(place.wait, language))
    return text, [leave_button(language)]


async def staff_online(session: AsyncSession) -> int:
    """Agents and supervisors marked online (kept fresh by heartbeats)."""
    count = await session.scalar(
        select(func.count())
        .select_from(Agent)
        .where(Agent.online.is_(True), Agent.role.in_([StaffRole.agent, StaffRole.supervisor]))
    )
    return count or 0


async def offer_reason(
    session: AsyncSession, settings: Settings, place: queue.QueueStanding, now: datetime
) -> str | None:
    """Why the three ways on are offered ("closed", "busy", "long"), or None."""
    if not AgentHours.from_settings(settings).is_open(now):
        return "closed"
    if place.wait is None or await staff_online(session) == 0:
        return "busy"
    if place.wait.expected > settings.overflow_threshold_minutes:
        return "long"
    return None


def offer_buttons(language: str | None) -> list[dict[str, str]]:
    """Keep waiting, a callback, or a message answered later."""
    return [
        button("button_keep_waiting", KEEP_WAITING_PAYLOAD, language),
        button("button_callback", CALLBACK_PAYLOAD, language),
        button("button_leave_message", LEAVE_MESSAGE_PAYLOAD, language),
    ]


async def offer(
    session: AsyncSession,
    settings: Settings,
    handoff: Handoff,
    place: queue.QueueStanding,
    language: str | None,
    now: datetime,
) -> tuple[str, list[dict[str, str]]] | None:
    """The overflow offer that follows the queued reply, when one is due (never for fraud)."""
    if handoff.priority == Priority.urgent or handoff.mode == HandoffMode.message:
        return None
    reason = await offer_reason(session, settings, place, now)
    if reason is None:
        return None
    wait = wait_words(place.wait, language) if place.wait is not None else ""
    text = phrase(f"overflow_offer_{reason}", language, wait=wait, hours=settings.agent_hours)
    return text, offer_buttons(language)


# ---- callback slots -----------------------------------------------------------------


async def open_slots(session: AsyncSession, settings: Settings, now: datetime) -> list[datetime]:
    """The next callback times within agent hours that still have room (UTC)."""
    hours = AgentHours.from_settings(settings)
    step = timedelta(minutes=settings.callback_slot_minutes)
    first = hours.callback_time(now).astimezone(UTC)
    # Round up to a whole slot of the desk's local clock (:00, :30 for 30-minute slots).
    local = first.astimezone(hours.zone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    steps = -(-(local - midnight) // step)
    moment = (midnight + steps * step).astimezone(UTC)
    taken = await _booked(session, moment, moment + SLOT_HORIZON)
    slots: list[datetime] = []
    while len(slots) < settings.callback_slots_shown and moment < first + SLOT_HORIZON:
        if hours.is_open(moment) and taken.get(moment, 0) < settings.callback_slot_capacity:
            slots.append(moment)
        moment += step
    return slots


async def _booked(session: AsyncSession, start: datetime, end: datetime) -> dict[datetime, int]:
    rows = await session.execute(
        select(CallbackTicket.call_at, func.count())
        .where(
            CallbackTicket.status == CallbackStatus.open,
            CallbackTicket.call_at >= start,
            CallbackTicket.call_at < end,
        )
        .group_by(CallbackTicket.call_at)
    )
    return {as_utc(at): count for at, count in rows}


def slot_payload(slot: datetime) -> str:
    """The button payload that books `slot`."""
    return SLOT_PAYLOAD + slot.astimezone(UTC).strftime(SLOT_FORMAT)


def parse_slot(text: str) -> datetime | None:
    """The slot a `/callback_at …` payload names, or None for anything else."""
    if not text.startswith(SLOT_PAYLOAD):
        return None
    try:
        return datetime.strptime(text[len(SLOT_PAYLOAD) :].strip(), SLOT_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def slot_buttons(
    slots: list[datetime], settings: Settings, language: str | None
) -> list[dict[str, str]]:
    """One button per slot, titled in the desk's local time, then "keep waiting"."""
    hours = AgentHours.from_settings(settings)
    buttons = [
        {"title": hours.describe(slot, language), "payload": slot_payload(slot)} for slot in slots
    ]
    return [*buttons, button("button_keep_waiting", KEEP_WAITING_PAYLOAD, language)]


# ---- what the widget shows while waiting ----------------------------------------------------


def notice(handoff: Handoff, place: queue.QueueStanding, language: str | None) -> str:
    """The one-line status the widget's banner shows (the gateway's words, not the widget's)."""
    if handoff.mode == HandoffMode.message:
        return phrase("message_notice", language)
    if handoff.priority == Priority.urgent:
        return phrase("queue_notice_urgent", language)
    ahead = place.position - 1
    key = "queue_notice" if ahead > 0 else "queue_notice_next"
    if place.wait is None:
        return phrase(f"{key}_no_estimate", language, ahead=ahead)
    return phrase(key, language, ahead=ahead, wait=wait_words(place.wait, language))


def handoff_view(
    handoff: Handoff, place: queue.QueueStanding, conversation: Conversation
) -> dict[str, Any]:
    """The `handoff` of a turn's answer: the contract's fields, then the estimate and mode."""
    return {
        "reason": handoff.reason.value,
        "priority": handoff.priority.value,
        "queue_position": place.position,
        "mode": handoff.mode.value,
        "estimated_wait": place.wait.view() if place.wait is not None else None,
        "notice": notice(handoff, place, conversation.language),
    }


async def current_view(
    session: AsyncSession, settings: Settings, conversation: Conversation, now: datetime
) -> dict[str, Any] | None:
    """The `handoff` a (re)connecting widget needs while the conversation waits, else None."""
    handoff = await queue.open_handoff(session, conversation.id)
    if handoff is None or conversation.state != ConversationState.queued:
        return None
    place = await queue.standing(session, settings, handoff, now)
    return handoff_view(handoff, place, conversation)
