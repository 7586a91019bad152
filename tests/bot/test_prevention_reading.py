"""bot/prevention_reading.py: a cleared ``report_fraud`` or a flagged question is prevention.

The messages carry the classifier's and the detectors' output as the real
pipeline leaves them; the component must only touch the contradicted ones.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.bot.conftest import import_engine_module

reading = import_engine_module("bot.prevention_reading")
message_module = import_engine_module("rasa.shared.nlu.training_data.message")

pytestmark = pytest.mark.engine_env


def parsed(text: str, *, flag: bool, source: str = "model", fraud: float = 0.6) -> Any:
    """A message the classifier read as ``report_fraud`` at ``fraud``, then judged."""
    data = {
        "text": text,
        "intent": {"name": "report_fraud", "confidence": fraud},
        "intent_ranking": [
            {"name": "report_fraud", "confidence": fraud},
            {"name": "faq", "confidence": 1 - fraud},
        ],
        "response_selector": {
            "faq": {
                "ranking": [
                    {"intent_response_key": "faq/fraud_prevention", "confidence": 0.7},
                    {"intent_response_key": "faq/card_lost_info", "confidence": 0.3},
                ]
            }
        },
        "judgement": {"fraud_victim": {"score": 0.9 if flag else 0.05, "flag": flag,
                                       "source": source}},
    }  # fmt: skip
    return message_module.Message(data=data)


def run(message: Any) -> dict[str, Any]:
    reading.PreventionReading().process([message])
    return message.as_dict()


def test_a_cleared_report_becomes_the_prevention_question() -> None:
    out = run(parsed("how do I keep my parents from being tricked into transfers", flag=False))
    assert out["intent"]["name"] == "faq"
    assert out["intent"]["full_retrieval_intent_name"] == "faq/fraud_prevention"
    # the fraud either way round: report_fraud plus the prevention answer's share of faq
    assert out["intent"]["confidence"] == pytest.approx(0.6 + 0.4 * 0.7)
    ranking = out["response_selector"]["faq"]["ranking"]
    assert ranking[0]["intent_response_key"] == "faq/fraud_prevention"
    assert [i["name"] for i in out["intent_ranking"]][:1] == ["faq"]


@pytest.mark.parametrize(
    ("text", "flag", "source"),
    [
        ("I gave my code to the caller and money is gone", True, "model"),  # a victim
        ("/report_fraud", False, "model"),  # the button: the customer said so
        ("我被骗了", False, "rules"),  # the detector failed: its rules' flag is the intent
    ],
)
def test_a_victim_a_button_and_a_fallback_stay(text: str, flag: bool, source: str) -> None:
    out = run(parsed(text, flag=flag, source=source))
    assert out["intent"]["name"] == "report_fraud"


@pytest.mark.parametrize("fraud", [0.7, 0.95, 1.0])
def test_a_report_the_classifier_is_sure_of_stands_unless_the_detector_is_sure_too(
    fraud: float,
) -> None:
    victim = parsed("someone used my card without permission", flag=False, fraud=fraud)
    victim.get("judgement")["fraud_victim"]["score"] = 0.15  # just under the bar
    assert run(victim)["intent"] == {"name": "report_fraud", "confidence": fraud}
    calm = parsed("批了之后多久有人联系我", flag=False, fraud=fraud)
    calm.get("judgement")["fraud_victim"]["score"] = 0.01
    assert run(calm)["intent"]["full_retrieval_intent_name"] == "faq/fraud_prevention"


def test_another_intent_is_left_alone() -> None:
    message = parsed("what are your opening hours", flag=False)
    message.set("intent", {"name": "faq", "confidence": 0.9}, add_to_output=True)
    assert run(message)["intent"] == {"name": "faq", "confidence": 0.9}


def asked(
    text: str,
    intent: str,
    confidence: float,
    prevention: float,
    *,
    answer: str = "transfer_limits",
    victim: bool = False,
    upset: bool = False,
) -> Any:
    """A message the classifier read as ``intent``; the prevention head scored it ``prevention``."""
    data = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": intent, "confidence": confidence}],
        "response_selector": {
            "faq": {"ranking": [{"intent_response_key": f"faq/{answer}", "confidence": 0.9}]}
        },
        "judgement": {
            "upset": {"score": 0.9 if upset else 0.1, "flag": upset, "source": "model"},
            "fraud_victim": {"score": 0.9 if victim else 0.1, "flag": victim, "source": "model"},
            "fraud_prevention": {"score": prevention, "flag": prevention >= 0.7,
                                 "source": "model"},
        },
    }  # fmt: skip
    return message_module.Message(data=data)


@pytest.mark.parametrize(
    ("intent", "confidence", "prevention"),
    [
        ("out_of_scope", 0.9, 0.75),  # "please rephrase" before
        ("faq", 0.4, 0.75),  # an unsure answer
        ("check_card_status", 0.5, 0.75),  # an unsure other intent
        ("faq", 0.95, 0.85),  # another answer, sure, but the head is surer still
        ("complain", 0.9, 0.85),  # a scam turned down, told as a story: no complaint form
        ("complex_topic", 0.95, 0.8),
        ("thank", 0.33, 0.95),  # "万一我手机里不小心装了木马软件…" read as thanks, unsure
        ("greet", 0.4, 0.88),
    ],
)
def test_a_flagged_question_gets_the_prevention_answer(
    intent: str, confidence: float, prevention: float
) -> None:
    out = run(asked("光知道我的卡号没有密码，能盗走钱吗", intent, confidence, prevention))
    assert out["intent"]["full_retrieval_intent_name"] == "faq/fraud_prevention"
    assert out["intent"]["confidence"] == pytest.approx(prevention)
    assert out["prevention_head"] == pytest.approx(prevention)  # the follow-up reader may re-read
    assert out["response_selector"]["faq"]["ranking"][0]["intent_response_key"] == (
        "faq/fraud_prevention"
    )


@pytest.mark.parametrize(
    ("intent", "confidence", "prevention", "victim", "upset"),
    [
        ("faq", 0.4, 0.6, False, False),  # not flagged
        ("faq", 0.95, 0.75, False, False),  # a sure other answer, the head not sure enough
        ("check_balance", 0.9, 0.95, False, False),  # a sure intent that is no answer
        ("complain", 0.9, 0.75, False, False),  # a complaint, the head not sure enough
        ("complain", 0.9, 0.95, False, True),  # an upset complainant: the form, then a person
        ("report_lost_card", 0.9, 0.95, False, False),  # a lost card's own flow stands
        ("out_of_scope", 0.9, 0.9, True, False),  # a victim: the warning comes first
        ("out_of_scope", 0.9, 0.9, False, True),  # upset: a person comes first
        ("affirm", 0.6, 0.75, False, False),  # an unsure reply, the head not sure enough
        ("deny", 0.4, 0.79, False, False),
        ("thank", 0.5, 0.75, False, False),
        ("affirm", 0.8, 0.95, False, False),  # a reply the classifier is sure of
    ],
)
def test_otherwise_the_classifier_stands(
    intent: str, confidence: float, prevention: float, victim: bool, upset: bool
) -> None:
    message = asked("hmm", intent, confidence, prevention, victim=victim, upset=upset)
    before = dict(message.get("intent"))
    assert run(message)["intent"] == before


def test_a_weak_victim_flag_on_words_read_as_no_fraud_does_not_keep_the_answer_away() -> None:
    # flagged at 0.33 (the flag's bar 0.28), the classifier seeing no fraud in it
    message = asked("万一在网上输了卡号和CVV，第一时间该做什么", "nlu_fallback", 0.35, 0.75)
    message.get("judgement")["fraud_victim"] = {"score": 0.33, "flag": True, "source": "model"}
    out = run(message)
    assert out["intent"]["full_retrieval_intent_name"] == "faq/fraud_prevention"
    # the same flag on words the classifier reads as fraud is a victim's: the warning first
    read_as_fraud = asked("万一在网上输了卡号和CVV，第一时间该做什么", "report_fraud", 0.35, 0.75)
    read_as_fraud.get("judgement")["fraud_victim"] = {
        "score": 0.33,
        "flag": True,
        "source": "model",
    }
    assert run(read_as_fraud)["intent"] == {"name": "report_fraud", "confidence": 0.35}


def test_the_prevention_answer_already_chosen_with_confidence_is_kept_as_it_is() -> None:
    message = asked("is it a scam?", "faq", 0.8, 0.9, answer="fraud_prevention")
    message.get("response_selector")["faq"]["ranking"][0]["confidence"] = 0.8
    assert run(message)["intent"] == {"name": "faq", "confidence": 0.8}


def test_the_prevention_answer_chosen_too_unsure_to_be_given_gets_the_heads_score() -> None:
    message = asked("how do I spot a fake investment site?", "faq", 0.5, 0.9,
                    answer="fraud_prevention")  # fmt: skip
    message.get("response_selector")["faq"]["ranking"][0]["confidence"] = 0.5
    out = run(message)
    assert out["intent"]["full_retrieval_intent_name"] == "faq/fraud_prevention"
    assert out["intent"]["confidence"] == pytest.approx(0.9)


def answered_prevention(
    text: str, prevention: float, victim: float, *, source: str = "model"
) -> Any:
    """The classifier gave the prevention answer; the fraud heads scored the words."""
    data = {
        "text": text,
        "intent": {"name": "faq", "confidence": 0.93},
        "intent_ranking": [{"name": "faq", "confidence": 0.93},
                           {"name": "freeze_card", "confidence": 0.05}],
        "response_selector": {"faq": {"ranking": [
            {"intent_response_key": "faq/fraud_prevention", "confidence": 0.9},
            {"intent_response_key": "faq/card_lost_info", "confidence": 0.06},
            {"intent_response_key": "faq/card_replacement", "confidence": 0.04},
        ]}},
        "judgement": {
            "upset": {"score": 0.1, "flag": False, "source": source},
            "fraud_victim": {"score": victim, "flag": victim >= 0.5, "source": source},
            "fraud_prevention": {"score": prevention, "flag": prevention >= 0.7, "source": source},
        },
    }  # fmt: skip
    return message_module.Message(data=data)


def test_a_prevention_answer_both_fraud_heads_deny_is_withdrawn_for_a_question() -> None:
    out = run(answered_prevention("left my card at the office, can I lock it till tomorrow", 0.01,
                                  0.03))  # fmt: skip
    assert out["intent"] == {"name": "nlu_fallback", "confidence": 0.93}
    ranking = out["response_selector"]["faq"]["ranking"]
    assert [r["intent_response_key"] for r in ranking] == ["faq/card_lost_info",
                                                           "faq/card_replacement"]  # fmt: skip
    assert [r["confidence"] for r in ranking] == pytest.approx([0.06, 0.04])  # as they were
    # the FAQ turn then asks what they meant, offering what the classifier found plausible
    faq = import_engine_module("common.faq")
    known = {"fraud_prevention", "card_lost_info", "card_replacement"}
    reply, _ = faq.decide(out, {}, [], known)
    assert (reply.kind, reply.suggestions) == ("clarify", ("card_lost_info",))
    # nothing plausible left: "please rephrase"
    out["response_selector"]["faq"]["ranking"] = ranking[1:]
    assert faq.decide(out, {}, [], known)[0].kind == "rephrase"


@pytest.mark.parametrize(
    ("text", "prevention", "victim", "source"),
    [
        ("how do scammers get card numbers", 0.03, 0.03, "model"),  # the head is not sure enough
        ("someone else paid with my card", 0.01, 0.2, "model"),  # maybe a victim: keep the button
        ('/faq{"faq_key": "fraud_prevention"}', 0.01, 0.03, "model"),  # a button
        ("骗子", 0.01, 0.03, "rules"),  # the detectors failed: the classifier stands
    ],
)
def test_otherwise_the_prevention_answer_stands(
    text: str, prevention: float, victim: float, source: str
) -> None:
    out = run(answered_prevention(text, prevention, victim, source=source))
    assert out["intent"] == {"name": "faq", "confidence": 0.93}
    assert out["response_selector"]["faq"]["ranking"][0]["intent_response_key"] == (
        "faq/fraud_prevention"
    )


def test_a_withdrawn_answer_that_was_the_only_one_leaves_nothing_to_offer() -> None:
    message = answered_prevention("my gym took a payment after it closed", 0.01, 0.03)
    message.get("response_selector")["faq"]["ranking"] = [
        {"intent_response_key": "faq/fraud_prevention", "confidence": 0.9}
    ]
    out = run(message)
    assert out["response_selector"]["faq"] == {"ranking": []}  # not even in "response"
    faq = import_engine_module("common.faq")
    assert faq.decide(out, {}, [], {"fraud_prevention"})[0].kind == "rephrase"
