"""bot/faq.py and bot/nlg.py: an FAQ turn decided and rendered in the engine.

The trackers are the states the engine used to send the action server's
``action_answer_faq`` (``tests/actions/fixtures``); what the customer gets
must be what that action made the engine send: the same responses, buttons
and payloads, and the same slots.
"""

from __future__ import annotations

import asyncio
import json
import warnings
from pathlib import Path
from typing import Any

import pytest

from tests.bot.conftest import import_engine_module

faq = import_engine_module("bot.faq")
nlg_module = import_engine_module("bot.nlg")
turn = import_engine_module("bot.turn")
domain_module = import_engine_module("rasa.shared.core.domain")
events = import_engine_module("rasa.shared.core.events")
trackers = import_engine_module("rasa.shared.core.trackers")
policy_module = import_engine_module("rasa.core.policies.policy")

pytestmark = pytest.mark.engine_env

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "actions" / "fixtures"
with warnings.catch_warnings():  # Rasa's own notices about the domain files
    warnings.simplefilter("ignore", UserWarning)
    DOMAIN = domain_module.Domain.load(str(ROOT / "domain"))
NLG = nlg_module.BankNaturalLanguageGenerator(domain=DOMAIN)


def question(key: str, language: str) -> str:
    for variant in DOMAIN.responses[f"utter_faq/{key}"]:
        conditions = variant.get("condition") or []
        if (language == "zh") == (not conditions):
            return str(variant["metadata"]["question"])
    raise KeyError(key)


def tracker(name: str, **slots: Any):  # type: ignore[no-untyped-def]
    """The fixture's tracker in the engine, its slot values set before its events."""
    state = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    state["slots"].update(slots)
    preset = [{"event": "slot", "name": k, "value": v} for k, v in state["slots"].items()
              if k in {s.name for s in DOMAIN.slots}]  # fmt: skip
    return trackers.DialogueStateTracker.from_dict(
        state["sender_id"], preset + state["events"], DOMAIN.slots
    )


