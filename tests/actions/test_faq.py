"""actions/faq.py (answer, clarify, hand off) and the small actions it relies
on: actions/handoff.py, actions/language.py, actions/session.py.

Each test loads a tracker state the engine would send (JSON under
``fixtures/``, parse data as bot/classifier.py produces it), runs the action
with a real rasa_sdk ``Tracker`` and ``CollectingDispatcher``, and checks what
the customer would get and which events come back.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import domain_faqs
from actions import faq as faq_actions
from actions.faq import ActionAnswerFaq, faq_ranking, previous_turn_missed
from actions.handoff import (
    ActionHandoffComplexTopic,
    ActionHandoffRequestHuman,
    request_handoff,
)
from actions.language import ActionChangeLanguage
from actions.session import ActionSessionStart
from common.handoffs import HandoffReason, Priority
from common.paths import CONTENT_DIR, ROOT
from faqs.files import load_faqs
from tests.actions.conftest import DOMAIN

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str, **slots: Any) -> Tracker:
    state = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    state["slots"].update(slots)
    return Tracker.from_dict(state)


async def run(action: Action, tracker: Tracker) -> tuple[list[dict], dict[str, Any]]:
    """(messages sent, slots set) after running ``action``.

    The quality payloads (``{"faq": key}``, ``{"outcome": ...}``) are checked
    apart, by :func:`quality_payloads`.
    """
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, DOMAIN)
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    return [m for m in dispatcher.messages if not _quality(m)], slots


def _quality(message: dict) -> bool:
    custom = message.get("custom") or {}
    return bool(custom) and set(custom) <= {"faq", "outcome"}


async def quality_payloads(action: Action, tracker: Tracker) -> list[dict]:
    """The quality payloads an action sent."""
    dispatcher = CollectingDispatcher()
    await action.run(dispatcher, tracker, DOMAIN)
    return [m["custom"] for m in dispatcher.messages if _quality(m)]


def handoffs(messages: list[dict]) -> list[dict]:
    return [
        {k: m["custom"]["handoff"][k] for k in ("reason", "priority")}
        for m in messages
        if m.get("custom")
    ]


# --------------------------------------------------------------------------- answering


async def test_confident_faq_is_answered_and_recorded() -> None:
    messages, slots = await run(ActionAnswerFaq(), load("faq_confident_zh.json"))

    assert [m["response"] for m in messages] == ["utter_faq/opening_hours"]
    assert await quality_payloads(ActionAnswerFaq(), load("faq_confident_zh.json")) == [
        {"faq": "opening_hours"}
    ]
    assert slots["last_faq"] == "opening_hours"
    assert slots["faqs_answered"] == ["hotline", "opening_hours"]
    assert slots["faq_misses"] == 0


QUESTIONS = {faq.id: dict(faq.question) for faq in load_faqs(ROOT / CONTENT_DIR)}


async def test_every_faq_is_in_the_domain_with_its_question_and_answer() -> None:
    faqs = load_faqs(ROOT / CONTENT_DIR)
    assert domain_faqs.faq_keys(DOMAIN) == {faq.id for faq in faqs}
    for faq in faqs:
        for lang in ("zh", "en"):
            assert domain_faqs.question(DOMAIN, faq.id, lang) == faq.question[lang]
            assert domain_faqs.answer(DOMAIN, faq.id, lang) == faq.answer[lang]


async def test_below_threshold_asks_with_the_likeliest_questions_in_english() -> None:
    messages, slots = await run(ActionAnswerFaq(), load("faq_ambiguous_en.json"))

    (message,) = messages
    assert message["response"] == "utter_faq_clarify"
    questions = QUESTIONS
    assert message["buttons"] == [
        {
            "title": questions["account_fees"]["en"],
            "payload": '/choose_faq{"faq_key":"account_fees"}',
        },
        {
            "title": questions["transfer_fees"]["en"],
            "payload": '/choose_faq{"faq_key":"transfer_fees"}',
        },
        {
            "title": questions["atm_withdrawal"]["en"],
            "payload": '/choose_faq{"faq_key":"atm_withdrawal"}',
        },
        {"title": "Talk to an agent", "payload": "/request_human"},
    ]
    assert slots["faq_misses"] == 1
    assert not handoffs(messages)


async def test_buttons_are_in_chinese_for_a_chinese_conversation() -> None:
    messages, _ = await run(ActionAnswerFaq(), load("faq_ambiguous_en.json", language="zh"))

    titles = [b["title"] for b in messages[0]["buttons"]]
    assert titles[0] == QUESTIONS["account_fees"]["zh"]
    assert titles[-1] == "转人工客服"


async def test_the_threshold_is_what_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(faq_actions, "ANSWER_THRESHOLD", 0.4)
    messages, _ = await run(ActionAnswerFaq(), load("faq_ambiguous_en.json"))
    assert [m["response"] for m in messages] == ["utter_faq/account_fees"]


async def test_second_miss_in_a_row_hands_off_low_confidence() -> None:
    tracker = load("faq_second_miss_en.json")
    assert previous_turn_missed(tracker)

    messages, slots = await run(ActionAnswerFaq(), tracker)

    assert [m["response"] for m in messages if m.get("response")] == [
        "utter_handoff_low_confidence"
    ]
    assert handoffs(messages) == [{"reason": "low_confidence", "priority": "normal"}]
    assert slots["handoff_reason"] == "low_confidence"
    assert slots["faq_misses"] == 0  # a fresh start if an agent hands back


async def test_misses_with_an_answer_between_are_not_in_a_row() -> None:
    tracker = load("faq_miss_not_in_a_row_zh.json")
    assert not previous_turn_missed(tracker)

    messages, slots = await run(ActionAnswerFaq(), tracker)

    assert messages[0]["response"] == "utter_faq_clarify"
    assert not handoffs(messages)
    assert slots["faq_misses"] == 1


async def test_gibberish_gets_no_answer_and_no_suggestions() -> None:
    messages, slots = await run(ActionAnswerFaq(), load("nlu_fallback_gibberish.json"))

    assert [m["response"] for m in messages] == ["utter_ask_rephrase"]
    assert not messages[0]["buttons"]
    assert await quality_payloads(ActionAnswerFaq(), load("nlu_fallback_gibberish.json")) == [
        {"outcome": "fallback"}
    ]
    assert slots["faq_misses"] == 1


async def test_a_button_answers_that_faq_directly() -> None:
    messages, slots = await run(ActionAnswerFaq(), load("choose_faq_en.json"))

    assert [m["response"] for m in messages] == ["utter_faq/transfer_fees"]
    assert slots["last_faq"] == "transfer_fees"
    assert slots["faq_misses"] == 0
    assert slots["faq_key"] is None


async def test_a_tampered_button_payload_answers_nothing() -> None:
    messages, _ = await run(ActionAnswerFaq(), load("choose_faq_unknown.json"))
    assert [m["response"] for m in messages] == ["utter_ask_rephrase"]


def test_ranking_reads_the_response_selector() -> None:
    tracker = load("faq_ambiguous_en.json")
    ranking = faq_ranking(tracker.latest_message)
    assert [c.key for c in ranking][:2] == ["account_fees", "transfer_fees"]
    assert faq_ranking({}) == []


async def test_titles_and_keys_come_from_the_domain_it_is_sent() -> None:
    """The live model's domain decides: an edited question shows, a FAQ it lacks does not."""
    domain = copy.deepcopy(DOMAIN)
    fees = domain["responses"]["utter_faq/account_fees"]
    fees[1]["metadata"]["question"] = "What does an account cost?"
    domain["responses"]["utter_faq/transfer_fees_v2"] = domain["responses"].pop(
        "utter_faq/transfer_fees"
    )
    del domain["responses"]["utter_faq/atm_withdrawal"]
    dispatcher = CollectingDispatcher()
    await ActionAnswerFaq().run(dispatcher, load("faq_ambiguous_en.json"), domain)
    (message,) = [m for m in dispatcher.messages if not _quality(m)]
    assert [b["title"] for b in message["buttons"]] == [
        "What does an account cost?",  # the domain's question, not the content file's
        QUESTIONS["forex_remittance"]["en"],  # transfer_fees and atm_withdrawal are gone
        "Talk to an agent",
    ]


