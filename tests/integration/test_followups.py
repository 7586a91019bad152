"""Follow-ups read against the topic just discussed (issue 11, item 6), on the real stack.

After an answer or the fraud warning, "怎么办", "那周末呢", "and abroad?",
"then what?" are answered about that topic (bot/followup.py), where alone they
would be out of scope or "please rephrase". The same words with nothing
answered before stay what they are.
"""

from __future__ import annotations

import httpx
import pytest

from tests.support.customer import Customer, reply_text

pytestmark = pytest.mark.integration

OUT_OF_SCOPE = ("超出了我能为您解答的范围", "outside what I can help with")
REPHRASE = ("再描述一遍", "describe the question once more", "did you mean", "下面哪个问题")


def not_a_miss(said: str) -> None:
    assert not any(marker.lower() in said.lower() for marker in OUT_OF_SCOPE + REPHRASE), said


@pytest.mark.parametrize(
    ("language", "first", "followup"),
    [
        ("zh", "有人让我转到安全账户，这是真的吗", "怎么办"),
        ("en", "how can I protect myself from phone scams?", "what should I do now?"),
    ],
)
def test_what_now_after_the_fraud_warning_is_the_warning_again(
    gateway: httpx.Client, language: str, first: str, followup: str
) -> None:
    customer = Customer(gateway, language=language)
    warning = customer.say(first)
    assert warning["handoff"] is None, reply_text(warning)
    turn = customer.say(followup)
    said = reply_text(turn)
    not_a_miss(said)
    assert ("安全账户" if language == "zh" else "safe account") in said
    assert turn["handoff"] is None and turn["state"] == "bot"


@pytest.mark.parametrize(
    ("language", "first", "followups", "expected"),
    [
        ("zh", "你们几点开门", ["那周末呢"], "09:00"),
        ("en", "what are your opening hours", ["and on weekends?", "then what?"], "09:00"),
        (
            "en",
            "how much does it cost to send money to another bank?",
            ["and abroad?"],
            "Outward remittances",
        ),
    ],
)
def test_a_short_follow_up_is_answered_about_the_topic(
    gateway: httpx.Client, language: str, first: str, followups: list[str], expected: str
) -> None:
    customer = Customer(gateway, language=language)
    customer.say(first)
    for followup in followups:
        turn = customer.say(followup)
        said = reply_text(turn)
        not_a_miss(said)
        assert expected in said and turn["handoff"] is None, said


@pytest.mark.parametrize(("language", "text"), [("zh", "怎么办"), ("en", "what should I do now?")])
def test_without_a_topic_a_bare_follow_up_is_not_guessed(
    gateway: httpx.Client, language: str, text: str
) -> None:
    turn = Customer(gateway, language=language).say(text)
    said = reply_text(turn)
    assert "安全账户" not in said and "safe account" not in said
    assert turn["handoff"] is None
