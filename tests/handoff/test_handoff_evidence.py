"""Why a handoff happened, the agents' "false alarm" verdicts, and what each turn records.

The engine is scripted (its payloads are the protocol's, `common.payloads`);
the gateway, its database and the agent API are real.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from common import evidence
from handoff.models import Conversation, TurnOutcome
from handoff.services.engine import BotReply
from tests.support.desk import (  # noqa: F401 - fixtures
    context,
    handoff_of,
    login,
    real_time_fixture,
    say,
    script_engine,
    start_chat,
)

UPSET = "问了几遍了到底有没有人管 13800138000"


def _script(text: str) -> list[BotReply]:
    if text.startswith("问了几遍"):
        return [
            BotReply(text="非常抱歉给您带来不便，正在为您转接人工客服。"),
            BotReply(
                custom={
                    "handoff": {
                        "reason": "emotion",
                        "priority": "high",
                        "evidence": evidence.build(
                            messages=[text],
                            detector="upset",
                            score=0.91,
                            intents=[("faq", 0.41), ("request_human", 0.3)],
                            faqs=["opening_hours"],
                            verified=False,
                        ),
                    }
                }
            ),
        ]
    if text.startswith("几点"):
        return [BotReply(text="我们9点开门。"), BotReply(custom={"faq": "opening_hours"})]
    if text.startswith("asdf"):
        return [BotReply(text="请您换个说法"), BotReply(custom={"outcome": "fallback"})]
    if text.startswith("天气"):
        return [BotReply(text="抱歉，这个问题超出了我能为您解答的范围。")]
    if text.lstrip("/\uff0f").startswith("choose_faq"):
        return [BotReply(text="转账手续费……"), BotReply(custom={"faq": "transfer_fees"})]
    if text.startswith("我要转人工"):
        return [
            BotReply(text="正在转接"),
            BotReply(custom={"handoff": {"reason": "request_human", "priority": "normal"}}),
        ]
    return [BotReply(text="好的")]


async def _upset_handoff(api: httpx.AsyncClient) -> tuple[Any, int, dict[str, str]]:
    script_engine(api, _script)
    chat = await start_chat(api)
    await say(api, chat, "几点开门")
    turn = await say(api, chat, UPSET)
    assert turn.json()["handoff"]["reason"] == "emotion"
    agent = await login(api, "agent1")
    handoff_id = await handoff_of(api, agent, chat)
    claimed = await api.post(f"/api/agent/handoffs/{handoff_id}/claim", headers=agent)
    assert claimed.status_code == 200
    return chat, handoff_id, agent


async def test_the_agent_sees_why_with_numbers_masked(api: httpx.AsyncClient) -> None:
    _, handoff_id, agent = await _upset_handoff(api)
    detail = (await api.get(f"/api/agent/handoffs/{handoff_id}", headers=agent)).json()
    why = detail["evidence"]
    assert why["reported"] is True
    assert why["messages"] == ["问了几遍了到底有没有人管 138****8000"]
    assert why["detector"] == "upset" and why["score"] == 0.91
    assert why["intents"][0] == {"name": "faq", "confidence": 0.41}
    assert why["faqs"] == ["opening_hours"] and why["verified"] is False
    assert why["dispute_label"] == "not_upset" and why["dispute"] is None


async def test_without_reported_evidence_the_gateway_fills_it_in(api: httpx.AsyncClient) -> None:
    script_engine(api, _script)
    chat = await start_chat(api)
    await say(api, chat, "我要转人工 卡号 6222 0212 3456 7890 123")
    agent = await login(api, "agent1")
    handoff_id = await handoff_of(api, agent, chat)
    await api.post(f"/api/agent/handoffs/{handoff_id}/claim", headers=agent)
    why = (await api.get(f"/api/agent/handoffs/{handoff_id}", headers=agent)).json()["evidence"]
    assert why["reported"] is False
    assert why["detector"] == "request_human" and why["score"] is None
    assert why["messages"] == ["我要转人工 卡号 **** 0123"]
    assert why["dispute_label"] is None  # only the detectors' handoffs can be disputed


async def test_a_dispute_is_kept_masked_counted_and_listed(api: httpx.AsyncClient) -> None:
    _, handoff_id, agent = await _upset_handoff(api)
    url = f"/api/agent/handoffs/{handoff_id}/dispute"
    wrong = await api.post(url, json={"label": "not_fraud"}, headers=agent)
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "label_not_applicable"
    marked = await api.post(url, json={"label": "not_upset"}, headers=agent)
    assert marked.status_code == 201, marked.text
    assert marked.json()["dispute"]["label"] == "not_upset"
    assert marked.json()["dispute"]["by"]
    again = await api.post(url, json={"label": "not_upset"}, headers=agent)
    assert again.status_code == 409
    detail = (await api.get(f"/api/agent/handoffs/{handoff_id}", headers=agent)).json()
    assert detail["evidence"]["dispute"]["label"] == "not_upset"

    editor = await login(api, "editor1")
    export = await api.get("/api/content/disputes.csv", headers=editor)
    assert export.status_code == 200
    assert "not_upset" in export.text and "138****8000" in export.text
    assert "13800138000" not in export.text
    assert (await api.get("/api/content/disputes.csv", headers=agent)).status_code == 403

    supervisor = await login(api, "supervisor1")
    figures = (await api.get("/api/agent/metrics", headers=supervisor)).json()
    assert figures["disputes"] == {"not_upset": 1}


@pytest.mark.parametrize(
    "body",
    [{}, {"label": "upset"}, {"label": None}, {"label": "not_upset", "extra": 1}, []],
)
async def test_a_malformed_dispute_is_a_4xx(api: httpx.AsyncClient, body: Any) -> None:
    _, handoff_id, agent = await _upset_handoff(api)
    response = await api.post(f"/api/agent/handoffs/{handoff_id}/dispute", json=body, headers=agent)
    assert response.status_code == 422
    assert "error" in response.json()


async def test_only_who_may_see_the_handoff_may_dispute_it(api: httpx.AsyncClient) -> None:
    _, handoff_id, _ = await _upset_handoff(api)
    url = f"/api/agent/handoffs/{handoff_id}/dispute"
    other = await login(api, "agent2")
    assert (await api.post(url, json={"label": "not_upset"}, headers=other)).status_code == 403
    editor = await login(api, "editor1")
    assert (await api.post(url, json={"label": "not_upset"}, headers=editor)).status_code == 403
    missing = f"/api/agent/handoffs/{handoff_id + 99}/dispute"
    supervisor = await login(api, "supervisor1")
    response = await api.post(missing, json={"label": "not_upset"}, headers=supervisor)
    assert response.status_code == 404


async def test_each_turn_records_how_the_bot_did(api: httpx.AsyncClient) -> None:
    script_engine(api, _script)
    created = await api.post(
        "/api/conversations", json={"channel": "web", "language": "zh", "browser": "b" * 32}
    )
    body = created.json()
    from tests.support.desk import Chat

    chat = Chat(body["conversation_id"], body["token"])
    for text in ("几点开门", "asdf qwer", "天气怎么样 13800138000", "/choose_faq", "/greet"):
        await say(api, chat, text)
    async with context(api).sessions() as session:
        rows = list(
            await session.scalars(
                select(TurnOutcome)
                .where(TurnOutcome.conversation_id == chat.id)
                .order_by(TurnOutcome.seq)
            )
        )
        conversation = await session.get(Conversation, chat.id)
    assert [(r.outcome, r.faq_key) for r in rows] == [
        ("answered", "opening_hours"),
        ("fallback", None),
        ("out_of_scope", None),
        ("answered", "transfer_fees"),  # a "did you mean" button's question counts
    ]  # the other button press is not a question
    assert rows[0].text is None  # answered questions keep no text
    assert rows[2].text == "天气怎么样 138****8000"
    assert conversation is not None and conversation.browser_hash not in (None, "b" * 32)
    assert rows[0].customer_key == conversation.browser_hash


@pytest.mark.parametrize("browser", ["short", "x" * 65, "has space inside", 12345678])
async def test_a_bad_browser_id_is_refused(api: httpx.AsyncClient, browser: Any) -> None:
    response = await api.post(
        "/api/conversations", json={"channel": "web", "language": "zh", "browser": browser}
    )
    assert response.status_code == 422


async def test_verification_links_the_conversation_to_the_customer(
    api: httpx.AsyncClient,
) -> None:
    def script(text: str) -> list[BotReply]:
        if text == "验证":
            return [
                BotReply(text="验证成功"),
                BotReply(custom={"verified": {"at": "2026-12-01T08:00:00Z", "customer": "c" * 32}}),
            ]
        return _script(text)

    script_engine(api, script)
    chat = await start_chat(api)
    await say(api, chat, "几点开门")
    await say(api, chat, "验证")
    async with context(api).sessions() as session:
        conversation = await session.get(Conversation, chat.id)
        keys = list(
            await session.scalars(
                select(TurnOutcome.customer_key).where(TurnOutcome.conversation_id == chat.id)
            )
        )
    assert conversation is not None and conversation.customer_ref == "c" * 32
    assert keys and set(keys) == {"c" * 32}
