"""An FAQ turn's reply: answer only when sure, otherwise ask, and a person at the second miss.

Decided in the engine (``bot/faq.py``, rendered by ``bot/nlg.py``) for the
rules of the intents ``faq``, ``choose_faq`` (a clarification button) and
``nlu_fallback``; it used to be the action server's ``action_answer_faq``.
Everything here is plain data: the message's parse data, slot values and the
tracker's events as dicts, as in :mod:`common.escalation`.

* The intent ``faq`` can be confident while the *answer* is not (Rasa's
  ``FallbackClassifier`` only sees the intent). So the classifier's ranking
  of answers decides: the answer ``utter_faq/<key>`` only when the top one
  reaches :data:`common.parse.ANSWER_THRESHOLD`.
* Below it, or on ``nlu_fallback``, "did you mean…" with the 2-3 most likely
  FAQs as buttons (their questions, from the live model's domain:
  :func:`question`). With nothing plausible (gibberish) "please rephrase".
* A second miss in a row hands off to a person (``low_confidence``). A
  message without words (emoji, digits, a bare link) only gets "please say
  that again": it is not a question the assistant failed to answer.

Every answer records its key (slots ``last_faq`` and ``faqs_answered``) so
repeated questions can be counted.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from common.languages import DEFAULT_LANGUAGE
from common.parse import ANSWER_THRESHOLD, FAQ_RESPONSE_PREFIX, RETRIEVAL_INTENT, faq_ranking
from common.text import has_words

SUGGEST_THRESHOLD = 0.05
"""Minimum answer confidence for a FAQ to be offered as a suggestion."""

SUGGEST_INTENT_THRESHOLD = 0.15
"""On ``nlu_fallback``, FAQs are suggested only if the intent ``faq`` itself
reached this confidence; otherwise (gibberish, unrelated text) the customer
is asked to rephrase."""

MAX_SUGGESTIONS = 3
MISSES_BEFORE_HANDOFF = 2

CHOOSE_INTENT = "choose_faq"
KEY_ENTITY = "faq_key"
REPLY_SLOT = "faq_reply"
"""The slot that carries the decision from the policy to the response (``bot/nlg.py``)."""

ANSWER = "answer"
CLARIFY = "clarify"
REPHRASE = "rephrase"
SAY_AGAIN = "say_again"
HANDOFF = "handoff"
KINDS = (ANSWER, CLARIFY, REPHRASE, SAY_AGAIN, HANDOFF)

RESPONSES = {
    CLARIFY: "utter_faq_clarify",
    REPHRASE: "utter_ask_rephrase",
    SAY_AGAIN: "utter_ask_rephrase",
    HANDOFF: "utter_handoff_low_confidence",
}
"""The domain response each kind of reply says (an answer says ``utter_faq/<key>``)."""

Event = Mapping[str, Any]


@dataclass(frozen=True)
class Reply:
    """What the customer gets: a kind of :data:`KINDS`, the FAQ answered, the FAQs offered."""

    kind: str
    key: str | None = None
    suggestions: tuple[str, ...] = ()

    @property
    def response(self) -> str:
        """The domain response said first."""
        if self.kind == ANSWER:
            return f"{FAQ_RESPONSE_PREFIX}{self.key}"
        return RESPONSES[self.kind]

    def as_slot(self) -> dict[str, Any]:
        """The value of :data:`REPLY_SLOT`."""
        return {"kind": self.kind, "key": self.key, "suggestions": list(self.suggestions)}

    @classmethod
    def from_slot(cls, value: Any) -> Reply | None:
        """The reply a slot value names; ``None`` for anything else."""
        if not isinstance(value, Mapping) or value.get("kind") not in KINDS:
            return None
        key = value.get("key")
        if value["kind"] == ANSWER and not isinstance(key, str):
            return None
        suggestions = tuple(str(k) for k in value.get("suggestions") or [])
        return cls(str(value["kind"]), key if isinstance(key, str) else None, suggestions)


# --------------------------------------------------------------------------- parse data


def intent_confidence(message: Mapping[str, Any], intent: str) -> float:
    """Confidence of ``intent`` in the intent ranking (0 when absent)."""
    for item in message.get("intent_ranking") or []:
        if item.get("name") == intent:
            return float(item.get("confidence") or 0.0)
    top = message.get("intent") or {}
    return float(top.get("confidence") or 0.0) if top.get("name") == intent else 0.0


def chosen_key(message: Mapping[str, Any]) -> Any:
    """The ``faq_key`` of a button's payload: the first such entity without role or group."""
    for entity in message.get("entities") or []:
        if entity.get("entity") == KEY_ENTITY and entity.get("role") is None:
            if entity.get("group") is None:
                return entity.get("value")
    return None


