"""actions/faq.py: models trained before the engine rendered the FAQ turn still get it.

The tracker states are those such a model's engine sends (``fixtures/``); the
domain is one of that time: ``utter_faq_clarify`` without the person's button,
which the action adds itself.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.faq import ActionAnswerFaq
from tests.actions.conftest import DOMAIN

FIXTURES = Path(__file__).parent / "fixtures"
OLD_DOMAIN = copy.deepcopy(DOMAIN)
for _variant in OLD_DOMAIN["responses"]["utter_faq_clarify"]:
    _variant.pop("buttons", None)


async def run(name: str, **slots: Any) -> tuple[list[dict], list[tuple[str, Any]]]:
    state = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    state["slots"].update(slots)
    dispatcher = CollectingDispatcher()
    events = await ActionAnswerFaq().run(dispatcher, Tracker.from_dict(state), OLD_DOMAIN)
    return dispatcher.messages, [(e["name"], e["value"]) for e in events if e["event"] == "slot"]


def question(key: str, language: str) -> str:
    for variant in DOMAIN["responses"][f"utter_faq/{key}"]:
        if (language == "zh") == (not variant.get("condition")):
            return str(variant["metadata"]["question"])
    raise KeyError(key)


async def test_a_confident_faq_is_answered_and_counted() -> None:
    messages, slots = await run("faq_confident_zh.json")
    assert [m.get("response") for m in messages] == ["utter_faq/opening_hours", None]
    assert messages[1]["custom"] == {"faq": "opening_hours"}
    assert slots == [
        ("last_faq", "opening_hours"),
        ("faqs_answered", ["hotline", "opening_hours"]),
        ("faq_misses", 0),
        ("faq_key", None),
    ]


async def test_an_unsure_answer_offers_the_likeliest_questions_and_a_person() -> None:
    messages, slots = await run("faq_ambiguous_en.json")
    assert messages[0]["response"] == "utter_faq_clarify"
    assert messages[0]["buttons"] == [
        {"title": question(k, "en"), "payload": f'/choose_faq{{"faq_key":"{k}"}}'}
        for k in ("account_fees", "transfer_fees", "atm_withdrawal")
    ] + [{"title": "Talk to an agent", "payload": "/request_human"}]
    assert messages[1]["custom"] == {"outcome": "clarification"}
    assert slots == [("faq_misses", 1), ("faq_key", None)]


async def test_the_second_miss_hands_off_with_evidence() -> None:
    messages, slots = await run("faq_second_miss_en.json")
    assert messages[0]["response"] == "utter_handoff_low_confidence"
    handoff = messages[1]["custom"]["handoff"]
    assert (handoff["reason"], handoff["priority"]) == ("low_confidence", "normal")
    assert handoff["evidence"]["detector"] == "low_confidence"
    assert slots == [
        ("handoff_reason", "low_confidence"),
        ("handoff_priority", "normal"),
        ("faq_misses", 0),
        ("faq_key", None),
    ]


async def test_gibberish_and_wordless_messages() -> None:
    messages, _ = await run("nlu_fallback_gibberish.json")
    assert [m.get("response") for m in messages] == ["utter_ask_rephrase", None]
    assert messages[1]["custom"] == {"outcome": "fallback"}
    messages, slots = await run("nlu_fallback_wordless.json")
    assert [m.get("response") for m in messages] == ["utter_ask_rephrase"]
    assert slots == []
