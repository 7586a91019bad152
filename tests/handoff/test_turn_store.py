"""A turn's transactions on the writer thread: the token decided by the database.

The door's check reads the token facts the gateway keeps
(`services/known_tokens.py`); they may be more lenient than the database only
when an agent's "keep open" was withdrawn since. The turn's own transaction
checks again and decides.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from handoff.core.db import retry_when_locked
from handoff.services.clock import clock
from handoff.services.known_tokens import TokenFacts
from tests.support.desk import (  # noqa: F401 - fixtures
    context,
    gateway,
    real_time_fixture,
    say,
    start_chat,
)


@pytest.mark.asyncio
async def test_a_token_kept_open_only_in_the_gateways_copy_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/gateway.db"
    async with gateway(url, conversation_idle_timeout_s=600, conversation_max_age_s=10**6) as api:
        chat = await start_chat(api, "en")
        known = context(api).turn_store.known
        stale = known.get(chat.id)
        assert stale is not None  # remembered when the conversation started
        # The copy still says "kept open" (an agent's answer left for later, withdrawn since).
        later = clock.now() + timedelta(seconds=700)
        known.remember(chat.id, TokenFacts(
            stale.token_hash, later + timedelta(days=1), stale.updated_at, stale.created_at
        ))  # fmt: skip
        clock.pin(later)  # idle past the timeout in the database
        refused = await say(api, chat, "are you still there")
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "conversation_expired"
        assert known.get(chat.id) is None  # the misleading copy is dropped
    with sqlite3.connect(tmp_path / "gateway.db") as db:
        stored = db.execute(
            "SELECT count(*) FROM messages WHERE conversation_id = ? AND sender = 'customer'",
            (chat.id,),
        ).fetchone()
        reserved = db.execute(
            "SELECT count(*) FROM idempotent_replies WHERE conversation_id = ?", (chat.id,)
        ).fetchone()
    assert stored == (0,) and reserved == (0,)  # nothing of the refused message is kept


@pytest.mark.asyncio
async def test_a_wrong_token_is_refused_at_the_door_from_the_copy(tmp_path: Path) -> None:
    async with gateway(f"sqlite:///{tmp_path}/gateway.db") as api:
        chat = await start_chat(api, "en")
        response = await api.post(
            f"/api/conversations/{chat.id}/messages",
            json={"text": "hello", "client_message_id": "m-1"},
            headers={"Authorization": "Bearer not-the-token"},
        )
        assert response.status_code == 401
        unknown = await api.post(
            "/api/conversations/0123456789abcdef/messages",
            json={"text": "hello", "client_message_id": "m-1"},
            headers=chat.auth,
        )
        assert unknown.status_code == 404


def test_a_locked_database_is_tried_again_until_free_and_other_errors_are_not() -> None:
    tries: list[int] = []

    def locked_twice() -> str:
        tries.append(1)
        if len(tries) < 3:
            raise OperationalError("INSERT ...", {}, sqlite3.OperationalError("database is locked"))
        return "stored"

    assert retry_when_locked(locked_twice) == "stored" and len(tries) == 3

    def broken() -> str:
        tries.append(1)
        raise OperationalError("INSERT ...", {}, sqlite3.OperationalError("no such table: x"))

    tries.clear()
    with pytest.raises(OperationalError):
        retry_when_locked(broken)
    assert len(tries) == 1

    def always_locked() -> str:
        raise OperationalError("INSERT ...", {}, sqlite3.OperationalError("database is locked"))

    with pytest.raises(OperationalError):
        retry_when_locked(always_locked, within_s=0.05)
