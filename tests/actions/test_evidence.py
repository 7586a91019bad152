"""actions/evidence.py: each handoff tells the agent why (issue 11, item 7).

The handoff payload carries ``evidence`` (keys of common/evidence.py): the
triggering messages masked, the detector and its score, the intents and FAQs
the engine saw, and whether the customer was verified.
"""

from __future__ import annotations

from actions.escalation import (
    ActionHandoffEmotion,
    ActionHandoffRepeatedQuestion,
)
from actions.fraud import ActionReportFraud
from actions.handoff import ActionHandoffRequestHuman
from common import evidence
from tests.actions.conftest import Chat


def judged(chat: Chat, upset: float = 0.01, fraud: float = 0.0) -> None:
    chat.latest_message["judgement"] = {
        "upset": {"score": upset, "flag": upset >= 0.65, "threshold": 0.65, "source": "model"},
        "fraud_victim": {"score": fraud, "flag": fraud >= 0.3, "threshold": 0.3, "source": "model"},
    }


def faq(chat: Chat, text: str, key: str) -> None:
    chat.user(text, "faq")
    chat.latest_message["response_selector"] = {
        "faq": {"ranking": [{"intent_response_key": f"faq/{key}", "confidence": 0.9}]}
    }


async def test_a_victims_evidence_is_the_detector_its_score_and_the_masked_message(
    chat: Chat,
) -> None:
    chat.user("我的卡6222021234566789的验证码给了自称客服的人，钱被转走了", "faq")
    chat.latest_message["response_selector"] = {
        "faq": {"ranking": [{"intent_response_key": "faq/fraud_prevention", "confidence": 0.7}]}
    }
    judged(chat, fraud=0.97)
    chat.engine_turn()
    turn = await chat.run(ActionReportFraud())
    (why,) = turn.evidence
    assert why[evidence.DETECTOR] == "fraud_victim" and why[evidence.SCORE] == 0.97
    (said,) = why[evidence.MESSAGES]
    assert "6222021234566789" not in said and "6789" in said
    assert why[evidence.INTENTS] == [{"name": "faq", "confidence": 0.9}]
    assert why[evidence.FAQS] == ["fraud_prevention"]
    assert why[evidence.VERIFIED] is False
    assert evidence.clean(why) == why  # what the gateway keeps is what was sent


async def test_rising_frustration_shows_the_messages_it_rose_over(chat: Chat) -> None:
    for text, upset in [
        ("转账还没到", 0.1),
        ("挺急的，快点", 0.45),
        ("每次都说在处理中，有点烦了", 0.5),
    ]:
        chat.user(text, "nlu_fallback")
        judged(chat, upset=upset)
        chat.engine_turn()
    assert chat.slots["escalation"] == "emotion"
    turn = await chat.run(ActionHandoffEmotion())
    (why,) = turn.evidence
    assert why[evidence.DETECTOR] == "upset_rising" and why[evidence.SCORE] == 0.5
    assert why[evidence.MESSAGES] == ["转账还没到", "挺急的，快点", "每次都说在处理中，有点烦了"]


async def test_a_repeated_need_shows_each_asking(chat_en: Chat) -> None:
    for text in ("opening hours?", "when are you open", "what time do you open"):
        faq(chat_en, text, "opening_hours")
        chat_en.engine_turn()
    turn = await chat_en.run(ActionHandoffRepeatedQuestion())
    (why,) = turn.evidence
    assert why[evidence.DETECTOR] == "repeated_question"
    assert why[evidence.MESSAGES] == [
        "opening hours?",
        "when are you open",
        "what time do you open",
    ]
    assert why[evidence.FAQS] == ["opening_hours"]


async def test_a_request_for_a_person_says_who_asked_and_the_verification(chat: Chat) -> None:
    chat.slots["verified_customer_id"] = "1"
    chat.user("转人工，我的手机13812345678", "request_human")
    turn = await chat.run(ActionHandoffRequestHuman())
    (why,) = turn.evidence
    assert why[evidence.DETECTOR] == "request" and why[evidence.VERIFIED] is True
    assert why[evidence.MESSAGES] == ["转人工，我的手机138****5678"]
