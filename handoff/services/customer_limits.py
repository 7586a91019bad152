"""What one customer client may do: conversations, messages, handoffs.

Conversations and messages are counted per client (a keyed digest of the
peer address) and messages also per conversation, in `Counters` (Redis-shared
when configured); over a limit the request gets 429 with a clear message.

For handoffs, a script must not flood the desk; two limits per client (the
keyed digest of the address that created the conversation,
`Conversation.client_key`): at most `open_handoffs_per_client`
waiting or served at once (counted in the database, so every gateway agrees),
and at most `handoffs_per_client` new ones per `customer_window_s` (counted
in `Counters`, Redis-shared when configured).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.core.errors import TooManyRequests
from handoff.models import Conversation, Handoff, HandoffStatus
from handoff.services import security_log
from handoff.services.context import AppContext

OPEN = (HandoffStatus.waiting, HandoffStatus.claimed)
MINUTE = 60


async def new_conversation(ctx: AppContext, client: str) -> None:
    """429 when this client started too many conversations lately."""
    settings = ctx.settings
    if not await ctx.counters.hit(
        f"conversation:{client}", settings.conversations_per_client, settings.customer_window_s
    ):
        raise TooManyRequests(
            "Too many new chats from your network; please wait a few minutes.",
            code="too_many_conversations",
        )


async def new_message(ctx: AppContext, conversation_id: str, client: str) -> None:
    """429 when this conversation or this client sends too fast."""
    settings = ctx.settings
    within = await ctx.counters.hit_all(
        [
            (f"message:{conversation_id}", settings.messages_per_conversation, MINUTE),
            (f"message-client:{client}", settings.messages_per_client, MINUTE),
        ]
    )
    if not within:
        raise TooManyRequests(
            "You are sending messages very quickly; please wait a moment and send again.",
            code="too_many_messages",
        )


async def open_count(session: AsyncSession, client: str) -> int:
    """Handoffs waiting or served for conversations this client created."""
    count = await session.scalar(
        select(func.count())
        .select_from(Handoff)
        .join(Conversation, Conversation.id == Handoff.conversation_id)
        .where(Conversation.client_key == client, Handoff.status.in_(OPEN))
    )
    return count or 0


async def allowed(ctx: AppContext, session: AsyncSession, conversation: Conversation) -> bool:
    """Whether this conversation may enter the queue now (logs a `rate_limited` event if not)."""
    client = conversation.client_key
    if client is None:
        return True
    settings = ctx.settings
    limit = None
    if await open_count(session, client) >= settings.open_handoffs_per_client:
        limit = "open_handoffs"
    elif not await ctx.counters.hit(
        f"handoff:{client}", settings.handoffs_per_client, settings.customer_window_s
    ):
        limit = "handoffs"
    if limit is None:
        return True
    security_log.add(session, "rate_limited", client=client, path="handoff", limit=limit)
    return False
