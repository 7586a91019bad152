"""Starting a verification for something the customer asked, and abandoning one.

The request is remembered (``pending_service`` and the slots the service will
need) and the form runs; :mod:`actions.resume` does the service once the
customer is verified. A fresh verification for a high-risk operation sends a
code to the verified customer's own phone at once. A verification under way
is abandoned when the conversation goes elsewhere (fraud talk, a complaint, a
handoff): its challenge is closed, so its code stops working.
"""

from __future__ import annotations

import math
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.deps import db, deps
from actions.language import current_language
from actions.otp import new_code
from actions.store.verification import IssueOutcome
from actions.verification.codes import digest, phone_key, send_code
from actions.verification.identity import VerifiedCustomer
from actions.verification.slots import (
    REVERIFY_FORM,
    VERIFICATION_FORM,
    active_form,
    stop_verification_events,
)
from actions.wording import HUMAN_BUTTON, minutes
from common.redaction import mask_phone


def start_verification(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    service: str,
    remember: dict[str, Any] | None = None,
) -> list[EventType]:
    """Remember what the customer asked for and run the verification form.

    ``remember``: slots the service needs afterwards (card, filters). When a
    verification is already under way the request is remembered and the form
    simply goes on.
    """
    events: list[EventType] = [SlotSet("pending_service", service)]
    events += [SlotSet(k, v) for k, v in (remember or {}).items()]
    if active_form(tracker):
        return events
    dispatcher.utter_message(response="utter_verification_intro")
    # No SlotSet of a form slot here: the form treats every such event since the
    # customer's message as a value to validate. They are empty already (every
    # way out of a form clears them).
    return events + [FollowupAction(VERIFICATION_FORM)]


async def start_reverification(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    verified: VerifiedCustomer,
    service: str,
    remember: dict[str, Any] | None = None,
) -> list[EventType]:
    """A fresh verification for a high-risk operation: a new code to the customer's phone."""
    d = deps()
    conversation = tracker.sender_id
    language = current_language(tracker)
    events: list[EventType] = [SlotSet("pending_service", service)]
    events += [SlotSet(k, v) for k, v in (remember or {}).items()]
    key = phone_key(d, verified.customer.phone)
    if await db(d.verifications.locked_until, key) is not None:
        dispatcher.utter_message(
            response="utter_verification_locked",
            **minutes(math.ceil(d.settings.verify_lockout_s / 60)),
            buttons=[HUMAN_BUTTON[language]],
        )
        return events + [SlotSet("pending_service", None)]
    await db(d.verifications.begin, conversation, key, verified.id, purpose="reverify")
    code = new_code()
    issued = await db(
        d.verifications.issue_code,
        conversation,
        digest(d, conversation, code),
        customer_id=verified.id,
    )
    if issued.outcome is IssueOutcome.RATE_LIMITED:
        dispatcher.utter_message(
            response="utter_verification_rate_limited", buttons=[HUMAN_BUTTON[language]]
        )
        return events + [SlotSet("pending_service", None)]
    send_code(d, verified.customer, code, language, conversation)
    dispatcher.utter_message(response="utter_reverify_needed")
    # verify_phone (masked) is only shown by the code prompt; it is no slot of reverify_form.
    return events + [
        SlotSet("verify_phone", mask_phone(verified.customer.phone)),
        FollowupAction(REVERIFY_FORM),
    ]


async def abandon_verification(tracker: Tracker) -> list[EventType]:
    """End a verification under way, if there is one: its code stops working."""
    if not active_form(tracker):
        return []
    await db(deps().verifications.cancel, tracker.sender_id)
    return stop_verification_events()
