"""The agents' side of a handoff: claim, talk, close, reassign, hand back to the queue.

Every state change is a conditional UPDATE whose row count decides the winner
(`... WHERE status = 'waiting'`), so two agents (or two gateways) can never
both take one chat. Events go out only after the commit, through `Outbox`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from common.plural import count_of
from handoff.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from handoff.models import (
    Agent,
    Conversation,
    ConversationState,
    DeskEntry,
    Handoff,
    HandoffDispute,
    HandoffMode,
    HandoffStatus,
    Message,
    Sender,
    StaffRole,
)
from handoff.services import handoff_evidence, queue, summary
from handoff.services.access import transcript_horizon
from handoff.services.clock import as_utc
from handoff.services.conversations import append_message, message_view
from handoff.services.events import EventHub, conversation_topic
from handoff.services.phrases import button_title, phrase

DESK_TOPIC = "desk"  # queue events, for every agent and supervisor
SUPERVISORS_TOPIC = "supervisors"  # every chat's messages and the rule-15 alerts
CSAT_SCORES = ("very_satisfied", "neutral", "dissatisfied")


def agent_topic(agent_id: int) -> str:
    """The events of one staff member: their chats' messages, assignments."""
    return f"agent:{agent_id}"


@dataclass
class Outbox:
    """Events to publish once the transaction that caused them has committed."""

    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def add(self, topic: str, event: dict[str, Any]) -> None:
        """Queue one event for `topic`."""
        self.events.append((topic, event))

    def customer_messages(self, conversation_id: str, messages: list[Message]) -> None:
        """New messages for the customer's widget."""
        for message in messages:
            self.add(
                conversation_topic(conversation_id),
                {"type": "message", "message": message_view(message)},
            )

    def queue_event(self, event: str, handoff: Handoff, **extra: Any) -> None:
        """A change of the queue (new, claimed, cancelled, closed, requeued, reassigned)."""
        self.add(
            DESK_TOPIC,
            {
                "type": "queue",
                "event": event,
                "handoff_id": handoff.id,
                "conversation_id": handoff.conversation_id,
                **extra,
            },
        )

    def staff_message(self, handoff: Handoff, holder_id: int | None, message: Message) -> None:
        """A chat message for the holder's console and the supervisors'."""
        event = {
            "type": "message",
            "handoff_id": handoff.id,
            "conversation_id": handoff.conversation_id,
            "message": message_view(message),
        }
        if holder_id is not None:
            self.add(agent_topic(holder_id), event)
        self.add(SUPERVISORS_TOPIC, event)

    async def publish(self, hub: EventHub) -> None:
        """Send everything queued, in order (call after the commit)."""
        for topic, event in self.events:
            await hub.publish(topic, event)
        self.events.clear()

    def post(self, hub: EventHub) -> None:
        """Hand everything queued to the hub's sender, in order, without waiting for it."""
        for topic, event in self.events:
            hub.post(topic, event)
        self.events.clear()


async def held_count(session: AsyncSession, agent_id: int) -> int:
    """How many live chats the agent serves now (rule 16 caps it; left messages do not count)."""
    count = await session.scalar(
        select(func.count())
        .select_from(Handoff)
        .join(DeskEntry, DeskEntry.handoff_id == Handoff.id)
        .where(
            DeskEntry.agent_id == agent_id,
            Handoff.status == HandoffStatus.claimed,
            Handoff.mode == HandoffMode.live,
        )
    )
    return count or 0


async def held_handoffs(session: AsyncSession, agent_id: int | None) -> list[Handoff]:
    """Claimed handoffs of one agent (or of everyone when `agent_id` is None)."""
    query = select(Handoff).where(Handoff.status == HandoffStatus.claimed)
    if agent_id is not None:
        query = query.join(DeskEntry, DeskEntry.handoff_id == Handoff.id).where(
            DeskEntry.agent_id == agent_id
        )
    return list(await session.scalars(query.order_by(Handoff.claimed_at, Handoff.id)))


async def _lock_agent(session: AsyncSession, agent_id: int, **values: Any) -> None:
    # A write on the agent's row first: on PostgreSQL it serialises that agent's
    # claims (so capacity holds under concurrency); on SQLite it takes the write
    # lock before anything is read, so no transaction reads a stale snapshot.
    await session.execute(
        update(Agent)
        .where(Agent.id == agent_id)
        .values(capacity=Agent.capacity, **values)
        .execution_options(synchronize_session=False)
    )


async def _check_capacity(session: AsyncSession, agent: Agent) -> None:
    if await held_count(session, agent.id) >= agent.capacity:
        raise Conflict(
            f"{agent.display_name} already serves {count_of(agent.capacity, 'chat')} "
            "(the most allowed).",
            code="at_capacity",
        )


