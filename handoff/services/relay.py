"""A customer's message, from arrival to answer.

The message is stored (masked) and committed before the engine is called, so
nothing is lost when the engine fails (`services/turn_store.py`: the turn's
transactions run on the gateway's writer thread). The idempotency record is
reserved in the customer message's own commit, so a retry after a crash
before the replies are stored never runs the turn twice
(`services/idempotency.py`). A bot turn that hands nobody over is answered as
soon as the engine has spoken: its replies, outcome and facts are stored just
after, under the conversation's lock still (`services/after_reply.py`). A
handoff is queued and stored before its answer. While an agent owns the
conversation the bot is never asked: the message goes to the agent's
console. While queued, the customer hears their place, may leave the queue,
book a callback or leave a message (`services/callbacks.py`); those turns
are stored in one asyncio transaction, with what they change.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from common import evidence, payloads
from common.redaction import redact
from handoff.core.errors import Conflict
from handoff.models import (
    Conversation,
    ConversationState,
    CsatRating,
    CsatScore,
    HandoffReason,
    IdempotentReply,
    Message,
    Priority,
    Sender,
)
from handoff.services import (
    callbacks,
    customer_limits,
    desk,
    handoff_evidence,
    idempotency,
    overflow,
    queue,
    summary,
)
from handoff.services.clock import clock
from handoff.services.context import AppContext
from handoff.services.conversations import (
    append_message,
    claim_seqs,
    insert_messages,
    message_view,
    note_change,
)
from handoff.services.engine import BotReply, EngineUnavailable
from handoff.services.events import conversation_topic
from handoff.services.language import guess_language
from handoff.services.phrases import phrase
from handoff.services.turn_store import Answered, Kind, Opened, Started

log = logging.getLogger(__name__)


Reply = tuple[str, list[dict[str, str]]]
"""A message for the customer: its text and buttons."""


@dataclass(frozen=True)
class TurnAnswer:
    """The API's answer to a customer's message, and the storing it leaves running."""

    body: dict[str, Any]
    storing: asyncio.Task[None] | None = None


@dataclass(frozen=True)
class BotAnswer:
    """What the engine said and what it asks of the gateway (no database read yet).

    `replies` is None when the engine did not answer: the turn then has no
    outcome or facts to record.
    """

    outgoing: list[Reply]
    requested: tuple[HandoffReason, Priority] | None
    why: dict[str, Any] | None
    replies: list[BotReply] | None


async def handle_customer_message(
    ctx: AppContext, opened: Opened, text: str, client_message_id: str
) -> TurnAnswer:
    """Process one message exactly once; the answer, and the storing still running.

    `opened`: the message as let in at the door (`TurnStore.authenticate`).
    The conversation's lock is held until the turn is stored, also when that
    happens after the answer (`storing`), so the next message sees it.
    """
    conversation_id = opened.conversation_id
    held = contextlib.AsyncExitStack()
    await held.enter_async_context(ctx.locks.hold(conversation_id))
    try:
        key = ctx.settings.otp_digest_key.get_secret_value()
        started = await ctx.turn_store.begin(opened, text, client_message_id, key)
        body, store_later = await _locked_turn(ctx, started, client_message_id)
    except BaseException:
        await held.aclose()
        raise
    if store_later is None:
        await held.aclose()
        return TurnAnswer(body)
    storing = ctx.after_reply.start(conversation_id, _then_release(store_later, held))
    return TurnAnswer(body, storing)


async def _then_release(
    store: Callable[[], Awaitable[None]], held: contextlib.AsyncExitStack
) -> None:
    try:
        await store()
    finally:
        await held.aclose()


async def _locked_turn(
    ctx: AppContext, started: Started, client_message_id: str
) -> tuple[dict[str, Any], Callable[[], Awaitable[None]] | None]:
    """The turn under the conversation's lock: the answer, and what to store after it.

    The message is stored (`TurnStore.begin`). A bot turn handing nobody
    over is answered from the engine's words alone; its replies' seqs with
    the turn's changes to the conversation, the replies, the answer on the
    reservation, the facts and the outcome are stored after the answer
    (`_store_bot_turn`). A handoff, a queued or an agent's turn is stored
    before its answer.
    """
    if started.kind is not Kind.turn:
        async with ctx.sessions() as session:
            conversation = await _attached(session, started)
            if started.kind is Kind.duplicate:
                return await _earlier_answer(ctx, session, conversation, client_message_id), None
            assert started.reserved is not None
            rated = await _rating(ctx, session, conversation, started.text, started.reserved)
            return rated, None
    assert started.stored is not None and started.conversation is not None
    _post_messages(ctx, started.conversation_id, [started.stored])  # sent while the engine works
    if started.conversation.state == ConversationState.bot:
        conversation = started.conversation
        answer = await _bot_turn(
            ctx, conversation, started.engine_text, started.was_expecting, started.changes
        )
        if answer.requested is not None:
            return await _handoff_turn(ctx, started, answer, *answer.requested), None
        body = _body(conversation, [(redact(t), buttons) for t, buttons in answer.outgoing])
        answered = Answered(answer.replies, None, answer.outgoing, body)
        return body, functools.partial(_store_bot_turn, ctx, started, answered)
    async with ctx.sessions() as session:
        conversation = await _attached(session, started)
        return await _stored_turn(ctx, session, conversation, started), None


async def _attached(session: AsyncSession, started: Started) -> Conversation:
    """The conversation in `session`, with the turn's changes not yet written."""
    conversation = await session.get(Conversation, started.conversation_id)
    if conversation is None:  # deleted by retention while its token was still valid
        raise Conflict("This conversation has ended; please start a new one.", code="closed")
    for name, value in started.changes.items():
        set_committed_value(conversation, name, value)
    return conversation