def reply(name: str, **slots: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the message the FAQ reply renders to, the slots the turn sets)."""
    engine_tracker = tracker(name, **slots)
    turn_events = faq.faq_events(engine_tracker, DOMAIN)
    engine_tracker.update_with_events(turn_events, DOMAIN)
    message = asyncio.run(NLG.generate(faq.ACTION, engine_tracker, "rest"))
    set_ = {e.key: e.value for e in turn_events if isinstance(e, events.SlotSet)}
    return message, set_


def text_of(response: str, language: str) -> str:
    for variant in DOMAIN.responses[response]:
        conditions = variant.get("condition") or []
        if (language == "zh") == (not conditions):
            return str(variant["text"])
    raise KeyError(response)


def test_a_confident_faq_is_answered_with_the_payload_the_quality_figures_count() -> None:
    message, slots = reply("faq_confident_zh.json")
    assert message["text"] == text_of("utter_faq/opening_hours", "zh")
    assert message["custom"] == {"faq": "opening_hours"}
    assert "buttons" not in message
    assert slots["last_faq"] == "opening_hours"
    assert slots["faqs_answered"] == ["hotline", "opening_hours"]
    assert slots["faq_misses"] == 0
    assert slots["faq_reply"] == {"kind": "answer", "key": "opening_hours", "suggestions": []}


def test_below_the_threshold_the_likeliest_questions_are_buttons_in_english() -> None:
    message, slots = reply("faq_ambiguous_en.json")
    assert message["text"] == text_of("utter_faq_clarify", "en")
    assert message["buttons"] == [
        {"title": question(k, "en"), "payload": f'/choose_faq{{"faq_key":"{k}"}}'}
        for k in ("account_fees", "transfer_fees", "atm_withdrawal")
    ] + [{"title": "Talk to an agent", "payload": "/request_human"}]
    assert message["custom"] == {"outcome": "clarification"}  # the Unanswered page's signal
    assert slots["faq_misses"] == 1


def test_buttons_are_in_chinese_for_a_chinese_conversation() -> None:
    message, _ = reply("faq_ambiguous_en.json", language="zh")
    titles = [b["title"] for b in message["buttons"]]
    assert titles[0] == question("account_fees", "zh")
    assert titles[-1] == "转人工客服"
    assert message["text"] == text_of("utter_faq_clarify", "zh")


def test_the_second_miss_hands_off_with_evidence() -> None:
    message, slots = reply("faq_second_miss_en.json")
    assert message["text"] == text_of("utter_handoff_low_confidence", "en")
    handoff = message["custom"]["handoff"]
    assert (handoff["reason"], handoff["priority"]) == ("low_confidence", "normal")
    why = handoff["evidence"]
    assert why["detector"] == "low_confidence"
    assert why["messages"] == ["fees", "the other fee thing"]
    assert [i["name"] for i in why["intents"]] == ["faq", "nlu_fallback"]
    assert why["verified"] is False
    assert (slots["handoff_reason"], slots["handoff_priority"]) == ("low_confidence", "normal")
    assert slots["faq_misses"] == 0


def test_gibberish_is_asked_to_rephrase_and_counted_as_a_fallback() -> None:
    message, slots = reply("nlu_fallback_gibberish.json")
    assert message["text"] == text_of("utter_ask_rephrase", "zh")
    assert not message.get("buttons")
    assert message["custom"] == {"outcome": "fallback"}
    assert slots["faq_misses"] == 1


def test_a_message_without_words_is_asked_again_and_not_counted() -> None:
    message, slots = reply("nlu_fallback_wordless.json")
    assert message["text"] == text_of("utter_ask_rephrase", "zh")
    assert "custom" not in message
    assert set(slots) == {"faq_reply"}


def test_a_button_answers_its_faq() -> None:
    message, slots = reply("choose_faq_en.json")
    assert message["text"] == text_of("utter_faq/transfer_fees", "en")
    assert message["custom"] == {"faq": "transfer_fees"}
    assert slots["faq_key"] is None


def test_other_responses_are_rasas() -> None:
    engine_tracker = tracker("faq_ambiguous_en.json")
    message = asyncio.run(NLG.generate("utter_greet", engine_tracker, "rest"))
    assert message["text"] == text_of("utter_greet", "en")
    assert asyncio.run(NLG.generate("utter_nothing_such", engine_tracker, "rest")) is None


def test_without_a_decision_the_reply_says_nothing() -> None:
    engine_tracker = tracker("faq_confident_zh.json")
    assert asyncio.run(NLG.generate(faq.ACTION, engine_tracker, "rest")) is None


class _Predicts:
    """A policy that is sure of one action."""

    action = faq.ACTION

    def predict_action_probabilities(self, tracker_, domain, rule_only_data=None, **kwargs):  # type: ignore[no-untyped-def]
        probabilities = [0.0] * domain.num_actions
        probabilities[domain.index_for_action(self.action)] = 1.0
        return policy_module.PolicyPrediction(probabilities, "stub")


class _Fresh(turn._AfterTurnEvents, _Predicts):
    pass


class _FreshGreeting(turn._AfterTurnEvents, _Predicts):
    action = "utter_greet"


def test_a_prediction_of_the_faq_reply_carries_the_turns_slots_as_optional_events() -> None:
    engine_tracker = tracker("faq_confident_zh.json")
    prediction = _Fresh().predict_action_probabilities(engine_tracker, DOMAIN)
    assert prediction.optional_events == faq.faq_events(engine_tracker, DOMAIN)
    assert not prediction.events  # applied only if this prediction wins
    other = _FreshGreeting().predict_action_probabilities(engine_tracker, DOMAIN)
    assert other.optional_events == []


def test_the_rules_predict_the_engines_reply() -> None:
    for path in (ROOT / "data").rglob("*.yml"):
        assert "action_answer_faq" not in path.read_text(encoding="utf-8"), path
    assert faq.ACTION in DOMAIN.responses
    assert "action_answer_faq" not in DOMAIN.action_names_or_texts


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_fraud_prevention_answer_offers_a_victim_a_person_at_one_tap(language: str) -> None:
    answer = {"kind": "answer", "key": "fraud_prevention", "suggestions": []}
    engine_tracker = tracker("faq_confident_zh.json", faq_reply=answer, language=language)
    message = asyncio.run(NLG.generate(faq.ACTION, engine_tracker, "rest"))
    assert message["text"] == text_of("utter_faq/fraud_prevention", language)
    assert message["buttons"] == [
        {"title": text_of("utter_fraud_prevention_victim_button", language),
         "payload": "/report_fraud"}
    ]  # fmt: skip
    assert message["custom"] == {"faq": "fraud_prevention"}
