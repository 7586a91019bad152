"""Retention: what the bank keeps, and for how long (`RETENTION_DAYS`, default 180).

`python -m bankbot purge [--dry-run]`, and once a day the running stack (one
gateway of many: a Redis claim when configured), delete everything older
than the retention period:

- transcripts: conversations whose last message is older, with their
  messages, ratings, facts, handoffs and desk entries (foreign keys cascade);
- callback tickets created before the cut-off;
- idempotency rows (kept `IDEMPOTENCY_RETENTION_DAYS`, a week by default);
- Rasa's tracker events (the `events` table of the tracker store).

The audit logs (content changes, security events) hold metadata only and are
kept. Each step is a plain DELETE of what is older than the cut-off, so the
purge can be re-run, or interrupted and run again, safely.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import create_engine, delete, func, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff.core.config import Settings
from handoff.core.db import sync_url
from handoff.models import CallbackTicket, Conversation, IdempotentReply, Message


@dataclass
class PurgeReport:
    """How many rows went (or would go, in a dry run)."""

    cutoff: datetime
    dry_run: bool
    counts: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """One line per kind, for the operator."""
        verb = "would delete" if self.dry_run else "deleted"
        head = f"retention: everything before {self.cutoff:%Y-%m-%d %H:%M} UTC"
        return [head, *(f"  {verb} {n:>8,} {kind}" for kind, n in self.counts.items())]


async def purge(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    now: datetime,
    *,
    dry_run: bool = False,
) -> PurgeReport:
    """Delete (or count) everything past retention; safe to run again."""
    cutoff = now - timedelta(days=settings.retention_days)
    report = PurgeReport(cutoff, dry_run)
    old = select(Conversation.id).where(Conversation.updated_at < cutoff)
    idempotency_cutoff = now - timedelta(days=settings.idempotency_retention_days)
    async with sessions() as session:
        counts = report.counts
        counts["conversations"] = await _count(session, select(func.count()).select_from(
            old.subquery()))  # fmt: skip
        counts["messages"] = await _count(
            session, select(func.count(Message.id)).where(Message.conversation_id.in_(old))
        )
        counts["callback tickets"] = await _count(
            session,
            select(func.count(CallbackTicket.id)).where(
                (CallbackTicket.created_at < cutoff) | CallbackTicket.conversation_id.in_(old)
            ),
        )
        counts["idempotency rows"] = await _count(
            session,
            select(func.count(IdempotentReply.id)).where(
                IdempotentReply.created_at < idempotency_cutoff
            ),
        )
        if not dry_run:
            await session.execute(delete(CallbackTicket).where(CallbackTicket.created_at < cutoff))
            await session.execute(
                delete(IdempotentReply).where(IdempotentReply.created_at < idempotency_cutoff)
            )
            # Cascades to messages, ratings, facts, handoffs, desk entries, tickets.
            await session.execute(delete(Conversation).where(Conversation.id.in_(old)))
            await session.commit()
    counts["tracker events"] = await asyncio.to_thread(
        _tracker_events, tracker_url(settings), cutoff, dry_run
    )
    return report


async def _count(session: AsyncSession, query: object) -> int:
    return int(await session.scalar(query) or 0)  # type: ignore[call-overload]


def tracker_url(settings: Settings) -> str:
    """Where Rasa's tracker store is: `TRACKER_DATABASE_URL`, else beside the gateway's.

    On PostgreSQL the stack gives the engine the gateway's own database
    (`bankbot/stack.py`); on SQLite a file of its own.
    """
    if settings.tracker_database_url:
        return settings.tracker_database_url
    if settings.database_url.startswith("sqlite"):
        return settings.database_url.rsplit("/", 1)[0] + "/tracker.db"
    return settings.database_url


def _tracker_events(url: str, cutoff: datetime, dry_run: bool) -> int:
    """Rasa's `events` rows older than `cutoff` (Rasa stores a Unix `timestamp`)."""
    if url.startswith("sqlite:///") and not _sqlite_exists(url):
        return 0
    engine = create_engine(sync_url(url))
    try:
        if "events" not in inspect(engine).get_table_names():
            return 0  # the engine never ran against this store
        stamp = cutoff.timestamp()
        with engine.begin() as conn:
            if dry_run:
                count = conn.execute(
                    text("SELECT count(*) FROM events WHERE timestamp < :t"), {"t": stamp}
                ).scalar()
                return int(count or 0)
            result = conn.execute(text("DELETE FROM events WHERE timestamp < :t"), {"t": stamp})
            return int(result.rowcount or 0)
    finally:
        engine.dispose()


def _sqlite_exists(url: str) -> bool:
    from pathlib import Path

    return Path(url.removeprefix("sqlite:///")).exists()
