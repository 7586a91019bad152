"""The customer side of the public API: conversations, messages, satisfaction."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, BackgroundTasks, Query, Request, status

from handoff.api.deps import (
    ContextDep,
    CustomerConversation,
    CustomerTurn,
    SessionDep,
    client_of,
)
from handoff.core.errors import InvalidInput
from handoff.models import Channel, CsatRating, CsatScore
from handoff.schemas.bounds import MAX_COUNT
from handoff.schemas.conversations import (
    ConversationCreated,
    CreateConversation,
    Csat,
    CsatSaved,
    MessageList,
    PostMessage,
    TurnResult,
)
from handoff.services import customer_limits, relay, summary
from handoff.services.after_reply import settled
from handoff.services.conversations import (
    message_view,
    messages_after,
)
from handoff.services.outcomes import browser_hash
from handoff.services.phrases import phrase
from handoff.services.text import clean_text

router = APIRouter(prefix="/api/conversations", tags=["conversations"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ConversationCreated)
async def create(body: CreateConversation, ctx: ContextDep, request: Request) -> dict[str, Any]:
    """Start a conversation; the reply carries the greeting and the customer's token.

    Stored on the gateway's writer thread, like every customer turn
    (`services/turn_store.py`).
    """
    client = client_of(request)
    await customer_limits.new_conversation(ctx, client)
    greeting = phrase("greeting", body.language)
    conversation, token = await ctx.turn_store.start_conversation(
        Channel(body.channel), body.language, client, browser_hash(body.browser), greeting
    )
    return {
        "conversation_id": conversation.id,
        "token": token,
        "state": conversation.state.value,
        "replies": [{"text": greeting, "buttons": []}],
    }


@router.post("/{conversation_id}/messages", response_model=TurnResult)
async def post_message(
    body: PostMessage,
    opened: CustomerTurn,
    ctx: ContextDep,
    request: Request,
    background: BackgroundTasks,
) -> dict[str, Any]:
    """Send the customer's message to whoever answers now (bot or agent)."""
    await customer_limits.new_message(ctx, opened.conversation_id, client_of(request))
    text = clean_text(body.text)
    if not text:
        raise InvalidInput("The message is empty.", code="empty_message")
    if len(text) > ctx.settings.max_message_chars:
        raise InvalidInput(
            f"The message is over {ctx.settings.max_message_chars} characters.",
            code="message_too_long",
        )
    answer = await relay.handle_customer_message(ctx, opened, text, body.client_message_id)
    if answer.storing is not None:  # sent first; stored before the request ends
        background.add_task(settled, answer.storing)
    return answer.body


@router.get("/{conversation_id}/messages", response_model=MessageList)
async def list_messages(
    conversation: CustomerConversation,
    session: SessionDep,
    ctx: ContextDep,
    after: int = Query(0, ge=0, le=MAX_COUNT),
) -> dict[str, Any]:
    """Messages after `seq` in order: how a reconnecting widget catches up.

    The bot's last replies included: a turn answered on this gateway is stored first.
    """
    await ctx.after_reply.settled_for(conversation.id)
    messages = await messages_after(session, conversation.id, after)
    return {"messages": [message_view(m) for m in messages]}


@router.post("/{conversation_id}/csat", response_model=CsatSaved)
async def rate(
    body: Csat, conversation: CustomerConversation, session: SessionDep
) -> dict[str, Any]:
    """Record the customer's satisfaction (rule 6); rating again replaces it."""
    rating = await session.get(CsatRating, conversation.id)
    comment = clean_text(body.comment) if body.comment else None
    if rating is None:
        rating = CsatRating(conversation_id=conversation.id, score=CsatScore(body.score))
        session.add(rating)
    rating.score, rating.comment = CsatScore(body.score), comment
    facts = await summary.existing_facts(session, conversation.id)
    if facts is not None:
        facts.csat_pending = False  # the rating buttons sent as text no longer count
    await session.commit()
    return {"score": rating.score.value}