async def _stored_turn(
    ctx: AppContext, session: AsyncSession, conversation: Conversation, started: Started
) -> dict[str, Any]:
    """A queued or agent's turn: stored in one transaction, then answered."""
    now, outbox = clock.now(), desk.Outbox()
    state_before = conversation.state
    outgoing: list[Reply] = []
    handoff_info: dict[str, Any] | None = None
    if conversation.state == ConversationState.queued:
        # Raw text: a callback needs the phone number the transcript masks.
        turn = await callbacks.queued_turn(
            session, ctx.settings, conversation, started.text, now, outbox
        )
        outgoing = turn.outgoing
        if turn.handoff is not None:
            place = await queue.standing(session, ctx.settings, turn.handoff, now)
            handoff_info = overflow.handoff_view(turn.handoff, place, conversation)
    elif started.stored is not None:
        # Agent mode: the agent answers; the message goes to their console.
        await desk.notify_staff(session, conversation.id, started.stored, outbox)

    stored_replies = await _store_replies(session, conversation, outgoing, started.changes)
    body = _body(
        conversation, [(m.text, m.buttons or []) for m in stored_replies], handoff_info
    )
    assert started.reserved is not None
    await idempotency.remember_reply(session, started.reserved, body)
    await session.commit()
    _announce(ctx, conversation, stored_replies, outbox, handoff_info, state_before)
    return body


async def _handoff_turn(
    ctx: AppContext,
    started: Started,
    answer: BotAnswer,
    reason: HandoffReason,
    priority: Priority,
) -> dict[str, Any]:
    """The bot asked for a person: queue the conversation, then store the turn and answer.

    The queue's transaction commits first; the replies, outcome and facts
    follow on the writer thread (`TurnStore.finish`). Should the gateway die
    between the two, the customer is queued and a retry of the message gets
    the apology.
    """
    now, outbox = clock.now(), desk.Outbox()
    outgoing = list(answer.outgoing)
    async with ctx.sessions() as session:
        conversation = await _attached(session, started)
        state_before = conversation.state
        handoff_info = await _enter_queue(
            ctx, session, conversation, reason, priority, outgoing, now, outbox, why=answer.why
        )
        await session.commit()
    body = _body(conversation, [(redact(t), buttons) for t, buttons in outgoing], handoff_info)
    stored = await ctx.turn_store.finish(
        started, Answered(answer.replies, reason, outgoing, body)
    )
    _announce(ctx, conversation, stored, outbox, handoff_info, state_before)
    return body


def _announce(
    ctx: AppContext,
    conversation: Conversation,
    stored: list[Message],
    outbox: desk.Outbox,
    handoff_info: dict[str, Any] | None,
    state_before: ConversationState,
) -> None:
    """The fan-out, in order, after the answer is stored: replies, desk events, the state."""
    _post_messages(ctx, conversation.id, stored)
    outbox.post(ctx.hub)
    if handoff_info is not None or conversation.state != state_before:
        ctx.hub.post(
            conversation_topic(conversation.id),
            {"type": "state", "state": conversation.state.value, "handoff": handoff_info},
        )


