"""The small actions every conversation relies on: actions/handoff.py,
actions/language.py, actions/session.py, and the FAQ answers actions quote
(actions/domain_faqs.py). The FAQ turn itself is the engine's (tests/bot/test_faq.py,
tests/common/test_faq.py).

Each test loads a tracker state the engine would send (JSON under
``fixtures/``, parse data as bot/classifier.py produces it), runs the action
with a real rasa_sdk ``Tracker`` and ``CollectingDispatcher``, and checks what
the customer would get and which events come back.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import domain_faqs
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
    """(messages sent, slots set) after running ``action``."""
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, DOMAIN)
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    return dispatcher.messages, slots


def handoffs(messages: list[dict]) -> list[dict]:
    return [
        {k: m["custom"]["handoff"][k] for k in ("reason", "priority")}
        for m in messages
        if m.get("custom")
    ]


# --------------------------------------------------------------------------- FAQ answers


def test_every_faq_is_in_the_domain_with_its_question_and_answer() -> None:
    faqs = load_faqs(ROOT / CONTENT_DIR)
    assert domain_faqs.faq_keys(DOMAIN) == {faq.id for faq in faqs}
    for faq in faqs:
        for lang in ("zh", "en"):
            assert domain_faqs.question(DOMAIN, faq.id, lang) == faq.question[lang]
            assert domain_faqs.answer(DOMAIN, faq.id, lang) == faq.answer[lang]


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
