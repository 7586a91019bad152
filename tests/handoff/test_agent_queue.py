"""The queue and claiming: order, capacity (rule 16), exactly one winner, 409s."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.support.desk import (  # noqa: F401 - fixtures
    add_agents,
    desk_api_fixture,
    handoff_of,
    handoff_reply,
    history,
    login,
    queue_items,
    queued_chat,
    real_time_fixture,
    say,
    script_engine,
    start_chat,
)

pytestmark = pytest.mark.asyncio

QUEUE_FIELDS = {
    "id", "conversation_id", "reason", "priority", "language", "waited_s", "queue_position",
    "status", "alert", "mode", "due_at", "sla_overdue",
}  # fmt: skip


def engine_by_keyword(api: httpx.AsyncClient) -> None:
    """The engine hands over with the reason and priority named in the message."""

    def script(text: str):  # type: ignore[no-untyped-def]
        for reason, priority in [
            ("fraud_risk", "urgent"), ("complaint", "high"), ("emotion", "high"),
            ("request_human", "normal"),
        ]:  # fmt: skip
            if reason in text:
                return handoff_reply(reason, priority)
        return None

    script_engine(api, script)


async def test_queue_is_ordered_by_priority_then_age(desk_api: httpx.AsyncClient) -> None:
    engine_by_keyword(desk_api)
    chats = {}
    for name in ["request_human", "complaint", "fraud_risk", "request_human 2", "emotion"]:
        chats[name] = await start_chat(desk_api)
        turn = await say(desk_api, chats[name], name)
        assert turn.json()["state"] == "queued"
    agent = await login(desk_api, "agent1")
    items = await queue_items(desk_api, agent)
    assert set(items[0]) == QUEUE_FIELDS
    order = [item["conversation_id"] for item in items]
    expected = ["fraud_risk", "complaint", "emotion", "request_human", "request_human 2"]
    assert order == [chats[name].id for name in expected]
    assert [item["queue_position"] for item in items] == [1, 2, 3, 4, 5]
    assert [item["priority"] for item in items] == ["urgent", "high", "high", "normal", "normal"]
    assert all(item["status"] == "waiting" and item["waited_s"] >= 0 for item in items)
    # The customer is told the same place.
    turn = await say(desk_api, chats["request_human 2"], "还要多久")
    assert turn.json()["handoff"]["queue_position"] == 5


async def test_claim_puts_the_agent_in_the_conversation(desk_api: httpx.AsyncClient) -> None:
    chat = await queued_chat(desk_api, "zh")
    agent = await login(desk_api, "agent1")
    handoff_id = await handoff_of(desk_api, agent, chat)
    response = await desk_api.post(f"/api/agent/handoffs/{handoff_id}/claim", headers=agent)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "claimed" and body["agent"]["name"] == "王芳"
    assert body["conversation_state"] == "agent"
    assert await queue_items(desk_api, agent) == []
    last = (await history(desk_api, chat))[-1]
    assert last["sender"] == "system" and last["text"].startswith("客服王芳已接入")
    assert "agent1" not in last["text"]  # the display name only, never the login
    turn = await say(desk_api, chat, "你好")
    assert turn.json() == {"replies": [], "state": "agent", "handoff": None}


async def test_a_taken_closed_or_cancelled_handoff_is_409(desk_api: httpx.AsyncClient) -> None:
    taken = await queued_chat(desk_api)
    closed = await queued_chat(desk_api)
    left = await queued_chat(desk_api)
    one, two = await login(desk_api, "agent1"), await login(desk_api, "agent2")
    ids = {name: await handoff_of(desk_api, one, chat) for name, chat in
           [("taken", taken), ("closed", closed), ("left", left)]}  # fmt: skip
    assert (
        await desk_api.post(f"/api/agent/handoffs/{ids['taken']}/claim", headers=one)
    ).status_code == 200
    again = await desk_api.post(f"/api/agent/handoffs/{ids['taken']}/claim", headers=two)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_claimed"

    await desk_api.post(f"/api/agent/handoffs/{ids['closed']}/claim", headers=one)
    done = await desk_api.post(
        f"/api/agent/handoffs/{ids['closed']}/close",
        json={"resolution": "answered", "return_to_bot": False},
        headers=one,
    )
    assert done.status_code == 200
    late = await desk_api.post(f"/api/agent/handoffs/{ids['closed']}/claim", headers=two)
    assert late.status_code == 409 and late.json()["error"]["code"] == "handoff_closed"

    assert (await say(desk_api, left, "/leave_queue")).json()["state"] == "closed"
    gone = await desk_api.post(f"/api/agent/handoffs/{ids['left']}/claim", headers=two)
    assert gone.status_code == 409 and gone.json()["error"]["code"] == "handoff_cancelled"

    missing = await desk_api.post("/api/agent/handoffs/999999/claim", headers=two)
    assert missing.status_code == 404


async def test_an_agent_serves_at_most_three_chats(desk_api: httpx.AsyncClient) -> None:
    chats = [await queued_chat(desk_api) for _ in range(4)]
    agent = await login(desk_api, "agent1")
    ids = [await handoff_of(desk_api, agent, chat) for chat in chats]
    for handoff_id in ids[:3]:
        ok = await desk_api.post(f"/api/agent/handoffs/{handoff_id}/claim", headers=agent)
        assert ok.status_code == 200
    fourth = await desk_api.post(f"/api/agent/handoffs/{ids[3]}/claim", headers=agent)
    assert fourth.status_code == 409 and fourth.json()["error"]["code"] == "at_capacity"
    assert [item["id"] for item in await queue_items(desk_api, agent)] == [ids[3]]
    # Closing one frees a place.
    await desk_api.post(
        f"/api/agent/handoffs/{ids[0]}/close",
        json={"resolution": "done", "return_to_bot": True},
        headers=agent,
    )
    assert (
        await desk_api.post(f"/api/agent/handoffs/{ids[3]}/claim", headers=agent)
    ).status_code == 200


async def test_parallel_claims_have_exactly_one_winner(desk_api: httpx.AsyncClient) -> None:
    names = ["agent1", "agent2", "agent3", "supervisor1", *await add_agents(desk_api, 4)]
    agents = [
        await login(desk_api, name, "agent1-demo-password" if name.startswith("extra") else None)
        for name in names
    ]
    for _ in range(3):
        chat = await queued_chat(desk_api)
        handoff_id = await handoff_of(desk_api, agents[0], chat)
        results = await asyncio.gather(
            *(desk_api.post(f"/api/agent/handoffs/{handoff_id}/claim", headers=h) for h in agents)
        )
        codes = sorted(r.status_code for r in results)
        assert codes == [200] + [409] * (len(agents) - 1), [r.text for r in results]
        joined = [m for m in await history(desk_api, chat) if m["sender"] == "system"]
        assert len(joined) == 1  # one "agent has joined", from the one winner


async def test_parallel_claims_by_one_agent_respect_capacity(desk_api: httpx.AsyncClient) -> None:
    chats = [await queued_chat(desk_api) for _ in range(6)]
    agent = await login(desk_api, "agent2")
    ids = [await handoff_of(desk_api, agent, chat) for chat in chats]
    results = await asyncio.gather(
        *(desk_api.post(f"/api/agent/handoffs/{i}/claim", headers=agent) for i in ids)
    )
    assert sorted(r.status_code for r in results) == [200] * 3 + [409] * 3
    assert len(await queue_items(desk_api, agent)) == 3
