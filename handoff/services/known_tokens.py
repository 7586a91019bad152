"""The token facts of recent conversations, so a customer's message needs no read to be let in.

A message is checked twice: at the door, before it counts against the limits
(`api/deps.customer_turn_conversation`), and again, with what the database
holds, inside the turn's first transaction (`services/turn_store.py`). The
second check decides; the first only has to turn away a wrong or expired
token early, and it reads these copies. They can only be stricter than the
database, except for an agent's "keep open" that was withdrawn since, which
the second check catches: a token never changes, `updated_at` only moves on
(each turn refreshes the copy), and a copy that says "expired" is read again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from handoff.services.access import TokenHolder

CAPACITY = 20_000
"""Conversations remembered per gateway (about 4 MB); the oldest are forgotten first."""


@dataclass(frozen=True)
class TokenFacts:
    """What `access.check_customer_token` reads of a conversation."""

    token_hash: str
    keep_open_until: datetime | None
    updated_at: datetime
    created_at: datetime

    @classmethod
    def of(cls, conversation: TokenHolder) -> TokenFacts:
        """The facts of a conversation as loaded."""
        return cls(
            conversation.token_hash,
            conversation.keep_open_until,
            conversation.updated_at,
            conversation.created_at,
        )


class KnownTokens:
    """The last-seen token facts by conversation id; used on the event loop only."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self._facts: dict[str, TokenFacts] = {}
        self._capacity = capacity

    def get(self, conversation_id: str) -> TokenFacts | None:
        """The copy kept for the conversation, if any."""
        return self._facts.get(conversation_id)

    def remember(self, conversation_id: str, facts: TokenFacts) -> None:
        """Keep `facts` as the newest copy; forget the oldest beyond the capacity."""
        self._facts.pop(conversation_id, None)
        self._facts[conversation_id] = facts
        if len(self._facts) > self._capacity:
            del self._facts[next(iter(self._facts))]

    def forget(self, conversation_id: str) -> None:
        """Drop the copy (the conversation is gone, or its copy misled)."""
        self._facts.pop(conversation_id, None)
