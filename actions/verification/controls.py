"""What a customer may ask for while a verification runs: a new code, or to stop."""

from __future__ import annotations

import math

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.deps import db, deps
from actions.language import current_language
from actions.otp import new_code
from actions.store.verification import IssueOutcome
from actions.tracker import latest_intent
from actions.verification.codes import digest, send_code
from actions.verification.slots import active_form, clear_form_slots
from actions.wording import HUMAN_BUTTON
from common.plural import count_of


class ActionResendCode(Action):
    """Resend ("重新发送", "resend"): a new code once the last is 60 s old."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_resend_code"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Run the action (see the class docstring)."""
        d = deps()
        conversation = tracker.sender_id
        language = current_language(tracker)
        challenge = await db(d.verifications.open_challenge, conversation)
        if challenge is None or not challenge.code_issued or not active_form(tracker):
            dispatcher.utter_message(response="utter_no_code_to_resend")
            return []
        code = new_code()
        result = await db(d.verifications.reissue_code, conversation, digest(d, conversation, code))
        if result.outcome is IssueOutcome.ISSUED:
            if result.customer_id is not None:
                customer = await db(d.repo.get_customer, result.customer_id)
                if customer is not None:
                    send_code(d, customer, code, language, conversation)
            dispatcher.utter_message(response="utter_code_resent")
        elif result.outcome is IssueOutcome.TOO_SOON:
            seconds = max(1, math.ceil(result.wait.total_seconds()))
            dispatcher.utter_message(
                response="utter_code_resend_wait",
                seconds=seconds,
                seconds_text=count_of(seconds, "second"),
            )
        elif result.outcome is IssueOutcome.RATE_LIMITED:
            dispatcher.utter_message(
                response="utter_verification_rate_limited", buttons=[HUMAN_BUTTON[language]]
            )
        else:
            dispatcher.utter_message(response="utter_no_code_to_resend")
        return []


class ActionCancelVerification(Action):
    """Cancel ("算了", "never mind") during verification: close it, forget the request."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_cancel_verification"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Run the action (see the class docstring)."""
        await db(deps().verifications.cancel, tracker.sender_id)
        if latest_intent(tracker) == "cancel":  # otherwise a handoff message follows
            dispatcher.utter_message(response="utter_verification_cancelled")
        return clear_form_slots() + [
            SlotSet("pending_service", None),
            SlotSet("confirmation_pending", None),
        ]
