"""The victim signal of common/escalation.py: who is handed over as a fraud victim.

A fraud victim is recognised by the learned detector's flag whichever of the
two look-alike labels (``report_fraud``, the prevention FAQ) the classifier
put first; ``report_fraud`` alone counts only when the detector could not read
the words. The tests play the parse data the engine produces (intent, FAQ
ranking, ``judgement``) and read what :func:`common.escalation.track` makes
due. The warning and the handoff are tested on the action side
(tests/actions/test_fraud.py).
"""

from __future__ import annotations

import pytest

from common.escalation import WEAK_FLAG, victim_signal
from common.text import word_count
from tests.common.talk import Talk


def judged(talk: Talk, victim: bool, score: float, source: str = "model") -> None:
    """Put the detectors' judgement on the latest message, as bot/judgement.py does."""
    talk.latest_message["judgement"] = {
        "upset": {"score": 0.01, "flag": False, "kind": None, "source": source},
        "fraud_victim": {"score": score, "flag": victim, "source": source},
    }


def prevention_faq(talk: Talk, text: str) -> None:
    """The classifier chose the prevention FAQ, confidently."""
    talk.user(text, "faq")
    talk.latest_message["response_selector"] = {
        "faq": {"ranking": [{"intent_response_key": "faq/fraud_prevention", "confidence": 0.9}]}
    }


@pytest.mark.parametrize(
    "text",
    [
        "我按他说的把钱转到了安全账户",
        "I typed my PIN into the link in that text and now money is gone",
    ],
)
def test_a_flagged_victim_is_due_even_when_the_faq_ranked_first(text: str) -> None:
    talk = Talk()
    prevention_faq(talk, text)
    judged(talk, victim=True, score=0.93)
    assert talk.due() == "fraud_risk"
    assert talk.slots.get("need_counts") in (None, {})  # a victim is not a need counted


def test_a_flagged_victim_is_due_with_the_report_intent_too() -> None:
    talk = Talk()
    talk.user("someone asked me for my sms code and I gave it", "report_fraud")
    judged(talk, victim=True, score=0.97)
    assert talk.due() == "fraud_risk"


def test_a_prevention_question_the_detector_clears_gets_the_faq() -> None:
    talk = Talk()
    prevention_faq(talk, "怎么防止电信诈骗")
    judged(talk, victim=False, score=0.02)
    assert talk.due() is None
    # nor does a report_fraud top intent on words the detector read as prevention
    talk.user("what are the warning signs of a romance scam?", "report_fraud")
    judged(talk, victim=False, score=0.03)
    assert talk.due() is None


@pytest.mark.parametrize(
    ("text", "source"),
    [("我被骗了", "rules"), ("/report_fraud", "model"), ("I've been scammed", None)],
)
def test_the_report_intent_counts_when_the_detector_could_not_read_the_words(
    text: str, source: str | None
) -> None:
    talk = Talk()
    talk.user(text, "report_fraud")
    if source is not None:
        judged(talk, victim=False, score=0.0, source=source)
    assert victim_signal(talk.latest_message) == "intent"
    assert talk.due() == "fraud_risk"


def judged_upset(talk: Talk, fraud: float, upset: float = 0.99) -> None:
    """Both detectors flagged the message (a victim is often distressed too)."""
    judged(talk, victim=True, score=fraud)
    talk.latest_message["judgement"]["upset"] = {
        "score": upset,
        "flag": True,
        "kind": "distress",
        "source": "model",
    }


def test_a_sure_victim_wins_over_an_upset_customer() -> None:
    talk = Talk()
    talk.user("救命 我被骗了 转到了安全账户", "nlu_fallback", emotion="distress")
    judged_upset(talk, fraud=0.99)
    assert talk.due() == "fraud_risk"


def test_an_upset_victim_the_classifier_reads_as_fraud_is_a_victim() -> None:
    talk = Talk()
    talk.user("我把验证码给了别人 我现在好怕", "report_fraud", emotion="distress")
    talk.latest_message["intent_ranking"] = [{"name": "report_fraud", "confidence": 0.4}]
    judged_upset(talk, fraud=0.6)
    assert talk.due() == "fraud_risk"


def test_an_angry_customer_with_a_middling_victim_score_is_upset() -> None:
    # "this is ridiculous, I've been waiting three days for my transfer!!!" once scored high
    talk = Talk()
    talk.user("this is ridiculous, three days for my transfer!!!", "faq", emotion="anger")
    talk.latest_message["intent_ranking"] = [
        {"name": "faq", "confidence": 0.86},
        {"name": "report_fraud", "confidence": 0.01},
    ]
    judged_upset(talk, fraud=0.7)
    assert victim_signal(talk.latest_message) is None
    assert talk.due() == "emotion"  # still a person, with the apology


def test_a_panicking_customer_with_a_high_victim_score_is_a_victim() -> None:
    # a victim's story the classifier does not read as fraud at all
    talk = Talk()
    talk.user(
        "he wants me to buy 2000 worth of gift cards and send him the codes, I'm in the shop now",
        "complain", emotion="distress",
    )  # fmt: skip
    talk.latest_message["intent_ranking"] = [{"name": "complain", "confidence": 0.9}]
    judged_upset(talk, fraud=0.85)
    assert talk.due() == "fraud_risk"


