"""Why this handoff: the evidence a handoff request carries to the agent (issue 11, item 7).

Every handoff an action requests with the tracker at hand carries an
``evidence`` object (keys of :mod:`common.evidence`): the customer messages
that triggered it (masked), the detector that decided and its score, the
intents and FAQs the engine saw for those messages, and whether the customer
was verified. The gateway stores it with the queue entry and shows it in the
agent's summary, where the agent may dispute it ("not upset", "not fraud").

Which messages triggered a handoff depends on its reason: the latest message
for a single-message decision (a victim, an upset message, a request for a
person, a specialist topic); the last few for what the whole conversation
showed (frustration rising, misunderstood twice, the same need asked again).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from common import conversation, evidence
from common.redaction import redact

WINDOW = conversation.WINDOW
"""Messages shown for a decision over several: as far as the engine looks back."""

CONVERSATION_LEVEL = frozenset({"repeated_question", "low_confidence"})
"""Reasons decided over several messages: the evidence shows the last few."""


def customer_messages(tracker: Tracker, count: int) -> list[dict[str, Any]]:
    """The last ``count`` customer messages (parse data), oldest first; no button payloads."""
    found: list[dict[str, Any]] = []
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        text = str(event.get("text") or "")
        if not text.strip() or text.lstrip().startswith("/"):
            continue
        found.append({**(event.get("parse_data") or {}), "text": text})
        if len(found) == count:
            break
    if not found and tracker.latest_message:
        found.append(dict(tracker.latest_message))
    return list(reversed(found))


def top_faq(message: dict[str, Any]) -> str | None:
    """The FAQ answer the classifier ranked first for a message, if any."""
    selector = (message.get("response_selector") or {}).get("faq") or {}
    ranking = selector.get("ranking") or [selector.get("response") or {}]
    key = str((ranking[0] if ranking else {}).get("intent_response_key") or "")
    return key.split("/", 1)[1] if key.startswith("faq/") else None


def _decided_by(reason: str, latest: dict[str, Any], rising: bool) -> tuple[str, float | None]:
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


def evidence_of(tracker: Tracker, reason: str, *, rising: bool = False) -> dict[str, Any]:
    """The evidence of a handoff for ``reason`` (``rising``: frustration over several messages)."""
    several = rising or reason in CONVERSATION_LEVEL
    messages = customer_messages(tracker, WINDOW if several else 1)
    latest = messages[-1] if messages else {}
    detector, score = _decided_by(reason, latest, rising)
    intents = [
        (str(m["intent"]["name"]), round(float(m["intent"].get("confidence") or 0.0), 4))
        for m in messages
        if (m.get("intent") or {}).get("name")
    ]
    considered = [key for key in (top_faq(m) for m in messages) if key]
    answered = [str(k) for k in tracker.get_slot("faqs_answered") or []][-3:]
    faqs = list(dict.fromkeys(considered + answered))
    return evidence.build(
        messages=[redact(str(m.get("text") or "")) for m in messages],
        detector=detector,
        score=round(float(score), 4) if isinstance(score, (int, float)) else None,
        intents=intents or None,
        faqs=faqs or None,
        verified=bool(tracker.get_slot("verified_customer_id")),
    )
