"""The engine's responses: the domain's, plus the FAQ reply decided in this turn.

Rasa's own generator (``TemplatedNaturalLanguageGenerator``) renders every
response of the domain, in the conversation's language by the variants'
conditions. This one (``nlg: type: bot.nlg.BankNaturalLanguageGenerator`` in
the engine's endpoints) does the same, and renders the FAQ reply
(:data:`bot.faq.ACTION`) from the decision in the slot ``faq_reply``
(``bot/faq.py``, :mod:`common.faq`) as the action server used to:

* an answer: ``utter_faq/<key>`` and the payload naming it
  (:func:`common.payloads.faq_answered`, counted by the quality figures);
  the fraud-prevention answer also gets a button for a customer who has
  already lost money or shared a code (:data:`VICTIM_BUTTON`, payload
  ``/report_fraud``: the warning and an urgent handoff), so a victim the
  detector did not recognise is one tap from a person;
* "did you mean…": ``utter_faq_clarify`` with a button per FAQ offered (its
  question in the customer's language, from the same domain: the content
  workflow renders it into ``utter_faq/<key>``) before the response's own
  "talk to a person" button, and the payload of a miss
  (:func:`common.payloads.turn_outcome`, for the Unanswered page);
* "please rephrase": ``utter_ask_rephrase`` and the same payload, or without
  it for a message without words;
* a second miss: ``utter_handoff_low_confidence`` and the handoff request
  with its evidence (:func:`common.evidence.of_handoff`).

Text and payload are one message, as Rasa sends a response with both: the
REST channel returns the text (split at blank lines), then the payload.
"""

from __future__ import annotations

from typing import Any

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.faq import ACTION
from bot.history import message_dict
from common import evidence
from common.escalation import FRAUD_FAQ
from common.faq import ANSWER, CLARIFY, HANDOFF, REPHRASE, REPLY_SLOT, Reply, choice_button
from common.handoffs import HandoffReason, Priority
from common.languages import DEFAULT_LANGUAGE, LANGUAGES
from common.payloads import (
    OUTCOME_CLARIFICATION,
    OUTCOME_FALLBACK,
    faq_answered,
    handoff_request,
    turn_outcome,
)

VICTIM_BUTTON = "utter_fraud_prevention_victim_button"
"""The response whose text is the title of the fraud-prevention answer's victim button."""
VICTIM_PAYLOAD = "/report_fraud"


class BankNaturalLanguageGenerator(TemplatedNaturalLanguageGenerator):
    """The domain's responses, and the FAQ reply of :mod:`bot.faq` (module docs)."""

    def __init__(
        self, endpoint_config: EndpointConfig | None = None, domain: Domain | None = None
    ) -> None:
        """Rasa creates it with the endpoint's settings; the agent sets each model's responses."""
        super().__init__(domain.responses if domain else {})

    async def generate(
        self,
        utter_action: str,
        tracker: DialogueStateTracker,
        output_channel: str,
        **kwargs: Any,
    ) -> dict[str, Any] | None:
        """The message for ``utter_action``; the FAQ reply as this turn's decision says."""
        if utter_action != ACTION:
            return await super().generate(utter_action, tracker, output_channel, **kwargs)
        reply = Reply.from_slot(tracker.get_slot(REPLY_SLOT))
        if reply is None:
            return None
        message = await super().generate(reply.response, tracker, output_channel, **kwargs)
        if message is None:
            return None
        if reply.kind == CLARIFY:
            language = tracker.get_slot("language")
            language = language if language in LANGUAGES else DEFAULT_LANGUAGE
            offered = [choice_button(self.responses, key, language) for key in reply.suggestions]
            message["buttons"] = offered + list(message.get("buttons") or [])
        if reply.kind == ANSWER and reply.key == FRAUD_FAQ:
            title = await super().generate(VICTIM_BUTTON, tracker, output_channel, **kwargs)
            if title and title.get("text"):
                button = {"title": title["text"], "payload": VICTIM_PAYLOAD}
                message["buttons"] = list(message.get("buttons") or []) + [button]
        custom = _payload(reply, tracker)
        if custom is not None:
            message["custom"] = custom
        return message


def _payload(reply: Reply, tracker: DialogueStateTracker) -> dict[str, Any] | None:
    """The payload for the gateway that goes with a reply (module docs)."""
    if reply.kind == ANSWER and reply.key:
        return faq_answered(reply.key)
    if reply.kind == CLARIFY:
        return turn_outcome(OUTCOME_CLARIFICATION)
    if reply.kind == REPHRASE:
        return turn_outcome(OUTCOME_FALLBACK)
    if reply.kind == HANDOFF:
        reason = HandoffReason.low_confidence
        latest = tracker.latest_message
        why = evidence.of_handoff(
            reason.value,
            [event.as_dict() for event in tracker.events if event.type_name == "user"],
            None if latest is None else message_dict(latest),
            tracker.get_slot("faqs_answered"),
            bool(tracker.get_slot("verified_customer_id")),
        )
        return handoff_request(reason, Priority.normal, why)
    return None
