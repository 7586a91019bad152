"""The gateway sends the engine phone tokens and ID digests, never the numbers (issue 15)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from common.identifiers import ID_LAST4_HIDDEN, id_last4_digest, open_phones
from handoff.services.engine import BotReply
from tests.support.desk import (  # noqa: F401 - fixtures
    context,
    desk_api_fixture,
    history,
    real_time_fixture,
    say,
    start_chat,
)

pytestmark = pytest.mark.asyncio


def recording_engine(api: httpx.AsyncClient, replies: list[BotReply]) -> list[str]:
    """The engine, replaced by one that records what it receives and answers `replies`."""
    received: list[str] = []

    async def send(conversation_id: str, text: str, metadata: dict[str, Any]) -> list[BotReply]:
        received.append(text)
        return list(replies)

    context(api).engine.send = send
    return received


async def test_phone_numbers_reach_the_engine_sealed_and_the_transcript_masked(
    desk_api: httpx.AsyncClient,
) -> None:
    key = context(desk_api).settings.otp_digest_key.get_secret_value()
    received = recording_engine(desk_api, [BotReply(text="好的")])
    chat = await start_chat(desk_api)
    await say(desk_api, chat, "我的手机是 138 0013 8000")
    (sent,) = received
    assert "13800138000" not in sent and "138 0013 8000" not in sent and "PHONE_" in sent
    assert open_phones(key, chat.id, sent)[1] == ["13800138000"]
    assert open_phones(key, "another-conversation", sent)[1] == []
    customer = [m["text"] for m in await history(desk_api, chat) if m["sender"] == "customer"]
    assert customer == ["我的手机是 138****8000"]


async def test_the_id_last_four_reach_the_engine_as_a_digest_when_asked_for(
    desk_api: httpx.AsyncClient,
) -> None:
    key = context(desk_api).settings.otp_digest_key.get_secret_value()
    ask = [BotReply(text="请输入身份证后四位"), BotReply(custom={"expect": "id_last4"})]
    received = recording_engine(desk_api, ask)
    chat = await start_chat(desk_api)
    await say(desk_api, chat, "查余额")
    await say(desk_api, chat, "123x")
    assert received[1] == id_last4_digest(key, chat.id, "123X")
    # Not asked for: four digits are just four digits (an amount, a year).
    await say(desk_api, chat, "1234")  # the engine asked again, so a digest again
    received_after = recording_engine(desk_api, [BotReply(text="好的")])
    await say(desk_api, chat, "转账 5000 元")
    await say(desk_api, chat, "2025")
    assert received_after[1] == "2025"
    texts = [m["text"] for m in await history(desk_api, chat) if m["sender"] == "customer"]
    assert texts[1] == ID_LAST4_HIDDEN and texts[2] == ID_LAST4_HIDDEN
    assert "123x" not in " ".join(texts) and "1234" not in " ".join(texts)
