"""The whole conversation counts (issue 11, item 4): multi-turn, on the real stack.

Frustration rising over turns, the bot misunderstanding twice (not in a row),
reach a person; calm conversations over several topics and calm follow-ups
stay with the bot, however long.
"""

from __future__ import annotations

import httpx
import pytest

from tests.integration.test_escalation import assert_queued, supervisor  # noqa: F401 - fixture
from tests.support.customer import Customer, reply_text

pytestmark = pytest.mark.integration


def test_frustration_rising_over_turns_reaches_a_person_with_high_priority(
    gateway: httpx.Client,
    supervisor: dict[str, str],  # noqa: F811 - the fixture
) -> None:
    """No single message is upset enough on its own; together they are.

    The mildly annoyed fourth message may open the complaint form (the model
    reads it as a complaint); then the rise is noticed inside the form: the
    complaint is registered with what was said, and a person takes over.
    """
    customer = Customer(gateway, language="zh")
    for text in ("我的转账昨天发的，到现在还没到", "我知道要一两天，但挺急的"):
        turn = customer.say(text)
        assert turn["handoff"] is None, reply_text(turn)
    for text in ("已经过了24小时了，还是没到啊", "每次都说在处理中，有点烦了",
                 "说实话我对你们挺失望的，能不能给个准话"):  # fmt: skip
        turn = customer.say(text)
        if turn["handoff"]:
            break
    reason = (turn["handoff"] or {}).get("reason")
    if reason == "complaint":
        assert "您的投诉已登记，受理编号：TS" in reply_text(turn)
        assert "非常抱歉给您带来不便" in reply_text(turn)
    else:
        assert "非常抱歉给您带来了不好的体验" in reply_text(turn)
    assert_queued(gateway, supervisor, customer, turn, reason or "emotion", "high", "zh")


@pytest.mark.parametrize(
    ("language", "turns"),
    [
        (
            "zh",
            [
                "那个东西怎么弄",
                "你们几点开门",
                "那个黄色的东西是什么",
            ],
        ),
        (
            "en",
            [
                "how do i do the thing",
                "what are your opening hours",
                "what is that blue icon at the bottom of the home page for",
            ],
        ),
    ],
)
def test_misunderstood_twice_in_three_messages_reaches_a_person(
    gateway: httpx.Client,
    supervisor: dict[str, str],  # noqa: F811 - the fixture
    language: str,
    turns: list[str],
) -> None:
    customer = Customer(gateway, language=language)
    for text in turns[:-1]:
        turn = customer.say(text)
        assert turn["handoff"] is None, reply_text(turn)
    turn = customer.say(turns[-1])
    assert_queued(gateway, supervisor, customer, turn, "low_confidence", "normal", language)


@pytest.mark.parametrize(
    ("language", "turns"),
    [
        ("zh", ["信用卡年费多少", "那积分呢", "怎么办", "你们几点开门", "那周末呢", "谢谢"]),
        (
            "en",
            [
                "I'm a foreigner working here, can I open an account?",
                "what documents should I bring?",
                "what are your opening hours",
                "and on weekends?",
                "then what?",
                "great, thanks",
            ],
        ),
    ],
)
def test_calm_multi_topic_follow_ups_stay_with_the_bot(
    gateway: httpx.Client, language: str, turns: list[str]
) -> None:
    customer = Customer(gateway, language=language)
    for text in turns:
        turn = customer.say(text)
        assert turn["handoff"] is None and turn["state"] == "bot", (text, reply_text(turn))