async def _set_holder(session: AsyncSession, handoff_id: int, agent_id: int | None) -> DeskEntry:
    entry = await session.get(DeskEntry, handoff_id, populate_existing=True)
    if entry is None:
        entry = DeskEntry(handoff_id=handoff_id, requeued=False)
        session.add(entry)
    entry.agent_id = agent_id
    if agent_id is not None:
        entry.requeued = False
    await session.flush()
    return entry


async def _reload(session: AsyncSession, handoff_id: int) -> tuple[Handoff, Conversation]:
    handoff = await session.get(Handoff, handoff_id, populate_existing=True)
    assert handoff is not None
    conversation = await session.get(Conversation, handoff.conversation_id, populate_existing=True)
    assert conversation is not None
    return handoff, conversation


def _refusal(handoff: Handoff | None, action: str) -> Exception:
    """Why a conditional update matched nothing, as the client should hear it."""
    if handoff is None:
        return NotFound("No such handoff.")
    if handoff.status == HandoffStatus.claimed:
        return Conflict(f"Cannot {action}: another agent has this chat.", code="already_claimed")
    if handoff.status == HandoffStatus.waiting:
        return Conflict(
            f"Cannot {action}: the chat is still waiting; claim it first.", code="not_claimed"
        )
    return Conflict(
        f"Cannot {action}: this handoff is {handoff.status.value}.",
        code=f"handoff_{handoff.status.value}",
    )


