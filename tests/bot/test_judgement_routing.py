"""bot/judgement_routing.py: where `make eval` says the engine sends a labelled message."""

from __future__ import annotations

from typing import Any

import pytest

from bot.judgement_routing import (
    ASKED_FOR,
    BOT,
    COMPLAINT,
    COMPLAINT_THEN_PERSON,
    PERSON,
    URGENT,
    route,
)


def parse(text: str, intent: str, *, upset: float = 0.01, fraud: float = 0.01,
          kind: str | None = None) -> dict[str, Any]:  # fmt: skip
    """Parse data as the engine leaves it (thresholds 0.7 and 0.2)."""
    entities = [{"entity": "emotion", "value": kind}] if upset >= 0.7 and kind else []
    return {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "intent_ranking": [{"name": intent, "confidence": 0.9}],
        "entities": entities,
        "judgement": {
            "upset": {"score": upset, "flag": upset >= 0.7, "kind": kind, "source": "model"},
            "fraud_victim": {"score": fraud, "flag": fraud >= 0.2, "source": "model"},
        },
    }


@pytest.mark.parametrize(
    ("message", "where"),
    [
        (parse("my money went to a 'safe account' the police told me about", "faq",
               fraud=0.97), URGENT),
        (parse("THIS IS THE FOURTH TIME I ASK, NOBODY HELPS", "faq", upset=0.98,
               kind="anger"), PERSON),
        (parse("我要投诉，柜员态度太差了，气死我了", "complain", upset=0.95, kind="anger"),
         COMPLAINT_THEN_PERSON),
        (parse("I want to complain about the queue at your branch yesterday", "complain"),
         COMPLAINT),
        (parse("let me talk to a person", "request_human"), ASKED_FOR),
        (parse("what are your opening hours", "faq"), BOT),
    ],
)  # fmt: skip
def test_each_message_goes_where_the_engine_sends_it(message: dict[str, Any], where: str) -> None:
    assert route(message, {"opening_hours", "fraud_prevention"}) == where


def test_a_calm_fraud_report_queued_urgently_is_no_false_alarm_on_the_mood() -> None:
    from bot.judgement_data import Example
    from bot.judgement_routing import routed_outcomes

    reported = "two card payments last night were not mine, please block the card"
    calm_victim = Example(reported, "en", "calm", "fraud_report_calm", "upset")
    calm_other = Example("the app is stuck on loading", "en", "calm", "app_error", "upset")
    upset_victim = Example("THEY STOLE MY MONEY!!! 5000 GONE", "en", "upset", "anger", "upset")
    parses = [
        parse(reported, "report_fraud", fraud=0.9),
        parse(calm_other.text, "faq", fraud=0.97),  # a fraud flag on a calm app error
        parse(upset_victim.text, "faq", upset=0.99, fraud=0.99, kind="anger"),
    ]
    outcomes = routed_outcomes([calm_victim, calm_other, upset_victim], parses, "upset")
    assert [o.flag for o in outcomes] == [False, True, True]
    victims = routed_outcomes([calm_victim], parses[:1], "fraud_victim")
    assert victims[0].flag
