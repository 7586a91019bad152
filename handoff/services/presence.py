"""When staff were online: one row per stretch, opened at login, closed when they go offline.

The wait estimate divides the chats the desk closed by the agent-hours it had
(`agent_hours`), so an hour with one agent counts for one and an idle agent who
logged in a minute ago for almost nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.models import AgentPresence
from handoff.services.clock import as_utc


async def came_online(session: AsyncSession, agent_id: int, now: datetime) -> None:
    """Open a stretch for the agent unless one is open already."""
    open_one = await session.scalar(
        select(AgentPresence.id).where(
            AgentPresence.agent_id == agent_id, AgentPresence.ended_at.is_(None)
        )
    )
    if open_one is None:
        session.add(AgentPresence(agent_id=agent_id, started_at=now))
        await session.flush()


async def went_offline(session: AsyncSession, agent_id: int, at: datetime) -> None:
    """Close the agent's open stretch at `at` (their last sign of life)."""
    await session.execute(
        update(AgentPresence)
        .where(AgentPresence.agent_id == agent_id, AgentPresence.ended_at.is_(None))
        .values(ended_at=at)
        .execution_options(synchronize_session=False)
    )


async def agent_hours(session: AsyncSession, since: datetime, now: datetime) -> float:
    """Staff-hours online between `since` and `now` (overlaps of every stretch)."""
    rows = await session.execute(
        select(AgentPresence.started_at, AgentPresence.ended_at).where(
            AgentPresence.started_at < now,
            or_(AgentPresence.ended_at.is_(None), AgentPresence.ended_at > since),
        )
    )
    seconds = 0.0
    for started, ended in rows:
        start = max(as_utc(started), since)
        end = min(as_utc(ended), now) if ended is not None else now
        seconds += max(0.0, (end - start).total_seconds())
    return seconds / 3600
