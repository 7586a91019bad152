"""A whole round trip on the real stack, in both languages (issue 6, "done when").

customer → handoff → an agent claims → messages both ways → the agent closes
with ``return_to_bot`` → the bot answers again. The agent works through the
public agent API exactly as the console does. Whatever the test claims it
closes, so no agent is left holding chats on the shared stack.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bankbot.local_stack import RunningStack
from tests.integration.test_escalation import login, queue_entry
from tests.support.customer import Customer, reply_text

pytestmark = pytest.mark.integration

SCRIPT = {
    "zh": {
        "ask": "我要转人工",
        "agent": "您好，我是客服王芳，请问有什么可以帮您？",
        "customer": "我想确认一下昨天的转账是否到账",
        "faq": "你们几点开门",
        "back": "智能客服将继续为您服务",
    },
    "en": {
        "ask": "I want to talk to a person",
        "agent": "Hello, this is Wang Fang from Harbour Bank. How can I help you?",
        "customer": "I'd like to check whether yesterday's transfer arrived",
        "faq": "what are your opening hours",
        "back": "virtual assistant is here again",
    },
}


@pytest.fixture
def agent(stack: RunningStack) -> Iterator[tuple[httpx.Client, dict[str, str]]]:
    """agent1's session on the shared stack's gateway."""
    with httpx.Client(base_url=stack.gateway_url, timeout=30) as client:
        headers = login(client, "agent1")
        yield client, headers


def transcript(client: httpx.Client, headers: dict[str, str], handoff_id: int) -> dict[str, Any]:
    response = client.get(f"/api/agent/handoffs/{handoff_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_customer_agent_and_back_to_the_bot(
    gateway: httpx.Client, agent: tuple[httpx.Client, dict[str, str]], language: str
) -> None:
    script = SCRIPT[language]
    desk, staff = agent
    customer = Customer(gateway, language=language)

    # customer -> handoff
    turn = customer.say(script["ask"])
    assert turn["state"] == "queued" and turn["handoff"]["reason"] == "request_human"
    entry = queue_entry(desk, staff, customer)
    handoff_id = entry["id"]

    # the agent claims it; the customer is told who joined
    claimed = desk.post(f"/api/agent/handoffs/{handoff_id}/claim", headers=staff)
    assert claimed.status_code == 200, claimed.text
    closed = False
    try:
        history = customer.history()
        assert history[-1]["sender"] == "system" and "王芳" in history[-1]["text"]

        # agent -> customer
        sent = desk.post(
            f"/api/agent/handoffs/{handoff_id}/messages",
            json={"text": script["agent"]},
            headers=staff,
        )
        assert sent.status_code == 201, sent.text
        seen = customer.history()[-1]
        assert (seen["sender"], seen["text"], seen["agent_name"]) == (
            "agent",
            script["agent"],
            "王芳",
        )

        # customer -> agent: the bot stays silent, the agent reads it
        turn = customer.say(script["customer"])
        assert turn["state"] == "agent" and turn["replies"] == [] and turn["handoff"] is None
        detail = transcript(desk, staff, handoff_id)
        assert (detail["reason"], detail["priority"]) == ("request_human", "normal")
        said = [m for m in detail["transcript"] if m["sender"] == "customer"]
        assert said[-1]["text"] == script["customer"]

        # close, back to the bot
        response = desk.post(
            f"/api/agent/handoffs/{handoff_id}/close",
            json={"resolution": "answered the customer's question", "return_to_bot": True},
            headers=staff,
        )
        assert response.status_code == 200, response.text
        closed = True
        assert script["back"] in " ".join(m["text"] for m in customer.history()[-2:])
    finally:
        if not closed:  # never leave agent1 holding a chat on the shared stack
            desk.post(
                f"/api/agent/handoffs/{handoff_id}/close",
                json={"resolution": "test cleanup", "return_to_bot": False},
                headers=staff,
            )

    # the bot answers again
    turn = customer.say(script["faq"])
    assert turn["state"] == "bot" and turn["handoff"] is None
    assert "09:00" in reply_text(turn), reply_text(turn)
    queue = desk.get("/api/agent/queue", headers=staff).json()["items"]
    assert customer.id not in {i["conversation_id"] for i in queue}


def test_a_question_asked_twice_before_and_once_after_an_agent_is_not_a_repeat(
    gateway: httpx.Client, agent: tuple[httpx.Client, dict[str, str]]
) -> None:
    """Counting the same need starts again after a person has dealt with the conversation."""
    desk, staff = agent
    customer = Customer(gateway, language="zh")
    for _ in range(2):
        assert "09:00" in reply_text(customer.say("你们几点开门"))
    customer.say("转人工")
    handoff_id = queue_entry(desk, staff, customer)["id"]
    claimed = desk.post(f"/api/agent/handoffs/{handoff_id}/claim", headers=staff)
    response = desk.post(
        f"/api/agent/handoffs/{handoff_id}/close",
        json={"resolution": "explained the opening hours", "return_to_bot": True},
        headers=staff,
    )
    assert claimed.status_code == 200 and response.status_code == 200, response.text
    turn = customer.say("营业时间是什么时候")
    assert turn["handoff"] is None and "09:00" in reply_text(turn), reply_text(turn)
