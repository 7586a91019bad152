"""A message id's reservation is also the duplicate check, on both backends.

`idempotency.reserve` is one INSERT ... ON CONFLICT DO NOTHING: the first
attempt gets the row, a retry gets None and reads the record its first attempt
left (pending until the answer is remembered on it).
"""

from __future__ import annotations

from handoff.core.db import make_engine, make_sessionmaker
from handoff.migrate import upgrade
from handoff.models import Channel
from handoff.services import idempotency
from handoff.services.conversations import create_conversation
from tests.support.databases import any_database_fixture, pg_database_fixture  # noqa: F401


async def test_the_first_attempt_reserves_and_a_retry_finds_its_record(any_database: str) -> None:
    upgrade(any_database)
    engine = make_engine(any_database)
    sessions = make_sessionmaker(engine)
    try:
        async with sessions() as session:
            conversation, _ = await create_conversation(session, Channel.web, "en")
            first = await idempotency.reserve(session, conversation.id, "m-1")
            assert first is not None
            assert await idempotency.reserve(session, conversation.id, "m-2") not in (None, first)
            await session.commit()
        async with sessions() as session:
            assert await idempotency.reserve(session, conversation.id, "m-1") is None
            record = await idempotency.earlier(session, conversation.id, "m-1")
            assert record.id == first and idempotency.is_pending(record.response)
            await idempotency.remember_reply(session, first, {"replies": [], "state": "bot"})
            await session.commit()
        async with sessions() as session:
            record = await idempotency.earlier(session, conversation.id, "m-1")
            assert record.response == {"replies": [], "state": "bot"}
    finally:
        await engine.dispose()
