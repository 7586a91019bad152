"""bot/followup.py: a follow-up that would miss is read against the FAQ just answered.

Messages carry the classifier's output as the real pipeline leaves it; the
tracker is the conversation so far, ending with the bot's answer.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.bot.conftest import import_engine_module

followup = import_engine_module("bot.followup")
events = import_engine_module("rasa.shared.core.events")
trackers = import_engine_module("rasa.shared.core.trackers")
message_module = import_engine_module("rasa.shared.nlu.training_data.message")

pytestmark = pytest.mark.engine_env


def parsed(text: str, intent: str, confidence: float, answers: dict[str, float]) -> dict[str, Any]:
    """Parse data as bot/classifier.py sets it."""
    return {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [
            {"name": intent, "confidence": confidence},
            {"name": "greet", "confidence": (1 - confidence) / 2},
        ],
        "response_selector": {
            "faq": {
                "ranking": [
                    {"intent_response_key": f"faq/{k}", "confidence": c}
                    for k, c in sorted(answers.items(), key=lambda kv: -kv[1])
                ]
            }
        },
    }


def message(data: dict[str, Any]):  # type: ignore[no-untyped-def]
    made = message_module.Message(data={"text": data["text"]})
    for key in ("intent", "intent_ranking", "response_selector"):
        made.set(key, data[key], add_to_output=True)
    return made


def after_answer(first: dict[str, Any], answered: str | None):  # type: ignore[no-untyped-def]
    """A tracker: the customer's first question, then the bot's turn (answer or not)."""
    said = [
        events.ActionExecuted("action_listen"),
        events.UserUttered(first["text"], first["intent"], [], first),
        events.ActionExecuted("utter_answer_faq"),
    ]
    if answered:
        said.append(events.SlotSet("last_faq", answered))
    said.append(events.ActionExecuted("action_listen"))
    return trackers.DialogueStateTracker.from_events("c1", said)


def reader():  # type: ignore[no-untyped-def]
    return followup.FollowUpReader(followup.FollowUpReader.get_default_config())


FIRST = parsed("转到别的银行收钱吗", "faq", 0.95, {"transfer_fees": 0.7, "forex_remittance": 0.25})


def test_a_bare_follow_up_after_an_answer_is_read_as_that_topic() -> None:
    # "what should I do now?" alone: out of scope, its FAQ ranking points elsewhere
    bare = message(parsed("怎么办", "out_of_scope", 0.74, {"card_lost_info": 0.4, "hotline": 0.2}))
    reader().process([bare], after_answer(FIRST, "transfer_fees"))
    assert bare.get("intent")["name"] == "faq"
    assert bare.get("intent")["confidence"] >= 0.6  # the FAQ reply answers it
    ranking = bare.get("response_selector")["faq"]["ranking"]
    assert ranking[0]["intent_response_key"] == "faq/transfer_fees"
    assert bare.get("followup")["topic"] == "transfer_fees"
    assert bare.get("intent_ranking")[0]["name"] == "faq"


def test_the_follow_ups_own_words_pick_the_topic_next_door() -> None:
    # "那境外呢": its own words lean to the remittance answer, unsure alone; the
    # first question's ranking had it next to the answer given
    abroad = message(
        parsed("那境外呢", "faq", 0.4, {"forex_remittance": 0.45, "atm_withdrawal": 0.35})
    )
    reader().process([abroad], after_answer(FIRST, "transfer_fees"))
    assert abroad.get("followup")["key"] == "forex_remittance"


@pytest.mark.parametrize(
    "data",
    [
        # understood on its own: another FAQ, confidently
        parsed("那积分怎么算", "faq", 0.99, {"points_rewards": 0.99}),
        # intents the dialogue must act on as they are
        parsed("转人工", "request_human", 0.4, {"hotline": 0.5}),
        parsed("谢谢", "thank", 0.99, {}),
        parsed("被骗了", "report_fraud", 0.4, {"fraud_prevention": 0.9}),
        # a button payload
        parsed('/choose_faq{"faq_key":"hotline"}', "choose_faq", 1.0, {}),
    ],
)
def test_what_is_understood_or_must_be_honoured_is_left_alone(data: dict[str, Any]) -> None:
    made = message(data)
    reader().process([made], after_answer(FIRST, "transfer_fees"))
    assert made.get("intent") == data["intent"]
    assert made.get("followup") is None


def test_an_intent_below_the_fallback_threshold_is_no_reading() -> None:
    # "she has trouble walking, can someone come to her?" after the elderly answer
    first = parsed(
        "my mum is 75, any help for older customers?", "faq", 0.97, {"elderly_services": 0.95}
    )
    walking = message(
        parsed(
            "she has trouble walking",
            "request_human",
            0.12,
            {"hotline": 0.1, "card_lost_info": 0.1},
        )
    )
    reader().process([walking], after_answer(first, "elderly_services"))
    assert walking.get("followup")["key"] == "elderly_services"


def test_more_is_read_in_context_only_for_another_answer() -> None:
    # "那境外呢" reads as `more` ("还有呢") to the classifier
    abroad = message(
        parsed("那境外呢", "more", 0.74, {"forex_remittance": 0.5, "atm_withdrawal": 0.2})
    )
    reader().process([abroad], after_answer(FIRST, "transfer_fees"))
    assert abroad.get("followup")["key"] == "forex_remittance"
    for text in ("还有呢", "what else?"):
        what_else = parsed(text, "more", 0.9, {"transfer_fees": 0.3, "hotline": 0.2})
        made = message(what_else)
        reader().process([made], after_answer(FIRST, "transfer_fees"))
        assert made.get("intent") == what_else["intent"] and made.get("followup") is None
    weekend = message(parsed("那周末呢", "more", 0.7, {"opening_hours": 0.3, "hotline": 0.2}))
    hours = parsed("你们几点开门", "faq", 0.99, {"opening_hours": 0.99})
    reader().process([weekend], after_answer(hours, "opening_hours"))
    assert weekend.get("followup")["key"] == "opening_hours"


def test_an_out_of_scope_new_subject_is_not_read_as_the_topic() -> None:
    hours = parsed("你们几点开门", "faq", 0.99, {"opening_hours": 0.99})
    odd = parsed(
        "那个黄色的东西是什么，我找了很久", "out_of_scope", 0.89, {"fraud_prevention": 0.2}
    )
    made = message(odd)
    reader().process([made], after_answer(hours, "opening_hours"))
    assert made.get("intent") == odd["intent"] and made.get("followup") is None


@pytest.mark.parametrize(
    ("text", "back"),
    [
        ("怎么办", True),
        ("那我现在该怎么办", True),
        ("如果不小心点开了呢", True),
        ("and if I've already tapped the link?", True),
        ("how do I report it then", True),
        ("the app password too actually", True),
        ("credit cards?", True),
        ("那个黄色的东西是什么，我找了很久", False),
        ("I would like to know about something completely different please", False),
    ],
)
def test_what_points_back(text: str, back: bool) -> None:
    assert followup.points_back(text) is back


def test_nothing_changes_without_an_answer_just_before() -> None:
    bare = parsed("怎么办", "out_of_scope", 0.74, {"card_lost_info": 0.4})
    for tracker in (after_answer(FIRST, None), None, trackers.DialogueStateTracker("c2", [])):
        made = message(bare)
        reader().process([made], tracker)
        assert made.get("intent") == bare["intent"] and made.get("followup") is None


def test_only_the_bots_last_turn_counts_as_the_topic() -> None:
    tracker = after_answer(FIRST, "transfer_fees")
    later = parsed("你好", "greet", 0.99, {})
    tracker.update(events.UserUttered("你好", later["intent"], [], later))
    tracker.update(events.ActionExecuted("utter_greet"))
    tracker.update(events.ActionExecuted("action_listen"))
    bare = message(parsed("怎么办", "out_of_scope", 0.74, {"card_lost_info": 0.4}))
    reader().process([bare], tracker)
    assert bare.get("followup") is None


def test_the_same_need_in_other_words_is_not_given_the_same_answer_again() -> None:
    limits = parsed("怎么提高转账额度", "faq", 0.99, {"transfer_limits": 0.99})
    again = message(
        parsed("就是手机上给别人打钱，上限能不能调高一点", "faq", 0.35, {"transfer_limits": 0.35})
    )
    reader().process([again], after_answer(limits, "transfer_limits"))
    # its own reading stays (unsure: the customer is asked what they meant),
    # marked as the need just answered, asked for again
    assert again.get("followup") == {"topic": "transfer_limits", "reworded": True}
    assert again.get("intent")["confidence"] == 0.35
    more = message(parsed("那周末呢", "faq", 0.4, {"transfer_limits": 0.4}))
    reader().process([more], after_answer(limits, "transfer_limits"))
    assert more.get("followup")["key"] == "transfer_limits"


def test_a_faq_question_the_classifier_doubted_is_answered_in_context() -> None:
    # "and at the counter?" after the transfer fees: the FAQ answer is clear,
    # but `faq` itself is below the fallback threshold (nlu_fallback before)
    counter = message(parsed("and at the counter?", "faq", 0.3, {"transfer_fees": 0.77}))
    reader().process([counter], after_answer(FIRST, "transfer_fees"))
    assert counter.get("intent")["name"] == "faq"
    assert counter.get("followup")["key"] == "transfer_fees"
    assert counter.get("intent")["confidence"] >= followup.ANSWER_THRESHOLD


def test_the_own_first_answer_is_taken_even_when_the_topic_pulls() -> None:
    # "and if I need more cash than that?" after the ATM limit
    atm = parsed("what's the ATM limit?", "faq", 0.95, {"atm_withdrawal": 0.9, "large_cash": 0.1})
    more_cash = message(
        parsed("and if I need more cash than that?", "faq", 0.3, {"large_cash": 0.82})
    )
    reader().process([more_cash], after_answer(atm, "atm_withdrawal"))
    assert more_cash.get("followup")["key"] == "large_cash"
    assert more_cash.get("intent")["confidence"] >= followup.ANSWER_THRESHOLD


@pytest.mark.parametrize(
    ("text", "intent", "answers", "topic"),
    [
        ("补一张要钱不", "deny", {"card_replacement": 0.6}, "card_lost_info"),
        ("and to my sister?", "share_credentials", {"forex_remittance": 0.65}, "transfer_fees"),
        ("do they expire?", "greet", {"card_replacement": 0.7}, "points_rewards"),
    ],
)
def test_a_follow_up_mistaken_for_small_talk_is_read_in_context(
    text: str, intent: str, answers: dict[str, float], topic: str
) -> None:
    first = parsed("the first question", "faq", 0.97, {topic: 0.8, "forex_remittance": 0.1})
    made = message(parsed(text, intent, 0.6, answers))
    reader().process([made], after_answer(first, topic))
    assert made.get("intent")["name"] == "faq"
    assert made.get("followup") is not None


@pytest.mark.parametrize(
    ("text", "intent", "confidence", "answers"),
    [
        ("不", "deny", 0.6, {"card_replacement": 0.1, "hotline": 0.08}),  # asks about nothing
        ("no thanks", "deny", 0.95, {"card_replacement": 0.5}),  # sure of itself
        ("I want to talk to a person", "request_human", 0.6, {"hotline": 0.7}),  # honoured
        ("what's my balance now", "check_balance", 0.7, {"account_fees": 0.5}),  # own accounts
    ],
)
def test_small_talk_a_sure_reading_and_requests_for_a_person_keep_their_intent(
    text: str, intent: str, confidence: float, answers: dict[str, float]
) -> None:
    first = parsed("银行卡丢了怎么办", "faq", 0.97, {"card_lost_info": 0.9})
    made = message(parsed(text, intent, confidence, answers))
    reader().process([made], after_answer(first, "card_lost_info"))
    assert made.get("intent")["name"] == intent
    assert made.get("followup") is None


@pytest.mark.parametrize(("head", "read_in_context"), [(0.62, True), (0.85, False)])
def test_a_prevention_answer_the_head_gave_unsure_is_read_in_context(
    head: float, read_in_context: bool
) -> None:
    # "and to another bank?" after the fee answer: the prevention head alone made
    # it the prevention question, at `head`; below the classifier's bar the topic wins
    data = parsed("那跨行呢", "faq", head, {"fraud_prevention": head, "transfer_fees": 0.2})
    follow = message(data)
    follow.set("prevention_head", head, add_to_output=True)
    reader().process([follow], after_answer(FIRST, "transfer_fees"))
    top = follow.get("response_selector")["faq"]["ranking"][0]["intent_response_key"]
    assert top == ("faq/transfer_fees" if read_in_context else "faq/fraud_prevention")
    assert (follow.get("followup") is not None) == read_in_context
