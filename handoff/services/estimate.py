"""An honest wait estimate, from what the desk really did lately (issue 18).

The desk's pace is the chats it closed per agent-hour over a sliding window
(`THROUGHPUT_WINDOW_MINUTES`), times the agents online now. A customer at
place `p` starts at once while agents have free seats; otherwise they wait
for `p - free` chats to close. Customers of a higher priority who arrive
meanwhile go ahead of them: at the rate they arrived in the window, they take
that share of the desk's pace, so the customer's own pace is what is left.
Two things make that uncertain, and the range says so: how few chats the
window saw (a rate measured on `k` chats is off by about 1/sqrt(k)) and how
few closes the customer waits for (the n-th close of a steady desk comes after
about n/rate, give or take n/rate/sqrt(n)). With no agent online there is no
estimate at all: the customer is told so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.core.config import Settings
from handoff.models import (
    Agent,
    DeskEntry,
    Handoff,
    HandoffMode,
    HandoffStatus,
    Priority,
    StaffRole,
)
from handoff.services import presence

# Fewer closed chats than this in the window: the prior rate is used instead.
MIN_SAMPLE = 5
# About an 80 % interval: the range is said as "low-high" minutes.
Z = 1.28
# A range narrower than this is said as one figure ("about 6 min").
ONE_FIGURE_SPREAD = 2


@dataclass(frozen=True)
class DeskLoad:
    """What the desk did in the window and what it has now."""

    agents_online: int
    free_seats: int
    closed_in_window: int
    agent_hours: float
    # Handoffs that arrived in the window, by priority rank (0 urgent, 1 high, 2 normal).
    arrivals_by_rank: dict[int, int] = field(default_factory=dict)
    window_hours: float = 1.0

    def rate_per_agent_hour(self, prior: float) -> tuple[float, int]:
        """Closed chats per agent-hour and the sample it rests on (0: the prior)."""
        if self.closed_in_window >= MIN_SAMPLE and self.agent_hours > 0:
            return self.closed_in_window / self.agent_hours, self.closed_in_window
        return prior, 0


@dataclass(frozen=True)
class WaitEstimate:
    """A wait in whole minutes: `low`-`high`, with `expected` between them."""

    low: int
    high: int
    expected: int

    @property
    def is_range(self) -> bool:
        """True when the honest answer is a range, not one figure."""
        return self.high - self.low >= ONE_FIGURE_SPREAD

    def view(self) -> dict[str, int]:
        """The API's shape."""
        return {"low_minutes": self.low, "high_minutes": self.high, "minutes": self.expected}


def estimate(
    position: int, load: DeskLoad, prior_per_agent_hour: float, rank: int = Priority.normal.rank
) -> WaitEstimate | None:
    """The wait of the customer at `position` (1 = next) of priority `rank`; None: nobody online."""
    if load.agents_online <= 0:
        return None
    behind = position - load.free_seats  # closes the customer waits for
    if behind <= 0:
        return WaitEstimate(0, 1, 0)
    per_agent, sample = load.rate_per_agent_hour(prior_per_agent_hour)
    desk_per_hour = per_agent * load.agents_online
    overtaking = sum(n for r, n in load.arrivals_by_rank.items() if r < rank) / load.window_hours
    # What higher priorities leave of the pace (never below a quarter: the queue does move).
    per_minute = max(desk_per_hour - overtaking, desk_per_hour / 4) / 60
    expected = behind / per_minute
    # Relative spread: the measured rate's, and the n-th close's own.
    rate_spread = 1 / math.sqrt(sample) if sample else 1.0
    spread = math.sqrt(rate_spread**2 + 1 / behind)
    factor = 1 + Z * spread
    low = math.floor(expected / factor)
    high = max(math.ceil(expected * factor), low + 1)
    return WaitEstimate(low, high, max(1, round(expected)))


async def desk_load(session: AsyncSession, settings: Settings, now: datetime) -> DeskLoad:
    """Read the window's closed chats and agent-hours, and the seats free now."""
    since = now - timedelta(minutes=settings.throughput_window_minutes)
    closed = await session.scalar(
        select(func.count())
        .select_from(Handoff)
        .where(
            Handoff.status == HandoffStatus.closed,
            Handoff.mode == HandoffMode.live,
            Handoff.claimed_at.is_not(None),
            Handoff.closed_at >= since,
        )
    )
    online = list(
        await session.scalars(
            select(Agent).where(
                Agent.online.is_(True), Agent.role.in_([StaffRole.agent, StaffRole.supervisor])
            )
        )
    )
    held = dict(
        (
            await session.execute(
                select(DeskEntry.agent_id, func.count())
                .join(Handoff, Handoff.id == DeskEntry.handoff_id)
                .where(Handoff.status == HandoffStatus.claimed, Handoff.mode == HandoffMode.live)
                .group_by(DeskEntry.agent_id)
            )
        ).all()
    )
    free = sum(max(0, agent.capacity - held.get(agent.id, 0)) for agent in online)
    hours = await presence.agent_hours(session, since, now)
    arrivals = dict(
        (
            await session.execute(
                select(Handoff.priority_rank, func.count())
                .where(Handoff.created_at >= since)
                .group_by(Handoff.priority_rank)
            )
        ).all()
    )
    window = settings.throughput_window_minutes / 60
    return DeskLoad(len(online), free, closed or 0, hours, arrivals, window)
