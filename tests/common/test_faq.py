"""common/faq.py: an FAQ turn's reply (answer, clarify, rephrase, hand off) and its slots.

The messages are the tracker states the engine used to send the action
server's ``action_answer_faq`` (``tests/actions/fixtures``), read as plain
data the way ``bot/faq.py`` hands the engine's tracker to
:func:`common.faq.decide`.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from common import faq
from common.faq import Reply, decide, previous_turn_missed, question
from common.parse import faq_keys
from common.paths import CONTENT_DIR, ROOT
from faqs.files import load_faqs

FIXTURES = ROOT / "tests" / "actions" / "fixtures"


def _responses() -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for path in sorted((ROOT / "domain").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        merged.update(data.get("responses") or {})
    return merged


RESPONSES = _responses()
KNOWN = faq_keys(RESPONSES)
QUESTIONS = {f.id: dict(f.question) for f in load_faqs(ROOT / CONTENT_DIR)}


def state(name: str, **slots: Any) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    loaded["slots"].update(slots)
    return loaded


def decided(name: str, known: set[str] | None = None, **slots: Any) -> tuple[Reply, dict]:
    tracker = state(name, **slots)
    known = KNOWN if known is None else known
    reply, changes = decide(tracker["latest_message"], tracker["slots"], tracker["events"], known)
    return reply, dict(changes)


def test_a_confident_faq_is_answered_and_recorded() -> None:
    reply, slots = decided("faq_confident_zh.json")
    assert reply == Reply("answer", "opening_hours")
    assert reply.response == "utter_faq/opening_hours"
    assert slots == {
        "last_faq": "opening_hours",
        "faqs_answered": ["hotline", "opening_hours"],
        "faq_misses": 0,
        "faq_key": None,
    }


def test_below_the_threshold_the_likeliest_faqs_are_offered() -> None:
    reply, slots = decided("faq_ambiguous_en.json")
    assert reply == Reply("clarify", None, ("account_fees", "transfer_fees", "atm_withdrawal"))
    assert reply.response == "utter_faq_clarify"
    assert slots == {"faq_misses": 1, "faq_key": None}


def test_the_threshold_is_what_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(faq, "ANSWER_THRESHOLD", 0.4)
    reply, _ = decided("faq_ambiguous_en.json")
    assert reply == Reply("answer", "account_fees")


def test_only_the_live_models_faqs_are_offered() -> None:
    known = set(KNOWN) - {"transfer_fees", "atm_withdrawal"}
    reply, _ = decided("faq_ambiguous_en.json", known)
    assert reply.suggestions == ("account_fees", "forex_remittance")


def test_the_second_miss_in_a_row_hands_off_low_confidence() -> None:
    tracker = state("faq_second_miss_en.json")
    assert previous_turn_missed(tracker["events"])
    reply, slots = decided("faq_second_miss_en.json")
    assert reply == Reply("handoff")
    assert reply.response == "utter_handoff_low_confidence"
    assert list(slots.items()) == [
        ("handoff_reason", "low_confidence"),
        ("handoff_priority", "normal"),
        ("faq_misses", 0),  # a fresh start if an agent hands back
        ("faq_key", None),
    ]


def test_misses_with_an_answer_between_are_not_in_a_row() -> None:
    assert not previous_turn_missed(state("faq_miss_not_in_a_row_zh.json")["events"])
    reply, slots = decided("faq_miss_not_in_a_row_zh.json")
    assert reply.kind == "clarify"
    assert slots["faq_misses"] == 1


def test_gibberish_is_asked_to_rephrase_without_suggestions() -> None:
    reply, slots = decided("nlu_fallback_gibberish.json")
    assert reply == Reply("rephrase")
    assert reply.response == "utter_ask_rephrase"
    assert slots["faq_misses"] == 1


def test_a_button_answers_that_faq_directly() -> None:
    reply, slots = decided("choose_faq_en.json")
    assert reply == Reply("answer", "transfer_fees")
    assert (slots["last_faq"], slots["faq_misses"], slots["faq_key"]) == ("transfer_fees", 0, None)


def test_a_tampered_button_payload_answers_nothing() -> None:
    reply, _ = decided("choose_faq_unknown.json")
    assert reply == Reply("rephrase")


def test_wordless_input_asks_again_without_counting_a_miss() -> None:
    reply, slots = decided("nlu_fallback_wordless.json")
    assert reply == Reply("say_again")
    assert reply.response == "utter_ask_rephrase"
    assert slots == {}
    # after a real miss, it neither hands off nor breaks the "in a row" chain
    reply, slots = decided("nlu_fallback_wordless.json", faq_misses=1.0)
    assert reply.kind == "say_again"
    assert slots == {"faq_misses": 1.0, "faq_key": None}


def test_the_reply_survives_its_slot() -> None:
    reply = Reply("clarify", None, ("a", "b"))
    assert Reply.from_slot(reply.as_slot()) == reply
    assert Reply.from_slot(None) is None
    assert Reply.from_slot({"kind": "answer"}) is None  # an answer names its FAQ
    assert Reply.from_slot({"kind": "shout"}) is None


def test_every_faq_has_its_question_in_the_domain() -> None:
    assert {f for f in QUESTIONS} == KNOWN
    for key, asked in QUESTIONS.items():
        for lang in ("zh", "en"):
            assert question(RESPONSES, key, lang) == asked[lang]


def test_a_button_shows_the_question_and_picks_its_faq() -> None:
    assert faq.choice_button(RESPONSES, "hotline", "en") == {
        "title": QUESTIONS["hotline"]["en"],
        "payload": '/choose_faq{"faq_key":"hotline"}',
    }
    assert faq.choice_button(RESPONSES, "gone", "zh")["title"] == "gone"
