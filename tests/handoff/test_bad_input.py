"""Bad input gets a clear 4xx: huge ids, invisible characters (issue 15, bad input)."""

from __future__ import annotations

import httpx
import pytest

from tests.support.desk import (  # noqa: F401 - fixtures
    desk_api_fixture,
    handoff_of,
    history,
    login,
    queued_chat,
    real_time_fixture,
    say,
    start_chat,
)

pytestmark = pytest.mark.asyncio

HUGE = "6697346161163305484288"  # what the fuzz run sent; overflowed the database driver


async def test_huge_integer_ids_are_a_422_on_every_route(desk_api: httpx.AsyncClient) -> None:
    agent = await login(desk_api, "supervisor1")
    editor = await login(desk_api, "editor1")
    chat = await start_chat(desk_api)
    calls = [
        ("POST", f"/api/agent/handoffs/{HUGE}/claim", agent, None),
        ("GET", f"/api/agent/handoffs/{HUGE}", agent, None),
        ("POST", f"/api/agent/handoffs/{HUGE}/messages", agent, {"text": "hi"}),
        ("POST", f"/api/agent/handoffs/{HUGE}/close", agent, {"resolution": "done"}),
        ("POST", f"/api/agent/handoffs/{HUGE}/reassign", agent, {"agent_id": 1}),
        ("POST", "/api/agent/handoffs/1/reassign", agent, {"agent_id": int(HUGE)}),
        ("GET", "/api/agent/handoffs/0", agent, None),
        ("GET", f"/api/content/changes/{HUGE}", editor, None),
        ("GET", f"/api/content/jobs/{HUGE}", editor, None),
        ("GET", f"/api/conversations/{chat.id}/messages?after={HUGE}", chat.auth, None),
    ]
    for method, path, headers, body in calls:
        response = await desk_api.request(method, path, headers=headers, json=body)
        assert response.status_code == 422, (path, response.text)
        assert response.json()["error"]["code"] == "invalid_input"


async def test_invisible_characters_are_stripped_from_messages(
    desk_api: httpx.AsyncClient,
) -> None:
    chat = await start_chat(desk_api)
    hidden = "\u00adtrans\U000e0041\U000e0042fer\u3164 \u115f\u1160\uffa0fees\u200b"
    turn = await say(desk_api, chat, hidden)
    assert turn.status_code == 200, turn.text
    customer = [m for m in await history(desk_api, chat) if m["sender"] == "customer"]
    assert customer[-1]["text"] == "transfer fees"
    # A message of fillers only is empty, and said so.
    empty = await say(desk_api, chat, "\u3164\u115f\U000e0020\u00ad")
    assert empty.status_code == 422
    assert empty.json()["error"]["code"] == "empty_message"
