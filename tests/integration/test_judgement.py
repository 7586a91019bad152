"""The learned judgement reaches the engine's parse and the conversation's tracker.

The real engine with the trained model: ``judgement`` (bot/judgement.py) is in
``/model/parse`` and in each user event's ``parse_data``, where the dialogue
and the gateway read it.
"""

from __future__ import annotations

import httpx
import pytest

from bankbot.local_stack import RunningStack
from tests.support.customer import Customer

pytestmark = pytest.mark.integration


def engine(stack: RunningStack) -> httpx.Client:
    return httpx.Client(
        base_url=stack.config.engine_url, params={"token": stack.config.engine_token}, timeout=30
    )


@pytest.mark.parametrize(
    ("text", "upset", "victim"),
    [
        ("气死我了，转账三天还没到！！！", True, False),
        ("你们几点开门？", False, False),
        ("I gave my PIN to a man who called saying he was from the bank", False, True),
        ("How do I spot a phishing text?", False, False),
    ],
)
def test_model_parse_carries_the_judgement(
    stack: RunningStack, text: str, upset: bool, victim: bool
) -> None:
    with engine(stack) as client:
        response = client.post("/model/parse", json={"text": text})
    assert response.status_code == 200, response.text
    judgement = response.json()["judgement"]
    assert judgement["upset"]["flag"] is upset, judgement
    assert judgement["fraud_victim"]["flag"] is victim, judgement
    assert judgement["upset"]["source"] == judgement["fraud_victim"]["source"] == "model"


def test_the_trackers_user_event_keeps_the_judgement(
    gateway: httpx.Client, stack: RunningStack
) -> None:
    customer = Customer(gateway, language="en")
    customer.say("What are your opening hours?")
    with engine(stack) as client:
        response = client.get(f"/conversations/{customer.id}/tracker")
    assert response.status_code == 200, response.text
    said = [e for e in response.json()["events"] if e["event"] == "user"]
    assert said and said[-1]["text"] == "What are your opening hours?"
    judgement = said[-1]["parse_data"]["judgement"]
    assert judgement["upset"]["flag"] is False and judgement["fraud_victim"]["flag"] is False
    assert 0.0 <= judgement["upset"]["score"] <= 1.0


@pytest.mark.parametrize(
    "text",
    # (Rasa's /model/parse itself refuses an empty text; the gateway never sends one)
    ["😡😡😡", "A" * 4000, "<script>alert(1)</script>", "?!?!?!?!?!", "WHERE IS MY MONEY"],
)
def test_odd_messages_are_judged_without_error(stack: RunningStack, text: str) -> None:
    with engine(stack) as client:
        response = client.post("/model/parse", json={"text": text})
    assert response.status_code == 200, response.text
    assert set(response.json()["judgement"]) == {"upset", "fraud_victim", "fraud_prevention"}
