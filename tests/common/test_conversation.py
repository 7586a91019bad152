"""common/conversation.py through common.escalation.track: the whole conversation counts.

Messages carry the parse data the engine produces (intent, FAQ ranking and
the upset judgement); the tests read what becomes due. The handoff itself is
tested on the action side (tests/actions/test_conversation.py).
"""

from __future__ import annotations

from typing import Any

import pytest

from common.conversation import doubtful_upset, due_from_history, misunderstood
from tests.common.talk import KNOWN, Talk


def say(talk: Talk, text: str, intent: str, upset: float, *, faq: str = "", sure: float = 0.95):  # type: ignore[no-untyped-def]
    """A customer message with its upset score (threshold 0.65) and FAQ answer."""
    talk.user(text, intent)
    talk.latest_message["judgement"] = {
        "upset": {"score": upset, "flag": upset >= 0.65, "threshold": 0.65, "source": "model"},
        "fraud_victim": {"score": 0.0, "flag": False, "threshold": 0.3, "source": "model"},
    }
    if faq:
        talk.latest_message["response_selector"] = {
            "faq": {"ranking": [{"intent_response_key": f"faq/{faq}", "confidence": sure}]}
        }


def test_frustration_rising_over_turns_is_due_before_any_single_flag() -> None:
    talk = Talk()
    say(talk, "我的跨行转账昨天发的，到现在还没到", "faq", 0.03, faq="transfer_delayed")
    assert talk.due() is None
    say(talk, "我知道一般要一到两天，但这笔挺急的", "faq", 0.41, faq="transfer_delayed", sure=0.7)
    assert talk.due() is None  # one sharper message is not a trend
    say(talk, "每次都说在处理中，有点烦了", "faq", 0.5, faq="transfer_delayed", sure=0.7)
    assert talk.due() == "emotion"


def test_a_mild_annoyance_then_a_sharper_message_is_a_rise() -> None:
    talk = Talk()
    say(talk, "转账还没到，说是处理中", "faq", 0.02, faq="transfer_delayed")
    assert talk.due() is None
    say(talk, "每次都说在处理中，有点烦了", "faq", 0.17, faq="transfer_delayed")  # ~1/4 of it
    assert talk.due() is None
    say(talk, "说实话我对你们挺失望的，能不能给个准话", "faq", 0.45)  # ~2/3 of it
    assert talk.due() == "emotion"


def test_one_sharper_message_after_calm_ones_is_no_rise() -> None:
    talk = Talk()
    say(talk, "转账还没到，说是处理中", "faq", 0.02, faq="transfer_delayed")
    assert talk.due() is None
    say(talk, "一般要多久才能到", "faq", 0.12, faq="transfer_delayed")  # under a fifth of it
    assert talk.due() is None
    say(talk, "说实话我对你们挺失望的，能不能给个准话", "faq", 0.45)
    assert talk.due() is None


def test_frustration_rising_inside_the_complaint_form_sends_the_ticket_to_a_person() -> None:
    """As an upset message there: the complaint is registered, then a person takes over."""
    talk = Talk()
    say(talk, "转账还没到，说是处理中", "faq", 0.02, faq="transfer_delayed")
    talk.due()
    say(talk, "每次都说在处理中，有点烦了", "complain", 0.17)
    talk.due()
    talk.active_loop = "complaint_form"  # the complaint form opened on it
    say(talk, "说实话我对你们挺失望的，能不能给个准话", "complain", 0.45)
    assert talk.due() is None  # the form goes on: the complaint is on record first
    assert talk.slots["complaint_upset"] is True


def test_a_message_that_only_steers_the_dialogue_starts_no_rise() -> None:
    """ "never mind" scores a quarter of the threshold; a plain question after it is no rise."""
    talk = Talk()
    say(talk, "check my balance", "check_balance", 0.0)
    talk.due()
    say(talk, "never mind", "cancel", 0.16)
    assert talk.due() is None
    say(talk, "what are your opening hours", "faq", 0.48, faq="opening_hours")
    assert talk.due() is None
    assert [turn["upset"] for turn in talk.slots["recent_turns"]] == [0.0, 0.0, 0.738]


def test_switching_language_starts_no_rise() -> None:
    """The widget's toggle sends "please answer in English": it says nothing about the mood."""
    talk = Talk()
    say(talk, "你们几点开门", "faq", 0.01, faq="opening_hours")
    talk.due()
    say(talk, "please answer in English", "change_language", 0.19)
    assert talk.due() is None
    say(talk, "what are your opening hours", "faq", 0.34, faq="opening_hours")
    assert talk.due() is None
    assert [turn["upset"] for turn in talk.slots["recent_turns"]][1] == 0.0


