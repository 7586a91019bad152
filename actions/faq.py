"""``action_answer_faq``: the FAQ turn for models trained before the engine rendered it.

Since issue 13 (item 1) the engine decides and renders an FAQ turn itself
(``bot/faq.py``, ``bot/nlg.py``): the rules predict the response
``utter_answer_faq`` and no action is called. A model trained before that
still predicts this action; the content pages can roll back to any of the
last five live models, so the action server keeps answering it, with the
same decision (:func:`common.faq.decide`) and the same messages as the
engine. It can go once no model in the registry predates the change.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import domain_faqs
from actions.evidence import evidence_of
from actions.handoff import request_handoff
from actions.language import current_language
from actions.wording import HUMAN_BUTTON
from common.faq import ANSWER, CLARIFY, HANDOFF, REPHRASE, choice_button, decide
from common.payloads import OUTCOME_CLARIFICATION, OUTCOME_FALLBACK, faq_answered, turn_outcome

SLOTS = ("faq_key", "faq_misses", "faqs_answered")


class ActionAnswerFaq(Action):
    """Answer, clarify, rephrase or hand off, as the engine does (module docs)."""

    def name(self) -> str:
        """The action's name in the domain of models trained before the change."""
        return "action_answer_faq"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        """Runs the action (see the module docstring)."""
        slots = {name: tracker.get_slot(name) for name in SLOTS}
        known = domain_faqs.faq_keys(domain)
        reply, changes = decide(tracker.latest_message or {}, slots, tracker.events, known)
        events: list[EventType] = []
        if reply.kind == HANDOFF:
            why = evidence_of(tracker, "low_confidence")
            events = request_handoff(dispatcher, "low_confidence", "normal", evidence=why)
            changes = changes[2:]  # the handoff's own slots are request_handoff's
        elif reply.kind == CLARIFY:
            language = current_language(tracker)
            responses = domain.get("responses") or {}
            buttons = [choice_button(responses, key, language) for key in reply.suggestions]
            buttons.append(HUMAN_BUTTON[language])
            dispatcher.utter_message(response=reply.response, buttons=buttons)
        else:
            dispatcher.utter_message(response=reply.response)
        if reply.kind == ANSWER and reply.key:
            dispatcher.utter_message(json_message=faq_answered(reply.key))
        elif reply.kind in (CLARIFY, REPHRASE):
            outcome = OUTCOME_CLARIFICATION if reply.kind == CLARIFY else OUTCOME_FALLBACK
            dispatcher.utter_message(json_message=turn_outcome(outcome))
        return events + [SlotSet(name, value) for name, value in changes]
