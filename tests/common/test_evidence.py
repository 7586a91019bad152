"""The evidence a handoff carries: what is kept of a well-formed, a partial and a bad object."""

from __future__ import annotations

from typing import Any

import pytest

from common import evidence, payloads
from common.handoffs import HandoffReason, Priority


def test_a_full_object_survives_the_round_trip() -> None:
    built = evidence.build(
        messages=["this is beyond frustrating"],
        detector="upset",
        score=0.87,
        intents=[("faq", 0.4)],
        faqs=["opening_hours"],
        verified=True,
    )
    payload = payloads.handoff_request(HandoffReason.emotion, Priority.high, built)
    assert payloads.parse_handoff(payload) == (HandoffReason.emotion, Priority.high)
    assert evidence.from_handoff_payload(payload) == {
        "messages": ["this is beyond frustrating"],
        "detector": "upset",
        "score": 0.87,
        "intents": [{"name": "faq", "confidence": 0.4}],
        "faqs": ["opening_hours"],
        "verified": True,
    }


def test_a_handoff_without_evidence_is_unchanged() -> None:
    payload = payloads.handoff_request(HandoffReason.complaint, Priority.high)
    assert payload == {"handoff": {"reason": "complaint", "priority": "high"}}
    assert evidence.from_handoff_payload(payload) is None


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("not an object", None),
        ({}, None),
        ({"unknown": 1}, None),
        ({"score": 1.5}, None),
        ({"score": float("nan")}, None),
        ({"score": True}, None),
        ({"messages": "one string"}, None),
        ({"messages": ["", "  ", 3, "ok"]}, {"messages": ["ok"]}),
        ({"messages": [f"m{i}" for i in range(9)]}, {"messages": [f"m{i}" for i in range(4, 9)]}),
        ({"intents": ["faq", {"name": "greet", "confidence": 7}, {"x": 1}]},
         {"intents": [{"name": "faq", "confidence": None}, {"name": "greet", "confidence": None}]}),
        ({"verified": "yes", "detector": "  "}, None),
        ({"detector": "x" * 100}, {"detector": "x" * 64}),
    ],
)  # fmt: skip
def test_a_malformed_field_is_dropped_not_fatal(raw: Any, kept: dict[str, Any] | None) -> None:
    assert evidence.clean(raw) == kept


def test_the_customer_pseudonym_is_stable_and_keyed() -> None:
    one = payloads.customer_pseudonym("key-one", 42)
    assert one == payloads.customer_pseudonym("key-one", 42)
    assert one != payloads.customer_pseudonym("key-two", 42)
    assert one != payloads.customer_pseudonym("key-one", 43)
    assert "42" not in one and len(one) == 32
    assert payloads.verified_at("2026-12-01T00:00:00Z", one)["verified"]["customer"] == one
