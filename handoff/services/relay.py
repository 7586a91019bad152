"""A customer's message, from arrival to answer.

The message is stored (masked) and committed before the engine is called, so
nothing is lost when the engine fails; the engine's replies are stored after.
The idempotency record is reserved in the customer message's own commit, so a
retry after a crash between the two commits never runs the turn twice
(`services/idempotency.py`). Both commits hold a few prebuilt Core statements
(`services/conversations.py`): a turn costs no ORM flush.
While an agent owns the conversation the bot is never asked: the message goes
to the agent's console. While queued, the customer hears their place, may
leave the queue, book a callback or leave a message (`services/callbacks.py`).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from common import codes, evidence, identifiers, payloads
from common.redaction import redact, redact_for_engine
from handoff.core.errors import Conflict
from handoff.models import (
    Conversation,
    ConversationFacts,
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
    commands,
    customer_limits,
    desk,
    handoff_evidence,
    idempotency,
    outcomes,
    overflow,
    queue,
    summary,
)
from handoff.services.clock import clock
from handoff.services.context import AppContext
from handoff.services.conversations import (
    TURN_CHANGES,
    append_message,
    claim_seqs,
    insert_messages,
    message_view,
)
from handoff.services.engine import BotReply, EngineUnavailable
from handoff.services.events import conversation_topic
from handoff.services.language import guess_language
from handoff.services.phrases import phrase

log = logging.getLogger(__name__)


async def handle_customer_message(
    ctx: AppContext,
    session: AsyncSession,
    conversation: Conversation,
    text: str,
    client_message_id: str,
) -> dict[str, Any]:
    """Process one message exactly once and return the API response body.

    Two short transactions of Core statements around the engine call: the
    message id's reservation, the seq (which reads the conversation back fresh
    under the lock) and the message; then the replies' seqs with the turn's
    changes to the conversation, the replies, the answer on the reservation,
    the facts and the turn's outcome.
    """
    async with ctx.locks.hold(conversation.id):
        reserved = await idempotency.reserve(session, conversation.id, client_message_id)
        if reserved is None:
            return await _earlier_answer(ctx, session, conversation, client_message_id)
        now, outbox = clock.now(), desk.Outbox()
        if text.strip() in desk.CSAT_SCORES:
            rated = await _rating_by_button(ctx, session, conversation, text, reserved)
            if rated is not None:
                return rated
        seq = await claim_seqs(session, conversation, 1)
        if conversation.state == ConversationState.closed:
            raise Conflict("This conversation has ended; please start a new one.", code="closed")

        changes: dict[str, Any] = {}  # the conversation's columns the turn changes
        was_expecting = conversation.expecting
        code = codes.as_code(text) if was_expecting == payloads.EXPECT_OTP else None
        key = ctx.settings.otp_digest_key.get_secret_value()
        if code is not None:
            shown = codes.MASKED_CODE
            engine_text = codes.code_command(key, conversation.id, code)
        else:
            if was_expecting == payloads.EXPECT_OTP:
                text = codes.mask_codes(text)  # "my code is 123456"
            shown, sealed = redact(text), None
            if was_expecting == payloads.EXPECT_ID_LAST4:
                sealed = identifiers.seal_id_last4(key, conversation.id, redact_for_engine(text))
            if sealed is not None:  # the ID's last four: a digest; hidden in the transcript
                shown, engine_text = redact(identifiers.hide_id_last4(text)), sealed
            else:  # phone numbers reach the engine (and its tracker) only as tokens
                engine_text = redact_for_engine(identifiers.seal_phones(key, conversation.id, text))
            engine_text = await commands.as_engine_command(session, conversation.id, engine_text)
            if not text.startswith("/"):  # a button payload says nothing about the language
                language = guess_language(text, default=conversation.language)
                _change(conversation, changes, "language", language)
        _change(conversation, changes, "expecting", None)
        stored = (
            await insert_messages(session, conversation.id, seq, Sender.customer, [(shown, [])])
        )[0]
        await session.commit()
        _post_messages(ctx, conversation.id, [stored])  # sent while the engine works

        state_before = conversation.state
        outgoing: list[tuple[str, list[dict[str, str]]]] = []
        handoff_info: dict[str, Any] | None = None
        if conversation.state == ConversationState.bot:
            outgoing, handoff_info = await _bot_turn(
                ctx,
                session,
                conversation,
                engine_text,
                now,
                outbox,
                was_expecting,
                shown=shown if code is None else "",
                seq=seq,
                changes=changes,
            )
        elif conversation.state == ConversationState.queued:
            # Raw text: a callback needs the phone number the transcript masks.
            turn = await callbacks.queued_turn(
                session, ctx.settings, conversation, text, now, outbox
            )
            outgoing = turn.outgoing
            if turn.handoff is not None:
                place = await queue.standing(session, ctx.settings, turn.handoff, now)
                handoff_info = overflow.handoff_view(turn.handoff, place, conversation)
        else:
            # Agent mode: the agent answers; the message goes to their console.
            await desk.notify_staff(session, conversation.id, stored, outbox)

        stored_replies: list[Message] = []
        if outgoing or changes:
            last = await claim_seqs(session, conversation, len(outgoing), changed=bool(changes))
            stored_replies = await insert_messages(
                session,
                conversation.id,
                last - len(outgoing) + 1,
                Sender.bot,
                [(redact(t), buttons) for t, buttons in outgoing],
            )
        response = {
            "replies": [{"text": m.text, "buttons": m.buttons or []} for m in stored_replies],
            "state": conversation.state.value,
            "handoff": handoff_info,
        }
        await idempotency.remember_reply(session, reserved, response)
        await session.commit()
        # The fan-out goes out in order after the answer, off its path.
        _post_messages(ctx, conversation.id, stored_replies)
        outbox.post(ctx.hub)
        if handoff_info is not None or conversation.state != state_before:
            ctx.hub.post(
                conversation_topic(conversation.id),
                {"type": "state", "state": conversation.state.value, "handoff": handoff_info},
            )
        return response


def _change(conversation: Conversation, changes: dict[str, Any], name: str, value: Any) -> None:
    """Note a change of the conversation for the turn's UPDATE (seen at once, never flushed).

    Only `TURN_CHANGES` columns: `claim_seqs` writes those.
    """
    assert name in TURN_CHANGES
    if getattr(conversation, name) != value or name in changes:
        set_committed_value(conversation, name, value)
        changes[name] = value


async def _earlier_answer(
    ctx: AppContext, session: AsyncSession, conversation: Conversation, client_message_id: str
) -> dict[str, Any]:
    """A message id seen before: its stored answer, or the apology if its turn died midway."""
    record = await idempotency.earlier(session, conversation.id, client_message_id)
    if idempotency.is_pending(record.response):
        await session.refresh(conversation)  # as the turns before left it (under the lock)
        return await _interrupted_turn(ctx, session, conversation, record)
    return record.response


async def _rating_by_button(
    ctx: AppContext,
    session: AsyncSession,
    conversation: Conversation,
    text: str,
    reserved: int,
) -> dict[str, Any] | None:
    """A CSAT button sent as text (instead of POST /csat) is a rating, not a question."""
    score = text.strip()
    facts = await summary.existing_facts(session, conversation.id)
    if facts is None or not facts.csat_pending:
        return None
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
    session: AsyncSession,
    conversation: Conversation,
    text: str,
    now: datetime,
    outbox: desk.Outbox,
    was_expecting: str | None = None,
    *,
    shown: str = "",
    seq: int = 0,
    changes: dict[str, Any],
) -> tuple[list[tuple[str, list[dict[str, str]]]], dict[str, Any] | None]:
    """Ask the engine; on failure apologise and offer a human (rule 17).

    On failure a code the bot was waiting for is still awaited, and a code
    request the engine did send (its action server then failed the probe) is
    honoured: masking a code never depends on the probe. How the turn went is
    recorded for the quality figures (`services.outcomes`). The facts row is
    read while the engine works.
    """
    metadata = {
        payloads.METADATA_LANGUAGE: conversation.language,
        payloads.METADATA_CHANNEL: conversation.channel.value,
    }
    answer, read = await asyncio.gather(
        ctx.engine.send(conversation.id, text, metadata),
        summary.existing_facts(session, conversation.id),
        return_exceptions=True,
    )
    if isinstance(read, BaseException):
        raise read
    facts: ConversationFacts | None = read
    if isinstance(answer, EngineUnavailable):
        expecting = was_expecting
        if any(payloads.expects_code(reply.custom) for reply in answer.replies):
            expecting = payloads.EXPECT_OTP
        _change(conversation, changes, "expecting", expecting)
        return await _engine_down(ctx, session, conversation, text, now, outbox)
    if isinstance(answer, BaseException):
        raise answer
    replies = answer

    outgoing: list[tuple[str, list[dict[str, str]]]] = []
    requested: tuple[HandoffReason, Priority] | None = None
    why: dict[str, Any] | None = None
    for reply in replies:
        if reply.text:
            outgoing.append((reply.text, reply.buttons))
        if payloads.expects_code(reply.custom):
            _change(conversation, changes, "expecting", payloads.EXPECT_OTP)
        elif payloads.expects_id_last4(reply.custom):
            _change(conversation, changes, "expecting", payloads.EXPECT_ID_LAST4)
        if reply.custom is not None and summary.reports_facts(reply.custom):
            if facts is None:  # the conversation's first facts
                facts = summary.add_facts(session, conversation.id)
            summary.record_custom(facts, reply.custom)
            await outcomes.note_customer(session, conversation, reply.custom)
        wanted = _handoff_request(reply)
        if wanted is not None and (requested is None or wanted[1].rank < requested[1].rank):
            requested = wanted
            why = evidence.from_handoff_payload(reply.custom)
    if outgoing:
        # The bot answers in the language the conversation settled on (the
        # customer may have asked to switch): the gateway's own words follow it.
        said = " ".join(text for text, _ in outgoing)
        language = guess_language(said, default=conversation.language)
        _change(conversation, changes, "language", language)
    await outcomes.record_turn(
        session, conversation, seq, shown, replies, requested[0] if requested else None
    )
    if requested is None:
        return outgoing, None
    handoff_info = await _enter_queue(
        ctx, session, conversation, *requested, outgoing, now, outbox, why=why
    )
    return outgoing, handoff_info


async def _engine_down(
    ctx: AppContext,
    session: AsyncSession,
    conversation: Conversation,
    text: str,
    now: datetime,
    outbox: desk.Outbox,
) -> tuple[list[tuple[str, list[dict[str, str]]]], dict[str, Any] | None]:
    outgoing: list[tuple[str, list[dict[str, str]]]] = []
    if text.strip() == payloads.REQUEST_HUMAN:
        # The customer took the offer of a human while the engine is still down.
        info = await _enter_queue(
            ctx,
            session,
            conversation,
            HandoffReason.system_error,
            Priority.normal,
            outgoing,
            now,
            outbox,
        )
        return outgoing, info
    outgoing.append(_apology(ctx, conversation))
    return outgoing, None


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
