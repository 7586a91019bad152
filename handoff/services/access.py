"""The one place that decides who may see a conversation (zulip's access_stream_by_id).

Every route that loads a conversation goes through a function of this module;
`tests/handoff/test_route_auth.py` checks that no route bypasses it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy.ext.asyncio import AsyncSession

from handoff.core.errors import NotFound, Unauthorized
from handoff.models import Conversation

TOKEN_BYTES = 32  # 256 random bits; DESIGN.md asks for at least 128


def new_token() -> str:
    """A fresh customer token; only its hash is stored."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """SHA-256 is enough: the token is random, not a password."""
    return hashlib.sha256(token.encode()).hexdigest()


async def access_conversation_as_customer(
    session: AsyncSession, conversation_id: str, token: str | None
) -> Conversation:
    """The conversation, if `token` is its own; 404 if unknown, 401 otherwise."""
    if not token:
        raise Unauthorized("A conversation token is required (Authorization: Bearer <token>).")
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFound("No such conversation.")
    if not hmac.compare_digest(conversation.token_hash, hash_token(token)):
        raise Unauthorized("This token does not belong to this conversation.")
    return conversation
