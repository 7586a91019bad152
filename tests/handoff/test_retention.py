"""Retention purge (issue 15): old transcripts, tickets, idempotency rows and tracker events
go, on SQLite and PostgreSQL; a dry run only counts; running it again deletes nothing more."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text, update

from common.paths import ROOT
from handoff.core.db import sync_url
from handoff.models import CallbackTicket, Conversation, IdempotentReply, Message
from handoff.services import retention
from handoff.services.clock import clock
from tests.support.databases import any_database_fixture, pg_database_fixture  # noqa: F401
from tests.support.desk import (  # noqa: F401 - fixtures
    backend_mode,
    context,
    gateway,
    queued_chat,
    real_time_fixture,
    say,
    start_chat,
)

pytestmark = pytest.mark.asyncio

EVENTS = """CREATE TABLE events (
    id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) NOT NULL,
    timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"""


def tracker_with_events(url: str, old: str, new: str) -> None:
    """Rasa's `events` table (its own columns) with a year-old and a fresh event."""
    engine = create_engine(sync_url(url))
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS events"))
        conn.execute(text(EVENTS))
        now = clock.now().timestamp()
        for i, (sender, stamp) in enumerate([(old, now - 365 * 86400), (new, now)], start=1):
            conn.execute(
                text("INSERT INTO events (id, sender_id, type_name, timestamp, data) "
                     "VALUES (:i, :s, 'user', :t, '{\"text\": \"13800138000\"}')"),
                {"i": i, "s": sender, "t": stamp},
            )  # fmt: skip
    engine.dispose()


def count(url: str, table: str) -> int:
    engine = create_engine(sync_url(url))
    with engine.connect() as conn:
        value = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()  # noqa: S608
    engine.dispose()
    return int(value or 0)


async def test_the_purge_deletes_only_what_is_past_retention(
    any_database: str, tmp_path: Path
) -> None:
    tracker = f"sqlite:///{tmp_path}/tracker.db" if any_database.startswith("sqlite") else None
    settings = {"retention_days": 30, "tracker_any_database": tracker, **backend_mode(any_database)}
    async with gateway(any_database, **settings) as api:
        old, new = await queued_chat(api), await start_chat(api)
        await say(api, new, "新的对话")
        ctx = context(api)
        long_ago = clock.now() - timedelta(days=31)
        async with ctx.sessions() as session:
            await session.execute(
                update(Conversation).where(Conversation.id == old.id)
                .values(updated_at=long_ago, created_at=long_ago)
            )  # fmt: skip
            await session.execute(update(Message).where(Message.conversation_id == old.id)
                                  .values(created_at=long_ago))  # fmt: skip
            session.add(CallbackTicket(
                reference="CB-OLD", conversation_id=new.id, phone="13800138000",
                language="zh", reason="request_human", call_at=long_ago, created_at=long_ago,
            ))  # fmt: skip
            session.add(CallbackTicket(
                reference="CB-NEW", conversation_id=new.id, phone="13900139000",
                language="zh", reason="request_human", call_at=clock.now(),
            ))  # fmt: skip
            await session.execute(
                update(IdempotentReply).values(created_at=clock.now() - timedelta(days=8))
            )
            await session.commit()
        tracker_db = tracker or any_database
        tracker_with_events(tracker_db, old.id, new.id)
        messages_before = count(any_database, "messages")
        replies = count(any_database, "idempotent_replies")
        assert replies > 0

        dry = await retention.purge(ctx.sessions, ctx.settings, clock.now(), dry_run=True)
        assert dry.counts["conversations"] == 1
        assert dry.counts["callback tickets"] == 1
        assert dry.counts["tracker events"] == 1
        assert dry.counts["idempotency rows"] == replies
        old_messages = dry.counts["messages"]
        assert old_messages >= 3
        assert count(any_database, "messages") == messages_before  # nothing went
        assert "would delete" in "\n".join(dry.lines())

        done = await retention.purge(ctx.sessions, ctx.settings, clock.now())
        assert done.counts == dry.counts
        assert count(any_database, "messages") == messages_before - old_messages
        assert count(any_database, "conversations") == 1
        assert count(any_database, "handoffs") == 0  # the old chat's, by cascade
        assert count(any_database, "callback_tickets") == 1
        assert count(any_database, "idempotent_replies") == 0
        assert count(tracker_db, "events") == 1
        # The new conversation is untouched and still works.
        assert (await say(api, new, "还在")).status_code == 200

        again = await retention.purge(ctx.sessions, ctx.settings, clock.now())
        assert set(again.counts.values()) == {0}


async def test_the_stack_purges_once_a_day_across_gateways(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/gateway.db"
    async with gateway(url) as first, gateway(url) as second:
        assert await first.app.state.desk.daily_purge() is not None  # type: ignore[attr-defined]
        # Without Redis each gateway keeps its own claim (one gateway is the norm then).
        assert await first.app.state.desk.daily_purge() is None  # type: ignore[attr-defined]
        assert await second.app.state.desk.daily_purge() is not None  # type: ignore[attr-defined]


@pytest.mark.postgres
async def test_with_redis_one_gateway_runs_the_daily_purge(tmp_path: Path) -> None:
    import redis.asyncio as redis

    from tests.handoff.test_abuse_limits import REDIS_URL

    client = redis.from_url(REDIS_URL)
    try:
        await client.delete("bankbot:limit:claim:retention-purge")
    except Exception as exc:  # noqa: BLE001 - no server here
        pytest.fail(f"Redis is needed on 127.0.0.1:6379 and is unreachable: {exc!r}")
    finally:
        await client.aclose()
    url = f"sqlite:///{tmp_path}/gateway.db"
    async with gateway(url, redis_url=REDIS_URL) as first, gateway(
        url, redis_url=REDIS_URL
    ) as second:
        ran = [
            await first.app.state.desk.daily_purge(),  # type: ignore[attr-defined]
            await second.app.state.desk.daily_purge(),  # type: ignore[attr-defined]
            await first.app.state.desk.daily_purge(),  # type: ignore[attr-defined]
        ]
    assert [r is not None for r in ran] == [True, False, False]


async def test_the_purge_command_dry_run(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/g.db",
           "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path}/tracker.db"}  # fmt: skip
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "bankbot", *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert run("migrate").returncode == 0
    dry = run("purge", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would delete" in dry.stdout and "conversations" in dry.stdout
    real = run("purge")
    assert real.returncode == 0 and "deleted" in real.stdout
