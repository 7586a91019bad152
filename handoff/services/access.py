"""The one place that decides who may see a conversation (zulip's access_stream_by_id).

Every route that loads a conversation goes through a function of this module;
`tests/handoff/test_agent_route_auth.py` checks that no route bypasses
authentication. Customers reach their own conversation by its token; staff:

- agents: the handoffs they hold, and the waiting queue's summary; a chat they
  closed up to its end only (`transcript_horizon`), a chat reassigned or
  returned to the queue not at all;
- supervisors: every handoff;
- content editors: no customer data at all (403).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from handoff.core.errors import Forbidden, NotFound, Unauthorized
from handoff.models import Agent, Conversation, DeskEntry, Handoff, HandoffStatus, StaffRole
from handoff.services.clock import as_utc

TOKEN_BYTES = 32  # 256 random bits; docs/architecture.md promises at least 128


def new_token() -> str:
    """A fresh customer token; only its hash is stored."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """SHA-256 is enough: the token is random, not a password."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Expiry:
    """How long a customer's token works: since the last message, and at most in all."""

    idle: timedelta
    max_age: timedelta


async def access_conversation_as_customer(
    session: AsyncSession,
    conversation_id: str,
    token: str | None,
    expiry: Expiry | None = None,
    now: datetime | None = None,
) -> Conversation:
    """The conversation, if `token` is its own and has not expired; 404 if unknown, else 401."""
    require_token(token)
    conversation = await session.get(Conversation, conversation_id)
    return check_customer_token(conversation, token, expiry, now)


def require_token(token: str | None) -> str:
    """The token; 401 before any look-up when none came with the request."""
    if not token:
        raise Unauthorized("A conversation token is required (Authorization: Bearer <token>).")
    return token


class TokenHolder(Protocol):
    """What the token check reads of a conversation (an ORM object or a Core row)."""

    @property
    def token_hash(self) -> str:
        """SHA-256 of the customer's token (`hash_token`)."""

    @property
    def keep_open_until(self) -> datetime | None:
        """Until when an answer left for the customer keeps the token working."""

    @property
    def updated_at(self) -> datetime:
        """The last message (the idle timeout counts from it)."""

    @property
    def created_at(self) -> datetime:
        """The start (the longest a token works counts from it)."""


Holder = TypeVar("Holder", bound=TokenHolder)


def check_customer_token(
    conversation: Holder | None,
    token: str | None,
    expiry: Expiry | None = None,
    now: datetime | None = None,
) -> Holder:
    """`conversation` as looked up by id, if `token` is its own and has not expired.

    A conversation expires after `expiry.idle` without a message, and
    `expiry.max_age` after it began; the token then stops working and the
    widget starts a new conversation. The one rule for both look-ups: the
    routes' (`access_conversation_as_customer`) and the turn's
    (`services/turn_store.py`).
    """
    token = require_token(token)
    if conversation is None:
        raise NotFound("No such conversation.")
    if not hmac.compare_digest(conversation.token_hash, hash_token(token)):
        raise Unauthorized("This token does not belong to this conversation.")
    kept_open = conversation.keep_open_until is not None and now is not None and (
        now < as_utc(conversation.keep_open_until)  # an answer the customer reads later
    )
    if expiry is not None and now is not None and not kept_open and (
        now - as_utc(conversation.updated_at) >= expiry.idle
        or now - as_utc(conversation.created_at) >= expiry.max_age
    ):
        raise Unauthorized(
            "This chat has ended after a while without activity; please start a new one.",
            code="conversation_expired",
        )
    return conversation


def require_desk_staff(staff: Agent) -> None:
    """Agents and supervisors work the desk; editors never see customer data."""
    if staff.role not in (StaffRole.agent, StaffRole.supervisor):
        raise Forbidden("Content editors have no access to customer conversations.")


def require_supervisor(staff: Agent) -> None:
    """Reassigning chats and watching every agent is a supervisor's job."""
    if staff.role != StaffRole.supervisor:
        raise Forbidden("Only a supervisor may do this.")


async def access_handoff_as_staff(session: AsyncSession, staff: Agent, handoff_id: int) -> Handoff:
    """The handoff, if `staff` may see it: a supervisor, or the agent who holds (held) it."""
    require_desk_staff(staff)
    handoff = await session.get(Handoff, handoff_id)
    if handoff is None:
        raise NotFound("No such handoff.")
    if staff.role == StaffRole.supervisor:
        return handoff
    entry = await session.get(DeskEntry, handoff_id)
    if entry is None or entry.agent_id != staff.id:
        raise Forbidden("This chat is not yours; claim it from the queue first.")
    return handoff


def transcript_horizon(staff: Agent, handoff: Handoff) -> datetime | None:
    """The last moment of a chat's transcript `staff` may read (None: all of it).

    An agent loses the later messages of a chat once it is no longer served:
    what the customer tells the bot after the agent closed it is not theirs.
    """
    if staff.role == StaffRole.supervisor or handoff.status == HandoffStatus.claimed:
        return None
    return handoff.closed_at or handoff.claimed_at or handoff.created_at
