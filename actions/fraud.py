"""Fraud victims (docs/requirements.md, rule 10): warn at once, then a human, urgently.

"Someone asked for my SMS code", "I moved money to a safe account",
"a charge I didn't make": any victim signal — the learned fraud-victim
detector's flag or the intent ``report_fraud`` (:func:`common.escalation.victim_signal`)
— makes the engine set ``escalation`` to ``fraud_risk``, and
the escalation policy runs this action ahead of any rule or form. The
customer first gets the fraud warning — the answer of the FAQ
``fraud_prevention`` as the live model has it (:mod:`actions.domain_faqs`),
without its "did that help?" closing — then the conversation goes to the
queue with reason ``fraud_risk``, priority ``urgent``. A running form stops
(a verification's challenge is closed, so its code stops working). A question
about *avoiding* fraud carries no victim signal and gets the FAQ as usual.
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import domain_faqs
from actions.escalation import after_handoff, stop_running_form
from actions.evidence import evidence_of
from actions.handoff import request_handoff
from actions.language import current_language
from common.escalation import FRAUD_FAQ


class ActionReportFraud(Action):
    """The fraud warning, then an urgent handoff (``fraud_risk``)."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_report_fraud"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Run the action (see the class docstring)."""
        events = await stop_running_form(tracker)
        warning = domain_faqs.answer(domain, FRAUD_FAQ, current_language(tracker))
        if warning:  # a model without the FAQ still hands over at once
            dispatcher.utter_message(text=warning)
        why = evidence_of(tracker, "fraud_risk")
        events += request_handoff(
            dispatcher, "fraud_risk", "urgent", response="utter_fraud_handoff", evidence=why
        )
        return events + after_handoff()
