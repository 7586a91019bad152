"""The development SMS outbox: messages the action server "sent", held in memory.

Development only (the routes are not mounted in production). Kept in the
gateway's memory, never on disk, because these texts hold one-time codes and
codes must never be stored.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime

from handoff.models.base import utcnow

CAPACITY = 200


@dataclass(frozen=True)
class Sms:
    """One text as a phone would have received it."""

    phone: str
    text: str
    created_at: datetime = field(default_factory=utcnow)


class SmsOutbox:
    """Newest first, bounded, forgotten on restart."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self._messages: deque[Sms] = deque(maxlen=capacity)

    def add(self, phone: str, text: str) -> Sms:
        """Deliver a text (newest first)."""
        sms = Sms(phone, text)
        self._messages.appendleft(sms)
        return sms

    def list(self, phone: str | None = None) -> list[Sms]:
        """Texts, newest first, for one phone or all."""
        return [m for m in self._messages if phone is None or m.phone == phone]