async def claim(
    session: AsyncSession, agent: Agent, handoff_id: int, now: datetime, outbox: Outbox
) -> Handoff:
    """Take a waiting chat: exactly one agent wins, the others get 409."""
    await _lock_agent(session, agent.id, online=True, last_seen_at=now)
    target = await session.get(Handoff, handoff_id)
    if target is None or target.mode == HandoffMode.live:
        await _check_capacity(session, agent)
    result = await session.execute(
        update(Handoff)
        .where(Handoff.id == handoff_id, Handoff.status == HandoffStatus.waiting)
        .values(status=HandoffStatus.claimed, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise _refusal(await session.get(Handoff, handoff_id, populate_existing=True), "claim")
    await _set_holder(session, handoff_id, agent.id)
    handoff, conversation = await _reload(session, handoff_id)
    # A left message is answered, not joined: the customer may be away and reads the reply.
    await _join(session, conversation, agent, outbox, quiet=handoff.mode == HandoffMode.message)
    await session.commit()
    outbox.queue_event("claimed", handoff, agent_id=agent.id)
    outbox.add(agent_topic(agent.id), {"type": "assigned", "handoff_id": handoff.id})
    return handoff


async def _join(
    session: AsyncSession,
    conversation: Conversation,
    agent: Agent,
    outbox: Outbox,
    *,
    quiet: bool = False,
) -> None:
    """The conversation is the agent's now; the customer hears their display name only."""
    conversation.state = ConversationState.agent
    facts = await summary.existing_facts(session, conversation.id)
    if facts is not None:
        facts.pending = None
    if not quiet:
        joined = await append_message(
            session,
            conversation,
            Sender.system,
            phrase("agent_joined", conversation.language, name=agent.display_name),
        )
        outbox.customer_messages(conversation.id, [joined])
    outbox.add(
        conversation_topic(conversation.id),
        {"type": "state", "state": conversation.state.value, "agent": {"name": agent.display_name}},
    )


async def post_message(
    session: AsyncSession,
    staff: Agent,
    handoff: Handoff,
    text: str,
    outbox: Outbox,
    keep_open_until: datetime | None = None,
) -> Message:
    """Store the agent's (cleaned, masked) message and push it to the customer.

    A reply to a left message keeps its conversation open until `keep_open_until`,
    so the customer finds it when they come back.
    """
    if handoff.status != HandoffStatus.claimed:
        raise _refusal(handoff, "send a message")
    await _require_holder(session, staff, handoff.id)
    conversation = await session.get(Conversation, handoff.conversation_id)
    assert conversation is not None
    if handoff.mode == HandoffMode.message and keep_open_until is not None:
        conversation.keep_open_until = keep_open_until
    message = await append_message(
        session, conversation, Sender.agent, text, agent_name=staff.display_name
    )
    entry = await session.get(DeskEntry, handoff.id)
    await session.commit()
    outbox.customer_messages(conversation.id, [message])
    outbox.staff_message(handoff, entry.agent_id if entry else None, message)
    return message


async def _require_holder(session: AsyncSession, staff: Agent, handoff_id: int) -> None:
    """An agent acts only on a chat they hold *now* (a supervisor on any)."""
    if staff.role == StaffRole.supervisor:
        return
    entry = await session.get(DeskEntry, handoff_id, populate_existing=True)
    if entry is None or entry.agent_id != staff.id:
        raise Forbidden("This chat is no longer yours.", code="not_holder", actor=staff.username)


async def close(
    session: AsyncSession,
    staff: Agent,
    handoff: Handoff,
    resolution: str,
    return_to_bot: bool,
    now: datetime,
    outbox: Outbox,
) -> tuple[Handoff, Conversation]:
    """End the agent's part; back to the bot or closed, and ask for satisfaction (rule 6).

    The UPDATE itself checks that `staff` still holds the chat (or is a
    supervisor), so a reassignment a moment earlier wins.
    """
    handoff_id = handoff.id
    query = update(Handoff).where(
        Handoff.id == handoff_id, Handoff.status == HandoffStatus.claimed
    )
    if staff.role != StaffRole.supervisor:
        held = select(DeskEntry.handoff_id).where(DeskEntry.agent_id == staff.id)
        query = query.where(Handoff.id.in_(held))
    result = await session.execute(
        query.values(status=HandoffStatus.closed, closed_at=now, resolution=resolution)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        current = await session.get(Handoff, handoff_id, populate_existing=True)
        if current is not None and current.status == HandoffStatus.claimed:
            await _require_holder(session, staff, handoff_id)
        raise _refusal(current, "close")
    handoff, conversation = await _reload(session, handoff_id)
    if return_to_bot:
        conversation.state = ConversationState.bot
        goodbye = phrase("back_to_bot", conversation.language)
    else:
        conversation.state, conversation.closed_at = ConversationState.closed, now
        conversation.keep_open_until = None
        goodbye = phrase("agent_closed", conversation.language)
    sent = [await append_message(session, conversation, Sender.system, goodbye)]
    sent.append(await ask_for_satisfaction(session, conversation))
    entry = await session.get(DeskEntry, handoff.id)
    holder = entry.agent_id if entry else None
    await session.commit()
    outbox.customer_messages(conversation.id, sent)
    outbox.add(
        conversation_topic(conversation.id), {"type": "state", "state": conversation.state.value}
    )
    outbox.queue_event("closed", handoff)
    if holder is not None:
        outbox.add(agent_topic(holder), {"type": "released", "handoff_id": handoff.id})
    return handoff, conversation


async def ask_for_satisfaction(session: AsyncSession, conversation: Conversation) -> Message:
    """The CSAT prompt: buttons whose payloads are the scores the widget posts to /csat."""
    facts = await summary.facts_for(session, conversation.id)
    facts.csat_pending = True
    language = conversation.language
    buttons = [
        {"title": button_title(f"csat_{score}", language), "payload": score}
        for score in CSAT_SCORES
    ]
    return await append_message(
        session, conversation, Sender.system, phrase("csat_prompt", language), buttons=buttons
    )


async def reassign(
    session: AsyncSession, handoff: Handoff, target_id: int, now: datetime, outbox: Outbox
) -> Handoff:
    """A supervisor gives a waiting or claimed chat to `target_id`."""
    handoff_id = handoff.id
    target = await session.get(Agent, target_id)
    if target is None:
        raise NotFound("No such agent.")
    if target.role == StaffRole.editor:
        raise InvalidInput("Content editors do not serve chats.", code="not_an_agent")
    if not target.online:
        # Nobody would answer, and an offline agent's chats are never swept back.
        raise Conflict(f"{target.display_name} is offline.", code="agent_offline")
    entry = await session.get(DeskEntry, handoff.id)
    previous = entry.agent_id if entry else None
    if previous == target.id and handoff.status == HandoffStatus.claimed:
        return handoff
    await _lock_agent(session, target.id)
    await _check_capacity(session, target)
    result = await session.execute(
        update(Handoff)
        .where(
            Handoff.id == handoff.id,
            Handoff.status.in_([HandoffStatus.waiting, HandoffStatus.claimed]),
        )
        .values(status=HandoffStatus.claimed, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise _refusal(await session.get(Handoff, handoff_id, populate_existing=True), "reassign")
    await _set_holder(session, handoff.id, target.id)
    handoff, conversation = await _reload(session, handoff.id)
    await _join(session, conversation, target, outbox)
    await session.commit()
    outbox.queue_event("reassigned", handoff, agent_id=target.id)
    outbox.add(agent_topic(target.id), {"type": "assigned", "handoff_id": handoff.id})
    if previous is not None:
        outbox.add(agent_topic(previous), {"type": "released", "handoff_id": handoff.id})
    return handoff


async def requeue_held(session: AsyncSession, agent_id: int, outbox: Outbox) -> list[Handoff]:
    """Put an offline agent's chats back in the queue, ahead of their priority band."""
    returned = []
    for held in await held_handoffs(session, agent_id):
        result = await session.execute(
            update(Handoff)
            .where(Handoff.id == held.id, Handoff.status == HandoffStatus.claimed)
            .values(status=HandoffStatus.waiting, claimed_at=None)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            continue
        entry = await _set_holder(session, held.id, None)
        entry.requeued = True
        handoff, conversation = await _reload(session, held.id)
        conversation.state = ConversationState.queued
        if handoff.mode == HandoffMode.live:  # a left message just waits for the next agent
            note = await append_message(
                session,
                conversation,
                Sender.system,
                phrase("agent_stepped_away", conversation.language),
            )
            outbox.customer_messages(conversation.id, [note])
        outbox.add(
            conversation_topic(conversation.id),
            {"type": "state", "state": conversation.state.value},
        )
        outbox.queue_event("requeued", handoff)
        outbox.add(agent_topic(agent_id), {"type": "released", "handoff_id": handoff.id})
        returned.append(handoff)
    await session.commit()
    return returned


async def leave_queue(
    session: AsyncSession,
    handoff: Handoff,
    now: datetime,
    outbox: Outbox,
    *,
    status: HandoffStatus,
    resolution: str,
) -> bool:
    """End a waiting handoff without an agent (customer left, callback booked).

    False when an agent claimed it meanwhile: then the agent goes on serving.
    """
    result = await session.execute(
        update(Handoff)
        .where(Handoff.id == handoff.id, Handoff.status == HandoffStatus.waiting)
        .values(status=status, closed_at=now, resolution=resolution)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    outbox.queue_event(status.value, handoff)
    return True


async def notify_staff(
    session: AsyncSession, conversation_id: str, message: Message, outbox: Outbox
) -> None:
    """A customer message in agent mode reaches the holder's console (and supervisors)."""
    handoff = await queue.open_handoff(session, conversation_id)
    if handoff is None:
        return
    entry = await session.get(DeskEntry, handoff.id)
    holder = entry.agent_id if entry and handoff.status == HandoffStatus.claimed else None
    outbox.staff_message(handoff, holder, message)


async def handoff_detail(
    session: AsyncSession,
    handoff: Handoff,
    now: datetime,
    verified_ttl_s: int | None = None,
    viewer: Agent | None = None,
) -> dict[str, Any]:
    """Everything the agent needs: reason, priority, verification, summary, masked transcript.

    An agent viewing a chat that is no longer served (closed) sees the
    transcript up to its end only, never what the customer said afterwards.
    """
    conversation = await session.get(Conversation, handoff.conversation_id)
    assert conversation is not None
    entry = await session.get(DeskEntry, handoff.id)
    holder = await session.get(Agent, entry.agent_id) if entry and entry.agent_id else None
    facts = await summary.existing_facts(session, conversation.id)
    until = transcript_horizon(viewer, handoff) if viewer is not None else None
    messages = await summary.transcript(session, conversation.id, until)
    position = None
    if handoff.status == HandoffStatus.waiting:
        position = await queue.position(session, handoff)
    return {
        **queue.queue_item(handoff, position or 0, now),
        "queue_position": position,
        "conversation_state": conversation.state.value,
        "created_at": _iso(handoff.created_at),
        "claimed_at": _iso(handoff.claimed_at),
        "closed_at": _iso(handoff.closed_at),
        "resolution": handoff.resolution,
        "agent": {"id": holder.id, "name": holder.display_name} if holder else None,
        "requeued": bool(entry and entry.requeued),
        "verification": summary.verification_view(facts, now, verified_ttl_s),
        "summary": summary.summarise(messages, facts),
        "evidence": handoff_evidence.view(
            handoff, messages, facts, await session.get(HandoffDispute, handoff.id)
        ),
        "transcript": summary.transcript_view(messages),
    }


async def open_chats(session: AsyncSession, staff: Agent, now: datetime) -> list[dict[str, Any]]:
    """The chats a console restores on load: an agent's own, or all claimed for a supervisor."""
    agent_id = None if staff.role == StaffRole.supervisor else staff.id
    items = []
    for handoff in await held_handoffs(session, agent_id):
        entry = await session.get(DeskEntry, handoff.id)
        holder = await session.get(Agent, entry.agent_id) if entry and entry.agent_id else None
        items.append(
            {
                **queue.queue_item(handoff, 0, now),
                "queue_position": None,
                "agent": {"id": holder.id, "name": holder.display_name} if holder else None,
            }
        )
    return items


def _iso(moment: datetime | None) -> str | None:
    return as_utc(moment).isoformat().replace("+00:00", "Z") if moment else None