def previous_turn_missed(events: Sequence[Event]) -> bool:
    """Whether the turn before this one ended in a miss.

    That is, ``faq_misses`` > 0 was set between the previous customer message
    and the current one.
    """
    seen_current = False
    for event in reversed(events):
        if event.get("event") == "user":
            if seen_current:
                return False  # reached the turn before the previous one
            seen_current = True
            continue
        if not seen_current:
            continue
        if event.get("event") == "slot" and event.get("name") == "faq_misses":
            return bool(event.get("value"))
    return False


# --------------------------------------------------------------------------- the decision


def decide(
    message: Mapping[str, Any],
    slots: Mapping[str, Any],
    events: Sequence[Event],
    known: Collection[str],
) -> tuple[Reply, list[tuple[str, Any]]]:
    """The reply to an FAQ turn and the slot changes it makes, in the order they are set.

    ``slots``: the current ``faq_key``, ``faq_misses`` and ``faqs_answered``;
    ``events``: the tracker's events back to the previous customer message at
    least, oldest first; ``known``: the live model's FAQ keys.
    """
    intent = (message.get("intent") or {}).get("name")

    if intent == CHOOSE_INTENT:
        key = chosen_key(message) or slots.get("faq_key")
        if key in known:
            return _answer(slots, str(key))
        return _miss(slots, events, ())

    if not has_words(str(message.get("text") or "")):
        # emoji, digits, punctuation, a bare link: ask again, but this is
        # not a question we failed to answer, so no step towards a handoff
        misses = slots.get("faq_misses") or 0
        changes = [("faq_misses", misses), ("faq_key", None)] if misses else []
        return Reply(SAY_AGAIN), changes

    ranking = [c for c in faq_ranking(message) if c.key in known]
    if intent == RETRIEVAL_INTENT and ranking and ranking[0].confidence >= ANSWER_THRESHOLD:
        return _answer(slots, ranking[0].key)

    plausible = intent == RETRIEVAL_INTENT or (
        intent_confidence(message, RETRIEVAL_INTENT) >= SUGGEST_INTENT_THRESHOLD
    )
    suggestions = (
        tuple(c.key for c in ranking if c.confidence >= SUGGEST_THRESHOLD)[:MAX_SUGGESTIONS]
        if plausible
        else ()
    )
    return _miss(slots, events, suggestions)


def _answer(slots: Mapping[str, Any], key: str) -> tuple[Reply, list[tuple[str, Any]]]:
    answered = list(slots.get("faqs_answered") or []) + [key]
    changes = [("last_faq", key), ("faqs_answered", answered), ("faq_misses", 0)]
    return Reply(ANSWER, key), changes + [("faq_key", None)]


def _miss(
    slots: Mapping[str, Any], events: Sequence[Event], suggestions: tuple[str, ...]
) -> tuple[Reply, list[tuple[str, Any]]]:
    before = int(slots.get("faq_misses") or 0) if previous_turn_missed(events) else 0
    misses = before + 1
    if misses >= MISSES_BEFORE_HANDOFF:
        changes = [("handoff_reason", "low_confidence"), ("handoff_priority", "normal")]
        return Reply(HANDOFF), changes + [("faq_misses", 0), ("faq_key", None)]
    kind = CLARIFY if suggestions else REPHRASE
    return Reply(kind, None, suggestions), [("faq_misses", misses), ("faq_key", None)]


# --------------------------------------------------------------------------- the domain's FAQs


def variant(
    responses: Mapping[str, Any], response: str, language: str
) -> Mapping[str, Any] | None:
    """The variant of ``response`` the engine renders in ``language`` (the default without one)."""
    default = None
    for candidate in responses.get(response) or []:
        conditions = candidate.get("condition") or []
        if not conditions:
            default = default or candidate
        elif any(
            c.get("type") == "slot" and c.get("name") == "language" and c.get("value") == language
            for c in conditions
        ):
            return dict(candidate)
    return None if default is None else dict(default)


def question(responses: Mapping[str, Any], key: str, language: str) -> str | None:
    """The FAQ's question in ``language`` (Chinese when that is all there is).

    The content workflow renders it into the ``metadata`` of each variant of
    ``utter_faq/<key>`` (``faqs/render.py``), so it follows the live model.
    """
    for lang in (language, DEFAULT_LANGUAGE):
        found = variant(responses, FAQ_RESPONSE_PREFIX + key, lang) or {}
        text = str((found.get("metadata") or {}).get("question") or "").strip()
        if text:
            return text
    return None


def choice_button(responses: Mapping[str, Any], key: str, language: str) -> dict[str, str]:
    """The "did you mean…" button of one FAQ: its question, and a payload that picks it."""
    return {
        "title": question(responses, key, language) or key,
        "payload": f'/{CHOOSE_INTENT}{{"{KEY_ENTITY}":"{key}"}}',
    }
