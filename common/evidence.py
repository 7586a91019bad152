"""Why a handoff happened: the evidence a handoff request carries to the agent's console.

The action server adds an optional ``evidence`` object to the handoff payload
(``{"handoff": {"reason", "priority", "evidence": {...}}}``); the gateway keeps
it with the queue entry and shows it in the agent's summary. Every key is
optional, so either side can add what it knows:

* ``messages`` — the customer messages that triggered the handoff (the gateway
  masks them again before storing);
* ``detector`` — what decided: ``upset``, ``fraud_victim``, ``rules``,
  ``repeated_question``, ``low_confidence``, ``request``…;
* ``score`` — the detector's calibrated score, 0–1;
* ``intents`` — ``[{"name", "confidence"}]`` the engine saw, newest last;
* ``faqs`` — FAQ keys the engine considered or answered;
* ``verified`` — whether the customer had passed identity verification.

An agent who thinks a handoff was a false alarm disputes it with one of
:data:`DISPUTE_LABELS`; the disputed messages feed the labelled sets.
"""

from __future__ import annotations

import math
from typing import Any

EVIDENCE = "evidence"
MESSAGES = "messages"
DETECTOR = "detector"
SCORE = "score"
INTENTS = "intents"
FAQS = "faqs"
VERIFIED = "verified"
KEYS = (MESSAGES, DETECTOR, SCORE, INTENTS, FAQS, VERIFIED)

MAX_MESSAGES = 5
MAX_ITEMS = 10
MAX_TEXT = 500
MAX_NAME = 64

NOT_UPSET = "not_upset"
NOT_FRAUD = "not_fraud"
DISPUTE_LABELS = (NOT_UPSET, NOT_FRAUD)
"""An agent's verdict that a handoff was a false alarm: the customer was not
upset, or was not a fraud victim."""


def build(
    *,
    messages: list[str] | None = None,
    detector: str | None = None,
    score: float | None = None,
    intents: list[tuple[str, float]] | None = None,
    faqs: list[str] | None = None,
    verified: bool | None = None,
) -> dict[str, Any]:
    """The evidence object, with only the keys that are known."""
    raw: dict[str, Any] = {
        MESSAGES: messages,
        DETECTOR: detector,
        SCORE: score,
        INTENTS: [{"name": n, "confidence": c} for n, c in intents] if intents else None,
        FAQS: faqs,
        VERIFIED: verified,
    }
    return {key: value for key, value in raw.items() if value is not None}


def _name(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()[:MAX_NAME]
    return value or None


def _score(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    if math.isnan(number) or not 0.0 <= number <= 1.0:
        return None
    return round(number, 4)


def _intents(value: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict):
            continue
        name = _name(item.get("name"))
        if name:
            out.append({"name": name, "confidence": _score(item.get("confidence"))})
    return out[-MAX_ITEMS:]


def clean(raw: Any) -> dict[str, Any] | None:
    """The well-formed part of a received evidence object; None when nothing is usable.

    Unknown keys are dropped, texts and lists are bounded, a score outside 0–1
    is left out: a malformed field never loses the handoff itself.
    """
    if not isinstance(raw, dict):
        return None
    messages = [
        m.strip()[:MAX_TEXT] for m in raw.get(MESSAGES) or [] if isinstance(m, str) and m.strip()
    ] if isinstance(raw.get(MESSAGES), list) else []
    faqs = [
        key for key in (_name(f) for f in raw.get(FAQS) or []) if key
    ] if isinstance(raw.get(FAQS), list) else []
    out: dict[str, Any] = {
        MESSAGES: messages[-MAX_MESSAGES:],
        DETECTOR: _name(raw.get(DETECTOR)),
        SCORE: _score(raw.get(SCORE)),
        INTENTS: _intents(raw.get(INTENTS)),
        FAQS: faqs[-MAX_ITEMS:],
        VERIFIED: raw.get(VERIFIED) if isinstance(raw.get(VERIFIED), bool) else None,
    }
    kept = {key: value for key, value in out.items() if value not in (None, [])}
    return kept or None


def from_handoff_payload(custom: dict[str, Any] | None) -> dict[str, Any] | None:
    """The cleaned evidence of a ``{"handoff": {...}}`` payload, if it carries any."""
    handoff = (custom or {}).get("handoff")
    if not isinstance(handoff, dict):
        return None
    return clean(handoff.get(EVIDENCE))
