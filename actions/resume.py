"""After either verification form: greet the verified customer and do what they asked.

Or, when it failed, explain the lock, and hand over after three failures. The
services a customer may have asked for before verifying (``pending_service``)
are the account and card services; each one is resumed with the filters or
the card remembered with the request.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import accounts, cards
from actions.deps import db, deps
from actions.evidence import evidence_of
from actions.handoff import request_handoff
from actions.language import current_language
from actions.verification.identity import VerifiedCustomer, iso_utc
from actions.verification.slots import clear_form_slots
from actions.wording import HUMAN_BUTTON
from common.payloads import customer_pseudonym, verified_at

Service = Callable[
    [CollectingDispatcher, Tracker, VerifiedCustomer, DomainDict], Awaitable[list[EventType]]
]

SERVICES: dict[str, Service] = {
    "balance": accounts.show_balance,
    "transactions": accounts.show_transactions,
    "card_status": cards.show_card_status,
    "freeze_card": cards.resume_freeze,
    "lost_card": cards.resume_lost_card,
}
"""What each ``pending_service`` does once the customer is verified."""


async def resume_service(
    service: str,
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    verified: VerifiedCustomer,
    domain: DomainDict,
) -> list[EventType]:
    """Do what the customer asked for before verification (``pending_service``)."""
    run = SERVICES.get(service)
    if run is None:
        dispatcher.utter_message(response="utter_verified_what_next")
        return []
    return await run(dispatcher, tracker, verified, domain)


class ActionVerificationComplete(Action):
    """After either form: greet the verified customer and do what they asked.

    Or, when it failed, explain the lock, and hand over after three failures.
    """

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_verification_complete"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Run the action (see the class docstring)."""
        d = deps()
        outcome = tracker.get_slot("verification_outcome")
        language = current_language(tracker)
        events = clear_form_slots()
        if outcome != "verified":
            events.append(SlotSet("pending_service", None))
            if outcome == "failed":
                why = evidence_of(tracker, "verification_failed")
                return events + request_handoff(
                    dispatcher, "verification_failed", "high", evidence=why
                )
            if outcome == "rate_limited":
                dispatcher.utter_message(
                    response="utter_verification_rate_limited", buttons=[HUMAN_BUTTON[language]]
                )
            elif outcome == "locked":
                dispatcher.utter_message(
                    response="utter_verification_locked",
                    minutes=math.ceil(d.settings.verify_lockout_s / 60),
                    buttons=[HUMAN_BUTTON[language]],
                )
            else:  # the form ended some other way: nothing was proven
                dispatcher.utter_message(response="utter_verification_restart")
                dispatcher.utter_message(response="utter_verified_what_next")
            return events

        record = await db(d.verifications.latest_verification, tracker.sender_id)
        customer = None if record is None else await db(d.repo.get_customer, record.customer_id)
        if record is None or customer is None:  # cannot happen unless the row vanished
            dispatcher.utter_message(response="utter_verification_restart")
            return events + [SlotSet("pending_service", None)]
        verified = VerifiedCustomer(customer, record.verified_at)
        events += [
            SlotSet("verified_customer_id", str(customer.id)),
            SlotSet("verified_at", iso_utc(record.verified_at)),
            SlotSet("customer_name", customer.name),
        ]
        dispatcher.utter_message(response="utter_verified", name=customer.name)
        dispatcher.utter_message(
            json_message=verified_at(
                iso_utc(record.verified_at),
                customer_pseudonym(d.settings.otp_digest_key.get_secret_value(), customer.id),
            )
        )

        service = tracker.get_slot("pending_service")
        events.append(SlotSet("pending_service", None))
        if service:
            events += await resume_service(service, dispatcher, tracker, verified, domain)
        else:
            dispatcher.utter_message(response="utter_verified_what_next")
        return events

