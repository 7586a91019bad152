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

:func:`of_handoff` gathers the evidence from a conversation's events, for the
action server's handoffs (``actions/evidence.py``) and the engine's own
(``bot/nlg.py``) alike. Which messages triggered a handoff depends on its
reason: the latest message for a single-message decision (a victim, an upset
message, a request for a person, a specialist topic); the last few for what
the whole conversation showed (frustration rising, misunderstood twice, the
same need asked again).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from common.conversation import WINDOW
from common.redaction import redact

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


# --------------------------------------------------------------------------- gathering

CONVERSATION_LEVEL = frozenset({"repeated_question", "low_confidence"})
"""Reasons decided over several messages: the evidence shows the last few."""


def customer_messages(
    events: Sequence[Mapping[str, Any]], latest_message: Mapping[str, Any] | None, count: int
) -> list[dict[str, Any]]:
    """The last ``count`` customer messages (parse data), oldest first; no button payloads.

    ``events``: the tracker's events as dicts; ``latest_message``: the latest
    message's parse data, used when no event qualifies.
    """
    found: list[dict[str, Any]] = []
    for event in reversed(events):
        if event.get("event") != "user":
            continue
        text = str(event.get("text") or "")
        if not text.strip() or text.lstrip().startswith("/"):
            continue
        found.append({**(event.get("parse_data") or {}), "text": text})
        if len(found) == count:
            break
    if not found and latest_message:
        found.append(dict(latest_message))
    return list(reversed(found))


def top_faq(message: Mapping[str, Any]) -> str | None:
    """The FAQ answer the classifier ranked first for a message, if any."""
    selector = (message.get("response_selector") or {}).get("faq") or {}
    ranking = selector.get("ranking") or [selector.get("response") or {}]
    key = str((ranking[0] if ranking else {}).get("intent_response_key") or "")
    return key.split("/", 1)[1] if key.startswith("faq/") else None


def _decided_by(
    reason: str, latest: Mapping[str, Any], rising: bool
) -> tuple[str, float | None]:
    """The detector named in the evidence, and its score when it has one."""
    judgement = latest.get("judgement") or {}
    if reason == "fraud_risk":
        victim = judgement.get("fraud_victim") or {}
        if victim.get("flag") and victim.get("source") == "model":
            return "fraud_victim", victim.get("score")
        return "rules", victim.get("score")
    if reason == "emotion":
        upset = judgement.get("upset") or {}
        name = "upset" if upset.get("source", "model") == "model" else "rules"
        return (f"{name}_rising" if rising else name), upset.get("score")
    if reason in ("request_human", "complex_topic"):
        return "request", float((latest.get("intent") or {}).get("confidence") or 0.0) or None
    return reason, None


def of_handoff(
    reason: str,
    events: Sequence[Mapping[str, Any]],
    latest_message: Mapping[str, Any] | None,
    faqs_answered: Sequence[Any] | None,
    verified: bool,
    *,
    rising: bool = False,
) -> dict[str, Any]:
    """The evidence of a handoff for ``reason`` (``rising``: frustration over several messages).

    ``events`` and ``latest_message`` as for :func:`customer_messages`;
    ``faqs_answered``: the slot of that name; ``verified``: whether the
    customer passed identity verification.
    """
    several = rising or reason in CONVERSATION_LEVEL
    messages = customer_messages(events, latest_message, WINDOW if several else 1)
    latest = messages[-1] if messages else {}
    detector, score = _decided_by(reason, latest, rising)
    intents = [
        (str(m["intent"]["name"]), round(float(m["intent"].get("confidence") or 0.0), 4))
        for m in messages
        if (m.get("intent") or {}).get("name")
    ]
    considered = [key for key in (top_faq(m) for m in messages) if key]
    answered = [str(k) for k in faqs_answered or []][-3:]
    faqs = list(dict.fromkeys(considered + answered))
    return build(
        messages=[redact(str(m.get("text") or "")) for m in messages],
        detector=detector,
        score=round(float(score), 4) if isinstance(score, (int, float)) else None,
        intents=intents or None,
        faqs=faqs or None,
        verified=verified,
    )
