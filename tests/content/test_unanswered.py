"""The Unanswered page's API: missed messages grouped, taken up by a change, dismissed.

Missed messages come from real turns through the gateway (a scripted engine
saying "please rephrase"); the FAQ store is seeded from the repository copy.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bankbot.bench_content import new_faq_payload
from handoff.services.engine import BotReply
from tests.support.desk import say, script_engine, start_chat

ACTIVATION = ["新卡怎么激活啊", "新卡要怎么激活", "我的新卡怎么激活 13800138000"]
OTHER = ["天气怎么样"]


def _rephrase(text: str) -> list[BotReply]:
    if text in OTHER:
        return [BotReply(text="抱歉，这个问题超出了我能为您解答的范围。")]
    return [BotReply(text="请您换个说法"), BotReply(custom={"outcome": "fallback"})]


async def _missed(api: httpx.AsyncClient, texts: list[str]) -> None:
    script_engine(api, _rephrase)
    for text in texts:
        chat = await start_chat(api)
        await say(api, chat, text)


async def _clusters(api: httpx.AsyncClient, headers: dict[str, str], **params: str) -> Any:
    response = await api.get("/api/content/unanswered", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_similar_messages_form_one_group_with_its_nearest_faq(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]]
) -> None:
    await _missed(content_api, ACTIVATION + OTHER)
    data = await _clusters(content_api, staff["editor1"])
    assert data["messages"] == 4
    top = data["items"][0]
    assert top["count"] == 3 and top["outcomes"] == {"fallback": 3}
    assert "我的新卡怎么激活 138****8000" in top["examples"]  # masked like transcripts
    assert all("13800138000" not in text for text in top["examples"])
    masked = ["新卡怎么激活啊", "新卡要怎么激活", "我的新卡怎么激活 138****8000"]
    assert set(top["messages"]["zh"]) == set(masked)
    assert top["first_seen"] <= top["last_seen"]
    assert top["nearest_faq"]["id"] in {"card_replacement", "card_lost_info", "credit_card_apply"}
    other = data["items"][1]
    assert other["count"] == 1 and other["outcomes"] == {"out_of_scope": 1}
    assert (await _clusters(content_api, staff["editor1"], language="en"))["items"] == []


async def test_a_new_faq_takes_the_group_off_until_its_change_is_withdrawn(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]]
) -> None:
    await _missed(content_api, ACTIVATION)
    group = (await _clusters(content_api, staff["editor1"]))["items"][0]
    payload = new_faq_payload()
    payload["examples"]["zh"] += group["messages"]["zh"]
    payload["unanswered"] = group["ids"]
    created = await content_api.post("/api/content/faqs", json=payload, headers=staff["editor1"])
    assert created.status_code == 201, created.text
    assert (await _clusters(content_api, staff["editor1"]))["items"] == []
    change_id = created.json()["id"]
    withdrawn = await content_api.post(
        f"/api/content/changes/{change_id}/withdraw", headers=staff["editor1"]
    )
    assert withdrawn.status_code == 200, withdrawn.text
    back = (await _clusters(content_api, staff["editor1"]))["items"]
    assert [g["ids"] for g in back] == [group["ids"]]


async def test_examples_added_to_an_existing_faq_take_the_group_off(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]]
) -> None:
    await _missed(content_api, ACTIVATION)
    group = (await _clusters(content_api, staff["editor1"]))["items"][0]
    faq = (await content_api.get("/api/content/faqs/card_replacement", headers=staff["editor1"]))
    content = faq.json()["content"]
    content["examples"]["zh"] += group["messages"]["zh"]
    edited = await content_api.put(
        "/api/content/faqs/card_replacement",
        json={**content, "unanswered": group["ids"]},
        headers=staff["editor1"],
    )
    assert edited.status_code == 201, edited.text
    assert (await _clusters(content_api, staff["editor1"]))["items"] == []


async def test_unknown_ids_save_nothing(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]]
) -> None:
    payload = {**new_faq_payload(), "unanswered": [987654]}
    response = await content_api.post("/api/content/faqs", json=payload, headers=staff["editor1"])
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "unknown_messages"
    changes = await content_api.get("/api/content/changes", headers=staff["editor1"])
    assert all(c["faq_id"] != "card_activation" for c in changes.json()["items"])


async def test_a_dismissed_group_leaves_for_good(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]]
) -> None:
    await _missed(content_api, OTHER)
    group = (await _clusters(content_api, staff["editor1"]))["items"][0]
    response = await content_api.post(
        "/api/content/unanswered/dismiss", json={"ids": group["ids"]}, headers=staff["editor1"]
    )
    assert response.status_code == 200 and response.json() == {"dismissed": 1}
    assert (await _clusters(content_api, staff["editor1"]))["items"] == []


@pytest.mark.parametrize(
    "body", [{}, {"ids": []}, {"ids": ["x"]}, {"ids": [1], "more": 1}, {"ids": [424242]}]
)
async def test_a_bad_dismissal_is_a_4xx(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]], body: Any
) -> None:
    response = await content_api.post(
        "/api/content/unanswered/dismiss", json=body, headers=staff["editor1"]
    )
    assert response.status_code == 422 and "error" in response.json()


@pytest.mark.parametrize("who", ["supervisor1", "agent1"])
async def test_only_editors_see_unanswered(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]], who: str
) -> None:
    assert (await content_api.get("/api/content/unanswered", headers=staff[who])).status_code == 403
    response = await content_api.post(
        "/api/content/unanswered/dismiss", json={"ids": [1]}, headers=staff[who]
    )
    assert response.status_code == 403
