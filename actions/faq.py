"""``action_answer_faq``: answer a FAQ only when sure, otherwise ask.

Used by the rules for the intents ``faq``, ``choose_faq`` (a clarification
button) and ``nlu_fallback`` instead of a plain ``utter_faq``:

* The intent ``faq`` can be confident while the *answer* is not (Rasa's
  ``FallbackClassifier`` only sees the intent). So the action reads the
  ResponseSelector's ranking in ``latest_message["response_selector"]["faq"]``
  and answers ``utter_faq/<key>`` only when the top answer's confidence is at
  least :data:`ANSWER_THRESHOLD` (the engine renders the customer's language
  variant).
* Below it, or on ``nlu_fallback``, the customer gets "did you mean…" with the
  2-3 most likely FAQ questions as buttons, in their language (the questions
  of the live model's domain, :mod:`actions.domain_faqs`); each button's
  payload (``/choose_faq{"faq_key": "<key>"}``) selects that FAQ directly.
  With nothing plausible (gibberish) it asks to rephrase instead.
* A second miss in a row hands off to a human (``low_confidence``). A
  message without words (emoji, digits, a bare link) only gets "please say
  that again": it is not a question the assistant failed to answer.

Every answer records its key (slots ``last_faq`` and ``faqs_answered``) so
repeated questions can be counted.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import domain_faqs
from actions.evidence import evidence_of
from actions.handoff import request_handoff
from actions.language import current_language
from actions.wording import HUMAN_BUTTON
from common.parse import ANSWER_THRESHOLD, RETRIEVAL_INTENT, Candidate, faq_ranking
from common.payloads import OUTCOME_CLARIFICATION, OUTCOME_FALLBACK, faq_answered, turn_outcome
from common.text import has_words

logger = logging.getLogger(__name__)

SUGGEST_THRESHOLD = 0.05
"""Minimum answer confidence for a FAQ to be offered as a suggestion."""

SUGGEST_INTENT_THRESHOLD = 0.15
"""On ``nlu_fallback``, FAQs are suggested only if the intent ``faq`` itself
reached this confidence; otherwise (gibberish, unrelated text) the customer
is asked to rephrase."""

MAX_SUGGESTIONS = 3
MISSES_BEFORE_HANDOFF = 2


# --------------------------------------------------------------------------- parse data


def intent_confidence(latest_message: dict[str, Any], intent: str) -> float:
    """Confidence of ``intent`` in the intent ranking (0 when absent)."""
    for item in latest_message.get("intent_ranking") or []:
        if item.get("name") == intent:
            return float(item.get("confidence") or 0.0)
    top = latest_message.get("intent") or {}
    return float(top.get("confidence") or 0.0) if top.get("name") == intent else 0.0


def previous_turn_missed(tracker: Tracker) -> bool:
    """Whether the turn before this one ended in a miss.

    That is, ``faq_misses`` > 0 was set between the previous user message and
    the current one.
    """
    seen_current = False
    for event in reversed(tracker.events):
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


# --------------------------------------------------------------------------- action


class ActionAnswerFaq(Action):
    """Answer, clarify or hand off (see module docs)."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_answer_faq"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        """Runs the action (see the class docstring)."""
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name")
        known = domain_faqs.faq_keys(domain)

        if intent == "choose_faq":
            key = next(tracker.get_latest_entity_values("faq_key"), None) or tracker.get_slot(
                "faq_key"
            )
            if key in known:
                return self._answer(dispatcher, tracker, key)
            return self._miss(dispatcher, tracker, domain, [])

        if not has_words(str(message.get("text") or "")):
            # emoji, digits, punctuation, a bare link: ask again, but this is
            # not a question we failed to answer, so no step towards a handoff
            dispatcher.utter_message(response="utter_ask_rephrase")
            misses = tracker.get_slot("faq_misses") or 0
            return [SlotSet("faq_misses", misses), SlotSet("faq_key", None)] if misses else []

        ranking = [c for c in faq_ranking(message) if c.key in known]
        if intent == RETRIEVAL_INTENT and ranking and ranking[0].confidence >= ANSWER_THRESHOLD:
            return self._answer(dispatcher, tracker, ranking[0].key)

        plausible = intent == RETRIEVAL_INTENT or (
            intent_confidence(message, RETRIEVAL_INTENT) >= SUGGEST_INTENT_THRESHOLD
        )
        suggestions = (
            [c for c in ranking if c.confidence >= SUGGEST_THRESHOLD][:MAX_SUGGESTIONS]
            if plausible
            else []
        )
        return self._miss(dispatcher, tracker, domain, suggestions)

    def _answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, key: str
    ) -> list[EventType]:
        dispatcher.utter_message(response=f"utter_faq/{key}")
        dispatcher.utter_message(json_message=faq_answered(key))  # counted by the quality figures
        answered = list(tracker.get_slot("faqs_answered") or []) + [key]
        return [
            SlotSet("last_faq", key),
            SlotSet("faqs_answered", answered),
            SlotSet("faq_misses", 0),
            SlotSet("faq_key", None),
        ]

    def _miss(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
        suggestions: list[Candidate],
    ) -> list[EventType]:
        misses = (
            int(tracker.get_slot("faq_misses") or 0) if previous_turn_missed(tracker) else 0
        ) + 1
        if misses >= MISSES_BEFORE_HANDOFF:
            why = evidence_of(tracker, "low_confidence")
            events = request_handoff(dispatcher, "low_confidence", "normal", evidence=why)
            return events + [SlotSet("faq_misses", 0), SlotSet("faq_key", None)]

        language = current_language(tracker)
        if suggestions:
            buttons = [
                {
                    "title": domain_faqs.question(domain, c.key, language) or c.key,
                    "payload": f'/choose_faq{{"faq_key":"{c.key}"}}',
                }
                for c in suggestions
            ]
            buttons.append(HUMAN_BUTTON[language])
            dispatcher.utter_message(response="utter_faq_clarify", buttons=buttons)
        else:
            dispatcher.utter_message(response="utter_ask_rephrase")
        # The content team's Unanswered page collects the messages that missed.
        dispatcher.utter_message(
            json_message=turn_outcome(OUTCOME_CLARIFICATION if suggestions else OUTCOME_FALLBACK)
        )
        return [SlotSet("faq_misses", misses), SlotSet("faq_key", None)]
