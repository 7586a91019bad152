"""The desk's notion of "now", replaceable so tests can travel in time.

Queue waits, supervisor alerts (rule 15), agent hours (rule 17), session
expiry and heartbeats all read this clock instead of the system time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handoff.models.base import utcnow


class Clock:
    """UTC wall clock, optionally pinned to a moment (tests only)."""

    def __init__(self) -> None:
        self._pinned: datetime | None = None

    def now(self) -> datetime:
        """The pinned moment if any, else the real UTC time."""
        return self._pinned if self._pinned is not None else utcnow()

    def pin(self, moment: datetime | None) -> None:
        """Freeze the clock at `moment` (aware); `None` goes back to real time."""
        if moment is not None and moment.tzinfo is None:
            raise ValueError("pin an aware datetime")
        self._pinned = moment

    def advance(self, delta: timedelta) -> None:
        """Move a pinned (or the real) clock forward by `delta`."""
        self._pinned = self.now() + delta


clock = Clock()


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything the gateway stores is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
