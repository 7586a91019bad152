"""actions/fraud.py and the victim signal of actions/escalation.py.

A fraud victim is recognised by the learned detector's flag whichever of the
two look-alike labels (``report_fraud``, the prevention FAQ) the classifier
put first; ``report_fraud`` alone counts only when the detector could not read
the words. The tests play the parse data the engine sends (intent, FAQ
ranking, ``judgement``) and read what ``action_track_escalation`` makes due,
then run the action the escalation policy predicts.
"""

from __future__ import annotations

from typing import Any

import pytest

from actions.deps import Deps
from actions.domain_faqs import answer
from actions.escalation import ActionTrackEscalation, victim_signal
from actions.fraud import ActionReportFraud
from tests.actions.conftest import DOMAIN, ZHANG, Chat


def judged(chat: Chat, victim: bool, score: float, source: str = "model") -> None:
    """Put the detectors' judgement on the latest message, as bot/judgement.py does."""
    chat.latest_message["judgement"] = {
        "upset": {"score": 0.01, "flag": False, "kind": None, "source": source},
        "fraud_victim": {"score": score, "flag": victim, "source": source},
    }


def prevention_faq(chat: Chat, text: str) -> None:
    """The classifier chose the prevention FAQ, confidently."""
    chat.user(text, "faq")
    chat.latest_message["response_selector"] = {
        "faq": {"ranking": [{"intent_response_key": "faq/fraud_prevention", "confidence": 0.9}]}
    }


async def due(chat: Chat) -> Any:
    await chat.run(ActionTrackEscalation())
    return chat.slots.get("escalation")


@pytest.mark.parametrize(
    "text",
    [
        "我按他说的把钱转到了安全账户",
        "I typed my PIN into the link in that text and now money is gone",
    ],
)
async def test_a_flagged_victim_is_due_even_when_the_faq_ranked_first(
    chat: Chat, text: str
) -> None:
    prevention_faq(chat, text)
    judged(chat, victim=True, score=0.93)
    assert await due(chat) == "fraud_risk"
    assert chat.slots.get("need_counts") in (None, {})  # a victim is not a need counted


async def test_a_flagged_victim_is_due_with_the_report_intent_too(chat: Chat) -> None:
    chat.user("someone asked me for my sms code and I gave it", "report_fraud")
    judged(chat, victim=True, score=0.97)
    assert await due(chat) == "fraud_risk"


async def test_a_prevention_question_the_detector_clears_gets_the_faq(chat: Chat) -> None:
    prevention_faq(chat, "怎么防止电信诈骗")
    judged(chat, victim=False, score=0.02)
    assert await due(chat) is None
    # nor does a report_fraud top intent on words the detector read as prevention
    chat.user("what are the warning signs of a romance scam?", "report_fraud")
    judged(chat, victim=False, score=0.03)
    assert await due(chat) is None


@pytest.mark.parametrize(
    ("text", "source"),
    [("我被骗了", "rules"), ("/report_fraud", "model"), ("I've been scammed", None)],
)
async def test_the_report_intent_counts_when_the_detector_could_not_read_the_words(
    chat: Chat, text: str, source: str | None
) -> None:
    chat.user(text, "report_fraud")
    if source is not None:
        judged(chat, victim=False, score=0.0, source=source)
    assert victim_signal(chat.latest_message) == "intent"
    assert await due(chat) == "fraud_risk"


def judged_upset(chat: Chat, fraud: float, upset: float = 0.99) -> None:
    """Both detectors flagged the message (a victim is often distressed too)."""
    judged(chat, victim=True, score=fraud)
    chat.latest_message["judgement"]["upset"] = {
        "score": upset,
        "flag": True,
        "kind": "distress",
        "source": "model",
    }


async def test_a_sure_victim_wins_over_an_upset_customer(chat: Chat) -> None:
    chat.user("救命 我被骗了 转到了安全账户", "nlu_fallback", emotion="distress")
    judged_upset(chat, fraud=0.99)
    assert await due(chat) == "fraud_risk"


async def test_an_upset_victim_the_classifier_reads_as_fraud_is_a_victim(chat: Chat) -> None:
    chat.user("我把验证码给了别人 我现在好怕", "report_fraud", emotion="distress")
    chat.latest_message["intent_ranking"] = [{"name": "report_fraud", "confidence": 0.4}]
    judged_upset(chat, fraud=0.6)
    assert await due(chat) == "fraud_risk"