def test_a_calm_multi_topic_conversation_stays_with_the_bot() -> None:
    talk = Talk()
    for text, key, upset in [
        ("你好，想问下定期三年的利率是多少", "deposit_rates", 0.0),
        ("另外大额取现要预约吗", "large_cash_withdrawal", 0.04),
        ("最近的网点周六开门吗", "branch_locator", 0.2),
        ("积分怎么算", "points_rewards", 0.1),
    ]:
        say(talk, text, "faq", upset, faq=key)
        assert talk.due() is None, text
    assert len(talk.slots["recent_turns"]) == 3


def test_misunderstood_twice_not_in_a_row() -> None:
    talk = Talk()
    say(talk, "那个东西怎么弄", "out_of_scope", 0.0)
    assert talk.due() is None
    say(talk, "就是转账那个", "faq", 0.1, faq="transfer_fees")
    assert talk.due() is None
    say(talk, "哎呀就是手机上有个小房子的图标", "nlu_fallback", 0.2)
    assert talk.due() == "low_confidence"
    talk.handoff("low_confidence")
    say(talk, "好的谢谢", "thank", 0.0)
    assert talk.due() is None
    assert len(talk.slots["recent_turns"]) == 1  # the window started afresh


def test_one_miss_between_answers_is_not_a_pattern() -> None:
    talk = Talk()
    say(talk, "信用卡年费怎么免", "faq", 0.0, faq="credit_card_annual_fee")
    talk.due()
    say(talk, "有违约金吗", "out_of_scope", 0.0)
    assert talk.due() is None
    say(talk, "好的，那我下周去网点办", "faq", 0.0, faq="branch_locator", sure=0.8)
    assert talk.due() is None


def test_a_form_reads_its_own_answers() -> None:
    talk = Talk()
    talk.active_loop = "verification_form"
    for text in ("my number is 138 0013 8000", "it's the one ending 8000"):
        say(talk, text, "nlu_fallback", 0.0)
        assert talk.due() is None


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        ([], None),
        ([{"upset": 0.9, "miss": False}], None),
        ([{"upset": 0.6, "miss": False}, {"upset": 0.1}, {"upset": 0.55}], "emotion"),
        ([{"upset": 0.6}, {"upset": 0.55}, {"upset": 0.1}], None),  # it calmed down
        ([{"miss": True}, {"miss": False}, {"miss": True}], "low_confidence"),
        ([{"miss": True}, {"miss": False}, {"miss": False}], None),
    ],
)
def test_what_a_window_adds_up_to(history: list[dict[str, Any]], expected: str | None) -> None:
    assert due_from_history(history) == expected


def test_what_counts_as_misunderstood() -> None:
    sure = {"faq": {"ranking": [{"intent_response_key": "faq/opening_hours", "confidence": 0.9}]}}
    unsure = {"faq": {"ranking": [{"intent_response_key": "faq/opening_hours", "confidence": 0.4}]}}
    faq = {"name": "faq", "confidence": 0.9}
    assert not misunderstood({"text": "几点开门", "intent": faq, "response_selector": sure}, KNOWN)
    assert misunderstood({"text": "几点", "intent": faq, "response_selector": unsure}, KNOWN)
    assert misunderstood({"text": "嗯哼", "intent": {"name": "greet", "confidence": 0.2}}, KNOWN)
    assert not misunderstood({"text": "😀😀", "intent": {"name": "nlu_fallback"}}, KNOWN)


def test_rising_frustration_goes_to_a_person_even_as_a_complaint() -> None:
    """Feelings first: a person at once, not the complaint form's questions."""
    talk = Talk()
    say(talk, "我的跨行转账昨天发的，到现在还没到", "faq", 0.03, faq="transfer_delayed")
    talk.due()
    say(talk, "我知道一般要一到两天，但这笔挺急的", "faq", 0.55, faq="transfer_delayed", sure=0.7)
    talk.due()
    say(talk, "每次都说在处理中，有点烦了", "complain", 0.55)
    assert talk.due() == "emotion"


def complaint(text: str, upset: float, sure: float = 0.99) -> dict[str, Any]:
    """A message the classifier reads as ``complain``, with its upset reading (threshold 0.62)."""
    return {
        "text": text,
        "intent": {"name": "complain", "confidence": sure},
        "judgement": {"upset": {"score": upset, "flag": upset >= 0.62, "source": "model"}},
    }


@pytest.mark.parametrize(
    ("message", "doubted"),
    [
        (complaint("我要投诉", 0.62), True),  # a bare cue just over the threshold
        (complaint("I want to complain", 0.7), True),
        (complaint("我要投诉", 0.85), False),  # sure enough
        (complaint("我要投诉", 0.62, sure=0.6), False),  # the classifier unsure of the cue
        (complaint("服务太烂了 我要投诉", 0.62), False),  # more than a cue
    ],
)
def test_a_bare_complaint_cue_is_no_upset_customer(message: dict[str, Any], doubted: bool) -> None:
    assert doubtful_upset(message) is doubted
