"""What runs in the background of the desk, and what supervisors are told.

- rule 15: a supervisor is alerted once when a customer has waited over 10 minutes;
- an agent without a heartbeat for `heartbeat_timeout` is offline: their chats
  go back to the queue at the front;
- rule 23: queued customers hear their place and wait every minute (pushed,
  not stored, so the transcript does not fill with ticks);
- a left message whose conversation was kept open long enough is closed.

With Redis, one gateway leads each job (`services/leader.py`), so customers
behind N gateways hear one "still waiting" push, not N; every job is also
idempotent, so a brief overlap during a change of leader does no harm.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.core.config import Settings
from handoff.models import Agent, Conversation, DeskEntry, StaffRole
from handoff.services import (
    desk,
    estimate,
    left_messages,
    overflow,
    presence,
    queue,
    retention,
    staff,
)
from handoff.services.background import stop_task
from handoff.services.clock import clock
from handoff.services.context import AppContext
from handoff.services.events import conversation_topic
from handoff.services.hours import AgentHours
from handoff.services.login_guard import HashingGate, LoginGuard
from handoff.services.phrases import phrase

log = logging.getLogger(__name__)


@dataclass
class DeskConfig:
    """Timings of the background jobs (tests shorten or stop them)."""

    heartbeat_timeout: timedelta = timedelta(seconds=90)
    sweep_every_s: float = 15.0
    reassure_every_s: float = 60.0
    # The retention purge is tried hourly and runs once a day across all gateways.
    purge_every_s: float = 3600.0
    purge_once_per_s: int = 23 * 3600


async def go_offline(session: AsyncSession, agent_id: int, outbox: desk.Outbox) -> list[int]:
    """Mark the agent offline and return their chats to the queue (ids returned)."""
    await session.execute(update(Agent).where(Agent.id == agent_id).values(online=False))
    await presence.went_offline(session, agent_id, clock.now())
    returned = await desk.requeue_held(session, agent_id, outbox)
    return [handoff.id for handoff in returned]


async def sweep_offline(
    session: AsyncSession, timeout: timedelta, outbox: desk.Outbox
) -> list[int]:
    """Agents silent for longer than `timeout` go offline; returns the requeued handoff ids."""
    cutoff = clock.now() - timeout
    stale = list(
        await session.execute(
            select(Agent.id, Agent.last_seen_at).where(
                Agent.online.is_(True), Agent.last_seen_at < cutoff
            )
        )
    )
    requeued: list[int] = []
    for agent_id, last_seen in stale:
        result = await session.execute(
            update(Agent)
            .where(Agent.id == agent_id, Agent.online.is_(True), Agent.last_seen_at < cutoff)
            .values(online=False)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            # Online until their last heartbeat, not until the sweep noticed.
            await presence.went_offline(session, agent_id, last_seen or cutoff)
            requeued += [h.id for h in await desk.requeue_held(session, agent_id, outbox)]
    await session.commit()
    return requeued


async def raise_alerts(session: AsyncSession, outbox: desk.Outbox) -> list[int]:
    """Alert supervisors once per handoff waiting past rule 15 (or past its message SLA)."""
    now = clock.now()
    alerted = []
    for position, (handoff, entry) in enumerate(await queue.waiting(session), start=1):
        if not queue.is_overdue(handoff, now) or (entry is not None and entry.alerted_at):
            continue
        if entry is None:
            entry = DeskEntry(handoff_id=handoff.id, requeued=False)
            session.add(entry)
        entry.alerted_at = now
        outbox.add(
            desk.SUPERVISORS_TOPIC, {"type": "alert", **queue.queue_item(handoff, position, now)}
        )
        alerted.append(handoff.id)
    # A left message past its own SLA (issue 18) is a supervisor's business too, once.
    for position, message in enumerate(await queue.messages_waiting(session), start=1):
        item = queue.queue_item(message, position, now)
        entry = await session.get(DeskEntry, message.id)
        if not item["sla_overdue"] or (entry is not None and entry.alerted_at):
            continue
        if entry is None:
            entry = DeskEntry(handoff_id=message.id, requeued=False)
            session.add(entry)
        entry.alerted_at = now
        outbox.add(desk.SUPERVISORS_TOPIC, {"type": "alert", "kind": "message_overdue", **item})
        alerted.append(message.id)
    await session.commit()
    return alerted


async def reassurance_events(
    session: AsyncSession, settings: Settings
) -> list[tuple[str, dict[str, Any]]]:
    """One `{"type": "queue", ...}` event per queued customer: place, honest wait, kind words."""
    waiting = await queue.waiting(session)
    ids = [handoff.conversation_id for handoff, _ in waiting]
    languages: dict[str, str | None] = {}
    if ids:
        rows = await session.execute(
            select(Conversation.id, Conversation.language).where(Conversation.id.in_(ids))
        )
        languages = {conversation_id: language for conversation_id, language in rows}
    now = clock.now()
    load = await estimate.desk_load(session, settings, now)
    events = []
    for position, (handoff, _) in enumerate(waiting, start=1):
        wait = estimate.estimate(
            position, load, settings.prior_chats_per_agent_hour, handoff.priority_rank
        )
        place = queue.QueueStanding(position, wait)
        language = languages.get(handoff.conversation_id)
        if wait is None:
            text = phrase("queue_update_no_estimate", language, position=position)
        else:
            words = overflow.wait_words(wait, language)
            text = phrase("queue_update", language, position=position, wait=words)
        events.append(
            (
                conversation_topic(handoff.conversation_id),
                {
                    "type": "queue",
                    "state": "queued",
                    "queue_position": position,
                    "estimated_wait_minutes": wait.expected if wait else None,
                    "estimated_wait": wait.view() if wait else None,
                    "mode": handoff.mode.value,
                    "notice": overflow.notice(handoff, place, language),
                    "text": text,
                },
            )
        )
    return events


class DeskRuntime:
    """The desk's per-process parts: login guard, hashing gate, account checks, jobs."""

    def __init__(self, ctx: AppContext, config: DeskConfig | None = None) -> None:
        self.ctx = ctx
        self.config = config or DeskConfig()
        settings = ctx.settings
        self.guard = LoginGuard(ctx.counters, settings)
        self.hashing = HashingGate(settings.hashing_slots, settings.hashing_queue)
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Check the accounts (seed in development, refuse demo passwords in production)."""
        AgentHours.from_settings(self.ctx.settings)  # a malformed AGENT_HOURS fails at start
        async with self.ctx.sessions() as session:
            if self.ctx.settings.is_development:
                try:
                    await staff.seed_demo_accounts(session)
                except IntegrityError:  # another gateway starting at the same moment seeded them
                    await session.rollback()
            else:
                weak = await staff.accounts_with_demo_passwords(session)
                if weak:
                    raise RuntimeError(
                        "refusing to start in production: these staff accounts still have "
                        f"their published demo password: {', '.join(weak)}"
                    )
        self.start_background()

    def start_background(self) -> None:
        """Start the periodic jobs, each run only where this gateway leads it."""
        self._tasks = [
            asyncio.create_task(self._every("desk-sweep", self.config.sweep_every_s, self.sweep)),
            asyncio.create_task(
                self._every("desk-reassure", self.config.reassure_every_s, self.reassure)
            ),
            asyncio.create_task(
                self._every("retention-purge", self.config.purge_every_s, self.daily_purge)
            ),
        ]

    async def stop_background(self) -> None:
        """Stop the periodic jobs (tests then run them by hand)."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            await stop_task(task)
        self._tasks = []

    async def stop(self) -> None:
        """Stop the jobs (app shutdown)."""
        await self.stop_background()

    async def _every(self, name: str, interval_s: float, job: Callable[[], Awaitable[Any]]) -> None:
        while True:
            await asyncio.sleep(interval_s)
            try:
                if await self.ctx.leader.acquire(name):
                    await job()
            except Exception:  # noqa: BLE001 - a failed tick must not end the loop
                log.exception("desk background job failed")

    async def sweep(self) -> dict[str, list[Any]]:
        """Offline agents, overdue waits, left messages past their time, expired sessions."""
        outbox = desk.Outbox()
        async with self.ctx.sessions() as session:
            requeued = await sweep_offline(session, self.config.heartbeat_timeout, outbox)
            alerted = await raise_alerts(session, outbox)
            expired = await left_messages.expire(session, clock.now(), outbox)
            await staff.purge_expired_sessions(session, clock.now())
            await session.commit()
        await outbox.publish(self.ctx.hub)
        return {"requeued": requeued, "alerted": alerted, "expired": expired}

    async def daily_purge(self) -> retention.PurgeReport | None:
        """The retention purge, if no gateway ran it in the last day (Redis claim)."""
        if not await self.ctx.counters.claim("retention-purge", self.config.purge_once_per_s):
            return None
        report = await retention.purge(self.ctx.sessions, self.ctx.settings, clock.now())
        log.info("; ".join(report.lines()))
        return report

    async def reassure(self) -> int:
        """Push every queued customer their place and wait (rule 23)."""
        async with self.ctx.sessions() as session:
            events = await reassurance_events(session, self.ctx.settings)
        for topic, event in events:
            await self.ctx.hub.publish(topic, event)
        return len(events)


async def staff_overview(session: AsyncSession) -> list[dict[str, Any]]:
    """Agents and supervisors with their load, for a supervisor choosing whom to give a chat."""
    rows = await session.scalars(
        select(Agent)
        .where(Agent.role.in_([StaffRole.agent, StaffRole.supervisor]))
        .order_by(Agent.role, Agent.username)
    )
    overview = []
    for member in rows:
        overview.append(
            {
                **staff.agent_view(member),
                "username": member.username,
                "online": member.online,
                "chats": await desk.held_count(session, member.id),
                "capacity": member.capacity,
            }
        )
    return overview
