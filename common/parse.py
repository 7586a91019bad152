"""Reading the engine's parse data of a message: intent, entities, the FAQ ranking.

The escalation (:mod:`common.escalation`), the FAQ reply (:mod:`common.faq`)
and the action server's evidence read the same message the same way: what the
customer asked, which FAQ answers it and how sure the classifier is. The message is the
parse data as a dict (``latest_message`` of the tracker).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

RETRIEVAL_INTENT = "faq"
FAQ_RESPONSE_PREFIX = "utter_faq/"

ANSWER_THRESHOLD = 0.6
"""Minimum answer confidence for the FAQ reply (:mod:`common.faq`) to answer directly (tuned
on the held-out test sets: see the note in config.yml / the eval report); below
it the customer is asked what they meant. The escalation counts only answered
FAQs, so both sides read this one number."""


@dataclass(frozen=True)
class Candidate:
    """One possible FAQ answer and its confidence."""

    key: str
    confidence: float


def intent_name(message: Mapping[str, Any]) -> str | None:
    """The intent the classifier chose, if any."""
    name = (message.get("intent") or {}).get("name")
    return str(name) if name else None


def intent_confidence(message: Mapping[str, Any]) -> float:
    """How sure the classifier was of that intent (0 without one)."""
    return float((message.get("intent") or {}).get("confidence") or 0.0)


def is_button(message: Mapping[str, Any]) -> bool:
    """A button's payload (``/choose_faq{...}``) rather than words typed."""
    return str(message.get("text") or "").lstrip().startswith("/")


def entity_value(message: Mapping[str, Any], name: str) -> Any:
    """The value of the first entity ``name`` (any role or group), or ``None``."""
    for entity in message.get("entities") or []:
        if entity.get("entity") == name:
            return entity.get("value")
    return None


def faq_ranking(message: Mapping[str, Any]) -> list[Candidate]:
    """The ranking of FAQ answers for ``faq``, best first."""
    selector = (message.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}
    prefix = f"{RETRIEVAL_INTENT}/"
    out: list[Candidate] = []
    for item in selector.get("ranking") or []:
        key = str(item.get("intent_response_key") or "")
        if key.startswith(prefix):
            out.append(Candidate(key[len(prefix) :], float(item.get("confidence") or 0.0)))
    if not out:  # some versions only give the chosen response
        response = selector.get("response") or {}
        key = str(response.get("intent_response_key") or "")
        if key.startswith(prefix):
            out.append(Candidate(key.split("/", 1)[1], float(response.get("confidence") or 0.0)))
    return sorted(out, key=lambda c: -c.confidence)


def faq_keys(response_names: Iterable[str]) -> set[str]:
    """The FAQs a model can answer: its responses ``utter_faq/<key>``."""
    return {
        name[len(FAQ_RESPONSE_PREFIX) :]
        for name in response_names
        if name.startswith(FAQ_RESPONSE_PREFIX)
    }


def answered_faq(message: Mapping[str, Any], known: Iterable[str]) -> str | None:
    """The FAQ an ``faq`` message is answered with (:mod:`common.faq`), if it is sure enough."""
    keys = set(known)
    ranking = [c for c in faq_ranking(message) if c.key in keys]
    if ranking and ranking[0].confidence >= ANSWER_THRESHOLD:
        return ranking[0].key
    return None