def _body(
    conversation: Conversation, replies: list[Reply], handoff_info: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The API's answer: the replies as stored (masked), the state, the handoff if any."""
    return {
        "replies": [{"text": text, "buttons": buttons or []} for text, buttons in replies],
        "state": conversation.state.value,
        "handoff": handoff_info,
    }


async def _store_replies(
    session: AsyncSession,
    conversation: Conversation,
    outgoing: list[Reply],
    changes: dict[str, Any],
) -> list[Message]:
    """The replies (masked) under seqs claimed with the turn's changes to the conversation."""
    if not (outgoing or changes):
        return []
    last = await claim_seqs(session, conversation, len(outgoing), changed=bool(changes))
    return await insert_messages(
        session,
        conversation.id,
        last - len(outgoing) + 1,
        Sender.bot,
        [(redact(t), buttons) for t, buttons in outgoing],
    )


async def _store_bot_turn(ctx: AppContext, started: Started, answered: Answered) -> None:
    """After the answer: the bot turn's replies, outcome, facts and the answer for retries."""
    stored = await ctx.turn_store.finish(started, answered)
    _post_messages(ctx, started.conversation_id, stored)


async def _earlier_answer(
    ctx: AppContext, session: AsyncSession, conversation: Conversation, client_message_id: str
) -> dict[str, Any]:
    """A message id seen before: its stored answer, or the apology if its turn died midway."""
    record = await idempotency.earlier(session, conversation.id, client_message_id)
    if idempotency.is_pending(record.response):
        await session.refresh(conversation)  # as the turns before left it (under the lock)
        return await _interrupted_turn(ctx, session, conversation, record)
    return record.response


async def _rating(
    ctx: AppContext, session: AsyncSession, conversation: Conversation, score: str, reserved: int
) -> dict[str, Any]:
    """A CSAT button sent as text (instead of POST /csat) while a rating is awaited.

    A rating, not a question (`TurnStore.begin` saw the rating awaited).
    """
    facts = await summary.existing_facts(session, conversation.id)
    if facts is not None:
        facts.csat_pending = False
    rating = await session.get(CsatRating, conversation.id)
    if rating is None:
        rating = CsatRating(conversation_id=conversation.id, score=CsatScore(score))
        session.add(rating)
    rating.score = CsatScore(score)
    stored = await append_message(session, conversation, Sender.customer, score)
    thanks = await append_message(
        session, conversation, Sender.system, phrase("csat_thanks", conversation.language)
    )
    response = {
        "replies": [{"text": thanks.text, "buttons": []}],
        "state": conversation.state.value,
        "handoff": None,
    }
    await idempotency.remember_reply(session, reserved, response)
    await session.commit()
    _post_messages(ctx, conversation.id, [stored, thanks])
    return response


async def _interrupted_turn(
    ctx: AppContext, session: AsyncSession, conversation: Conversation, record: IdempotentReply
) -> dict[str, Any]:
    """A retry of a message whose first attempt died mid-turn: apologise, never re-run it.

    The message itself is stored (it was committed with the reservation); the
    engine may or may not have acted on it, so asking it again could act twice.
    """
    log.warning("a turn was interrupted; answering its retry with the apology")
    reply_text, buttons = _apology(ctx, conversation)
    apology = await append_message(session, conversation, Sender.bot, reply_text, buttons=buttons)
    response = {
        "replies": [{"text": apology.text, "buttons": apology.buttons or []}],
        "state": conversation.state.value,
        "handoff": None,
    }
    await idempotency.remember_reply(session, record.id, response)
    await session.commit()
    _post_messages(ctx, conversation.id, [apology])
    return response


def _apology(ctx: AppContext, conversation: Conversation) -> tuple[str, list[dict[str, str]]]:
    """Rule 17's apology with the hotline and a button for a person."""
    return (
        phrase("system_failure", conversation.language, hotline=ctx.settings.hotline),
        [
            {
                "title": phrase("button_human", conversation.language),
                "payload": payloads.REQUEST_HUMAN,
            }
        ],
    )


async def _bot_turn(
    ctx: AppContext,
    conversation: Conversation,
    text: str,
    was_expecting: str | None,
    changes: dict[str, Any],
) -> BotAnswer:
    """Ask the engine; on failure apologise and offer a human (rule 17).

    On failure a code the bot was waiting for is still awaited, and a code
    request the engine did send (its action server then failed the probe) is
    honoured: masking a code never depends on the probe. The turn's changes
    to the conversation are noted in `changes`; nothing is read or written.
    """
    metadata = {
        payloads.METADATA_LANGUAGE: conversation.language,
        payloads.METADATA_CHANNEL: conversation.channel.value,
    }
    try:
        replies = await ctx.engine.send(conversation.id, text, metadata)
    except EngineUnavailable as down:
        expecting = was_expecting
        if any(payloads.expects_code(reply.custom) for reply in down.replies):
            expecting = payloads.EXPECT_OTP
        note_change(conversation, changes, "expecting", expecting)
        if text.strip() == payloads.REQUEST_HUMAN:
            # The customer took the offer of a human while the engine is still down.
            return BotAnswer([], (HandoffReason.system_error, Priority.normal), None, None)
        return BotAnswer([_apology(ctx, conversation)], None, None, None)

    outgoing: list[Reply] = []
    requested: tuple[HandoffReason, Priority] | None = None
    why: dict[str, Any] | None = None
    for reply in replies:
        if reply.text:
            outgoing.append((reply.text, reply.buttons))
        if payloads.expects_code(reply.custom):
            note_change(conversation, changes, "expecting", payloads.EXPECT_OTP)
        elif payloads.expects_id_last4(reply.custom):
            note_change(conversation, changes, "expecting", payloads.EXPECT_ID_LAST4)
        wanted = _handoff_request(reply)
        if wanted is not None and (requested is None or wanted[1].rank < requested[1].rank):
            requested = wanted
            why = evidence.from_handoff_payload(reply.custom)
    if outgoing:
        # The bot answers in the language the conversation settled on (the
        # customer may have asked to switch): the gateway's own words follow it.
        said = " ".join(text for text, _ in outgoing)
        language = guess_language(said, default=conversation.language)
        note_change(conversation, changes, "language", language)
    return BotAnswer(outgoing, requested, why, replies)


async def _enter_queue(
    ctx: AppContext,
    session: AsyncSession,
    conversation: Conversation,
    reason: HandoffReason,
    priority: Priority,
    outgoing: list[tuple[str, list[dict[str, str]]]],
    now: datetime,
    outbox: desk.Outbox,
    *,
    why: dict[str, Any] | None = None,
) -> dict[str, Any] | None:
    """Queue the conversation and tell the customer their place and honest wait.

    The reply lets them leave the queue; when the wait is long, nobody is
    online or the desk is closed, a second reply offers to keep waiting, a
    callback slot or a message answered later (`services/overflow.py`). An
    urgent (fraud) handoff gets neither: it is first in line and every
    supervisor is alerted at once. A client over its handoff limits is told
    politely and given the hotline instead (None returned).
    """
    if await queue.open_handoff(session, conversation.id) is None and not (
        await customer_limits.allowed(ctx, session, conversation)
    ):
        outgoing.append(
            (phrase("handoff_limited", conversation.language, hotline=ctx.settings.hotline), [])
        )
        return None
    handoff = await queue.enqueue(session, conversation, reason, priority)
    ctx.metrics.handoffs.labels(reason.value, priority.value).inc()
    key = ctx.settings.otp_digest_key.get_secret_value()
    handoff.evidence = handoff_evidence.masked(why, key, conversation.id)
    place = await queue.standing(session, ctx.settings, handoff, now)
    outgoing.append(overflow.queued_reply(place, handoff, conversation.language))
    offer = await overflow.offer(session, ctx.settings, handoff, place, conversation.language, now)
    if offer is not None:
        outgoing.append(offer)
    outbox.queue_event("new", handoff)
    if handoff.priority == Priority.urgent:
        outbox.add(
            desk.SUPERVISORS_TOPIC,
            {"type": "alert", "kind": "urgent", **queue.queue_item(handoff, place.position, now)},
        )
    return overflow.handoff_view(handoff, place, conversation)


def _handoff_request(reply: BotReply) -> tuple[HandoffReason, Priority] | None:
    """The (reason, priority) a bot message asks for, if it is a valid handoff request."""
    if not reply.custom or payloads.HANDOFF not in reply.custom:
        return None
    wanted = payloads.parse_handoff(reply.custom)
    if wanted is None:
        log.warning("ignoring malformed handoff request from the engine")
    return wanted


def _post_messages(ctx: AppContext, conversation_id: str, messages: list[Any]) -> None:
    """Hand the messages to the fan-out (in order; sent without waiting for it)."""
    topic = conversation_topic(conversation_id)
    for message in messages:
        ctx.hub.post(topic, {"type": "message", "message": message_view(message)})