# --------------------------------------------------------------------------- handoff


@pytest.mark.parametrize(
    "action, reason",
    [
        (ActionHandoffRequestHuman(), "request_human"),
        (ActionHandoffComplexTopic(), "complex_topic"),
    ],
)
async def test_handoff_actions(action: Action, reason: str) -> None:
    messages, slots = await run(action, load("faq_confident_zh.json"))

    assert messages[0]["response"] == f"utter_handoff_{reason}"
    assert handoffs(messages) == [{"reason": reason, "priority": "normal"}]
    assert slots == {"handoff_reason": reason, "handoff_priority": "normal"}


def test_every_reason_has_a_polite_message_in_the_domain() -> None:
    for reason in HandoffReason:
        assert f"utter_handoff_{reason.value}" in DOMAIN["responses"], reason


def test_default_priorities_follow_the_design() -> None:
    dispatcher = CollectingDispatcher()
    request_handoff(dispatcher, "fraud_risk")
    request_handoff(dispatcher, "emotion")
    request_handoff(dispatcher, "repeated_question")
    assert [h["priority"] for h in handoffs(dispatcher.messages)] == ["urgent", "high", "normal"]


@pytest.mark.parametrize("reason, priority", [("angry", "normal"), ("emotion", "asap")])
def test_unknown_reasons_and_priorities_are_refused(reason: str, priority: str) -> None:
    known_reasons = {r.value for r in HandoffReason}
    assert reason not in known_reasons or priority not in {p.value for p in Priority}
    with pytest.raises(ValueError):
        request_handoff(CollectingDispatcher(), reason, priority)