def test_despair_keeps_the_emotion_handoff_unless_the_victim_is_sure() -> None:
    talk = Talk()
    talk.user("三天没睡了，催收电话不停，我觉得我已经完了，活着没意思", "faq", emotion="distress")
    talk.latest_message["intent_ranking"] = [{"name": "faq", "confidence": 0.5}]
    judged_upset(talk, fraud=0.85)
    talk.latest_message["judgement"]["upset"]["kind"] = "despair"
    assert talk.due() == "emotion"  # the caring words, not a fraud warning


def test_thanks_after_a_scare_needs_a_high_victim_score() -> None:
    talk = Talk()
    talk.user("you literally saved me, I thought that money was gone forever. THANK YOU", "thank")
    talk.latest_message["intent_ranking"] = [{"name": "thank", "confidence": 0.9}]
    judged(talk, victim=True, score=0.78)
    assert talk.due() is None


def test_a_complaint_needs_more_than_a_middling_victim_score() -> None:
    talk = Talk()
    talk.active_loop = "complaint_form"
    talk.user("柜员态度很差，办业务时对我很不耐烦", "complain")
    judged(talk, victim=True, score=0.36)
    assert talk.due() is None
    talk.user("有人冒充客服骗走了我的验证码，卡里少了五千", "complain")
    judged(talk, victim=True, score=0.99)
    assert talk.due() == "fraud_risk"


def test_in_the_form_a_half_read_fraud_answer_stays_an_answer() -> None:
    """A privacy complaint's answer to "which kind is it?" is no fraud report."""
    talk = Talk()
    talk.active_loop = "complaint_form"
    talk.user("我的隐私被当众说出来了", "report_fraud", confidence=0.56)
    judged(talk, victim=True, score=0.33)
    assert talk.due() is None


def test_in_the_form_a_sure_report_fraud_hands_over() -> None:
    """The form takes report_fraud text as an answer, so the tracking must find the victim."""
    for flagged, score in ((True, 0.33), (False, 0.15)):
        talk = Talk()
        talk.active_loop = "complaint_form"
        talk.user("someone used my card without permission", "report_fraud", confidence=1.0)
        judged(talk, victim=flagged, score=score)
        assert talk.due() == "fraud_risk", (flagged, score)


def test_outside_the_form_an_unflagged_report_fraud_is_left_to_its_rule() -> None:
    talk = Talk()
    talk.user("someone used my card without permission", "report_fraud", confidence=1.0)
    judged(talk, victim=False, score=0.15)
    assert talk.due() is None


def test_a_complaint_opening_with_a_low_victim_score_is_left_to_the_form() -> None:
    """The complaint is registered first; a person reads it right after (the form)."""
    talk = Talk()
    talk.user("我要投诉，今天上午手机银行转账一直报错，钱却扣了", "complain")
    judged(talk, victim=True, score=0.25)
    assert talk.due() is None
    talk.user("我要投诉，骗子冒充客服骗走了我的验证码，卡里少了五千", "complain")
    judged(talk, victim=True, score=0.99)
    assert talk.due() == "fraud_risk"  # a sure victim is not kept waiting for a ticket


@pytest.mark.parametrize("text", ["？？？？！！！", "😡😡😡", "12345678", "好" * 2000])
def test_a_message_without_words_is_no_report(text: str) -> None:
    talk = Talk()
    talk.user(text, "nlu_fallback")
    judged(talk, victim=True, score=0.33)
    assert talk.due() is None


def test_a_victim_during_verification_is_due() -> None:
    talk = Talk()
    talk.active_loop = "verification_form"
    talk.user("刚才有人打电话让我把验证码告诉他，我已经说了", "submit_code")
    judged(talk, victim=True, score=0.95)
    assert talk.due() == "fraud_risk"


def test_a_short_message_with_no_fraud_in_it_needs_a_sure_score() -> None:
    # a calm customer's "it was about 2pm today" was scored 0.92
    talk = Talk()
    talk.user("it was about 2pm today", "complain")
    judged(talk, victim=True, score=0.92)
    assert talk.due() is None
    talk.user("被骗了", "report_fraud")
    talk.latest_message["intent_ranking"] = [{"name": "report_fraud", "confidence": 0.9}]
    judged(talk, victim=True, score=0.8)
    assert talk.due() == "fraud_risk"


def test_a_weak_flag_on_a_calm_order_is_no_victim() -> None:
    # flagged at 0.23 while the classifier saw no fraud in it at all
    talk = Talk()
    talk.user(
        "Freeze everything please, no card payments at all for the next month while I'm travelling",
        "freeze_card",
        confidence=0.47,
    )
    judged(talk, victim=True, score=0.23)
    assert talk.due() is None


def test_a_weak_flag_counts_when_the_classifier_reads_fraud() -> None:
    # a victim's story the classifier answers with the prevention FAQ, scored 0.21
    talk = Talk()
    prevention_faq(
        talk, "Got a text saying reply with your card number to avoid suspension, so I did"
    )
    judged(talk, victim=True, score=0.21)
    assert talk.due() == "fraud_risk"


def test_a_flag_from_the_weak_bar_up_needs_no_fraud_reading() -> None:
    # a card used abroad while in the customer's pocket: no fraud for the classifier
    talk = Talk()
    talk.user(
        "收到一条境外消费2300元的提醒，我人在国内卡也在身上", "check_transactions", confidence=0.5
    )
    judged(talk, victim=True, score=WEAK_FLAG)
    assert talk.due() == "fraud_risk"


def test_words_are_han_characters_and_latin_words() -> None:
    assert word_count("我被骗了 call me") == 6
    assert word_count("12345") == 0
