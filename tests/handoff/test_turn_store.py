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
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from common.codes import MASKED_CODE
from common.identifiers import ID_LAST4_HIDDEN
from handoff.core.db import retry_when_locked
from handoff.services.clock import clock
from handoff.services.engine import BotReply
from handoff.services.known_tokens import TokenFacts
from tests.support.databases import any_database_fixture, pg_database_fixture, sync_url  # noqa: F401
from tests.support.desk import (  # noqa: F401 - fixtures
    context,
    gateway,
    history,
    real_time_fixture,
    say,
    start_chat,
)


@pytest.mark.asyncio
async def test_a_token_kept_open_only_in_the_gateways_copy_is_refused(any_database: str) -> None:
    async with gateway(
        any_database, conversation_idle_timeout_s=600, conversation_max_age_s=10**6
    ) as api:
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
    # Nothing of the refused message is kept: no message, no reservation, no seq taken.
    assert _counts(any_database, chat.id) == {"customer": 0, "reserved": 0, "last_seq": 1}


@pytest.mark.asyncio
async def test_a_turn_opens_alike_on_both_backends(any_database: str) -> None:
    """Token, reservation and seq: one statement on PostgreSQL, three on SQLite, one meaning."""
    async with gateway(any_database) as api:
        chat = await start_chat(api, "en")
        url = f"/api/conversations/{chat.id}/messages"
        sent = {"text": "hello", "client_message_id": "m-1"}
        first = await api.post(url, json=sent, headers=chat.auth)
        again = await api.post(url, json=sent, headers=chat.auth)  # a retry: the same answer
        assert first.status_code == again.status_code == 200
        assert again.json() == first.json()
        stranger = await api.post(
            url, json={"text": "hi", "client_message_id": "m-2"},
            headers={"Authorization": "Bearer not-the-token"},
        )  # fmt: skip
        assert stranger.status_code == 401
        later = await api.post(
            url, json={"text": "thanks", "client_message_id": "m-3"}, headers=chat.auth
        )
        assert later.status_code == 200
        shown = await history(api, chat)
    said = [m["text"] for m in shown if m["sender"] == "customer"]
    assert said == ["hello", "thanks"]  # the retry and the stranger's message left no trace
    seqs = [m["seq"] for m in shown]
    assert seqs == list(range(1, len(seqs) + 1))  # no seq taken twice or skipped
    assert _counts(any_database, chat.id) == {
        "customer": 2, "reserved": 2, "last_seq": len(seqs)
    }  # fmt: skip


@pytest.mark.asyncio
async def test_the_transcript_shows_the_same_on_both_backends(any_database: str) -> None:
    """PostgreSQL stores most messages in the turn's first statement, before the
    conversation is read: what the bot waits for still decides what is shown."""
    async with gateway(any_database) as api:
        chat = await start_chat(api, "zh")
        asks = {
            "otp": [BotReply(text="请输入验证码"), BotReply(custom={"expect": "otp"})],
            "id": [BotReply(text="请输入身份证后四位"), BotReply(custom={"expect": "id_last4"})],
            "none": [BotReply(text="好的")],
        }
        received = _recording(api, asks["otp"])
        await say(api, chat, "查余额，我的手机是 138 0013 8000")
        _recording(api, asks["id"], received)
        await say(api, chat, "123456")  # the code asked for
        _recording(api, asks["none"], received)
        await say(api, chat, "123x")  # the ID's last four asked for
        await say(api, chat, "/request_human")  # a command typed, not offered
        await say(api, chat, "123456")  # nothing asked for: six digits as typed
        shown = [m["text"] for m in await history(api, chat) if m["sender"] == "customer"]
    assert shown == [
        "查余额，我的手机是 138****8000", MASKED_CODE, ID_LAST4_HIDDEN, "/request_human", "123456"
    ]  # fmt: skip
    assert received[1].startswith("/submit_code") and "123456" not in received[1]
    assert received[3] == "\uff0frequest_human"  # reaches the engine harmless


def _recording(
    api: httpx.AsyncClient, replies: list[BotReply], received: list[str] | None = None
) -> list[str]:
    """The engine, replaced by one that records what it receives and answers `replies`."""
    kept = [] if received is None else received

    async def send(conversation_id: str, text: str, metadata: dict[str, Any]) -> list[BotReply]:
        kept.append(text)
        return list(replies)

    context(api).engine.send = send
    return kept


def _counts(database_url: str, conversation_id: str) -> dict[str, int]:
    engine = create_engine(sync_url(database_url))
    try:
        with engine.connect() as db:
            values = {"cid": conversation_id}
            customer = db.execute(text(
                "SELECT count(*) FROM messages WHERE conversation_id = :cid AND sender = 'customer'"
            ), values).scalar_one()  # fmt: skip
            reserved = db.execute(
                text("SELECT count(*) FROM idempotent_replies WHERE conversation_id = :cid"), values
            ).scalar_one()
            last_seq = db.execute(
                text("SELECT last_seq FROM conversations WHERE id = :cid"), values
            ).scalar_one()
    finally:
        engine.dispose()
    return {"customer": customer, "reserved": reserved, "last_seq": last_seq}


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