# --------------------------------------------------------------------------- language


async def test_explicit_switch_sets_and_pins_the_language() -> None:
    _, slots = await run(ActionChangeLanguage(), load("change_language_to_en.json"))
    assert slots == {"language": "en", "language_pinned": True, "target_language": None}


async def test_switch_without_a_named_language_toggles() -> None:
    tracker = load("change_language_to_en.json", target_language=None)
    tracker.latest_message["entities"] = []
    _, slots = await run(ActionChangeLanguage(), tracker)
    assert slots["language"] == "en"


# --------------------------------------------------------------------------- session


async def test_session_start_keeps_slots_and_takes_language_and_channel() -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionSessionStart().run(dispatcher, load("session_start_en_app.json"), DOMAIN)

    assert events[0]["event"] == "session_started"
    assert (events[-1]["event"], events[-1]["name"]) == ("action", "action_listen")
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["language"] == "en"
    assert slots["channel"] == "app"
    assert slots["verified_customer_id"] == "2"  # carried over
    assert slots["faqs_answered"] == ["hotline"]
    assert "faq_misses" not in slots  # starts again


async def test_session_start_keeps_an_existing_language() -> None:
    tracker = load("session_start_en_app.json", language="zh")
    _, slots = await run(ActionSessionStart(), tracker)
    assert slots["language"] == "zh"


async def test_wordless_input_asks_again_without_counting_a_miss() -> None:
    messages, slots = await run(ActionAnswerFaq(), load("nlu_fallback_wordless.json"))
    assert [m["response"] for m in messages] == ["utter_ask_rephrase"]
    assert slots == {}

    # after a real miss, it neither hands off nor breaks the "in a row" chain
    messages, slots = await run(
        ActionAnswerFaq(), load("nlu_fallback_wordless.json", faq_misses=1.0)
    )
    assert not handoffs(messages)
    assert slots["faq_misses"] == 1.0