async def test_an_angry_customer_with_a_middling_victim_score_is_upset(chat: Chat) -> None:
    # "this is ridiculous, I've been waiting three days for my transfer!!!" scored 0.91
    chat.user("this is ridiculous, three days for my transfer!!!", "faq", emotion="anger")
    chat.latest_message["intent_ranking"] = [
        {"name": "faq", "confidence": 0.86},
        {"name": "report_fraud", "confidence": 0.01},
    ]
    judged_upset(chat, fraud=0.91)
    assert victim_signal(chat.latest_message) is None
    assert await due(chat) == "emotion"  # still a person, with the apology


async def test_a_complaint_needs_more_than_a_middling_victim_score(chat: Chat) -> None:
    chat.active_loop = "complaint_form"
    chat.user("柜员态度很差，办业务时对我很不耐烦", "complain")
    judged(chat, victim=True, score=0.36)
    assert await due(chat) is None
    chat.user("有人冒充客服骗走了我的验证码，卡里少了五千", "complain")
    judged(chat, victim=True, score=0.99)
    assert await due(chat) == "fraud_risk"


async def test_a_complaint_opening_with_a_middling_victim_score_is_left_to_the_form(
    chat: Chat,
) -> None:
    """The complaint is registered first; a person reads it right after (the form)."""
    chat.user("我要投诉，今天上午手机银行转账一直报错，钱却扣了", "complain")
    judged(chat, victim=True, score=0.5)
    assert await due(chat) is None
    chat.user("我要投诉，骗子冒充客服骗走了我的验证码，卡里少了五千", "complain")
    judged(chat, victim=True, score=0.99)
    assert await due(chat) == "fraud_risk"  # a sure victim is not kept waiting for a ticket


@pytest.mark.parametrize("text", ["？？？？！！！", "😡😡😡", "12345678", "好" * 2000])
async def test_a_message_without_words_is_no_report(chat: Chat, text: str) -> None:
    chat.user(text, "nlu_fallback")
    judged(chat, victim=True, score=0.33)
    assert await due(chat) is None


@pytest.mark.parametrize("language", ["zh", "en"])
async def test_the_warning_then_an_urgent_handoff(bank: Deps, language: str) -> None:
    chat = Chat(bank, language)
    prevention_faq(chat, "…")
    judged(chat, victim=True, score=0.9)
    await due(chat)
    turn = await chat.run(ActionReportFraud())
    assert turn.messages[0]["text"] == answer(DOMAIN, "fraud_prevention", language)
    assert turn.responses == ["utter_fraud_handoff"]
    assert {"reason": "fraud_risk", "priority": "urgent"} in turn.handoffs
    assert chat.slots["handoff_reason"] == "fraud_risk"
    assert chat.slots["escalation"] is None and chat.slots["need_counts"] == {}


async def test_a_victim_during_verification_stops_the_form_and_its_code(
    chat: Chat, bank: Deps
) -> None:
    from actions.accounts import ActionCheckBalance

    chat.user("查余额", "check_balance")
    await chat.run(ActionCheckBalance())
    chat.user(ZHANG["phone"], "nlu_fallback", phone=ZHANG["phone"])
    await chat.form_turn()
    chat.user(ZHANG["id_last4"])
    await chat.form_turn()
    assert bank.verifications.open_challenge(chat.sender_id) is not None
    chat.user("刚才有人打电话让我把验证码告诉他，我已经说了", "submit_code")
    judged(chat, victim=True, score=0.95)
    assert await due(chat) == "fraud_risk"
    turn = await chat.run(ActionReportFraud())
    assert {"reason": "fraud_risk", "priority": "urgent"} in turn.handoffs
    assert chat.active_loop is None
    assert bank.verifications.open_challenge(chat.sender_id) is None


async def test_a_short_message_with_no_fraud_in_it_needs_a_sure_score(chat: Chat) -> None:
    # a calm customer's "it was about 2pm today" was scored 0.92
    chat.user("it was about 2pm today", "complain")
    judged(chat, victim=True, score=0.92)
    assert await due(chat) is None
    chat.user("被骗了", "report_fraud")
    chat.latest_message["intent_ranking"] = [{"name": "report_fraud", "confidence": 0.9}]
    judged(chat, victim=True, score=0.8)
    assert await due(chat) == "fraud_risk"
