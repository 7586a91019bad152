"""Each handoff carries its evidence to the gateway (issue 11, item 7), on the real stack.

What the engine and the action server send the gateway with a handoff, read
where the gateway reads it: the replies of the engine's REST channel (the
gateway calls it with the message and ``metadata``). The evidence's keys are
``common/evidence.py``'s; the triggering messages arrive masked.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from bankbot.local_stack import RunningStack
from common import evidence

pytestmark = pytest.mark.integration


def say(stack: RunningStack, sender: str, text: str, language: str) -> list[dict[str, Any]]:
    """One message to the engine's REST channel, as the gateway sends it."""
    response = httpx.post(
        f"{stack.config.engine_url}/webhooks/rest/webhook",
        json={
            "sender": sender,
            "message": text,
            "metadata": {"language": language, "channel": "web"},
        },
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return list(response.json())


def handoff_of(replies: list[dict[str, Any]]) -> dict[str, Any]:
    found = [r["custom"]["handoff"] for r in replies if "handoff" in (r.get("custom") or {})]
    assert len(found) == 1, replies
    return found[0]


def test_a_fraud_victims_handoff_carries_the_detector_and_the_masked_message(
    stack: RunningStack,
) -> None:
    text = "我把验证码告诉了一个自称银行的人，卡6222021234566789里的钱被转走了"
    handoff = handoff_of(say(stack, uuid.uuid4().hex, text, "zh"))
    assert (handoff["reason"], handoff["priority"]) == ("fraud_risk", "urgent")
    why = handoff["evidence"]
    assert why[evidence.DETECTOR] == "fraud_victim" and 0.0 < why[evidence.SCORE] <= 1.0
    (said,) = why[evidence.MESSAGES]
    assert "6222021234566789" not in said and "验证码" in said
    assert why[evidence.VERIFIED] is False
    assert why[evidence.INTENTS] and evidence.clean(why) == why


def test_a_repeated_need_carries_each_asking(stack: RunningStack) -> None:
    sender = uuid.uuid4().hex
    asked = ["what are your opening hours", "when are you open", "are you open on weekends"]
    for text in asked[:2]:
        say(stack, sender, text, "en")
    handoff = handoff_of(say(stack, sender, asked[2], "en"))
    assert handoff["reason"] == "repeated_question"
    why = handoff["evidence"]
    assert why[evidence.DETECTOR] == "repeated_question"
    assert why[evidence.MESSAGES] == asked
    assert "opening_hours" in why[evidence.FAQS]
