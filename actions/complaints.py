"""Complaints, the HEART way (docs/requirements.md, rules 14, 18-20).

``complain`` ("我要投诉", "I want to make a complaint"):

1. **Hear, Empathize, Apologize** — ``action_complaint_start`` acknowledges
   and apologises, then the ``complaint_form`` asks what happened (skipped
   when the first message already told it), when and where, and a category
   (buttons: service attitude, business handling, product, information
   security, other). A customer who is not verified is asked for a number to
   call back (or may decline it). "算了" / "never mind" / "不投诉了" cancels;
   asking for a person or fraud talk stops the form (data/rules/complaints.yml).
   At the last question (the number) "不用了" / "no need" only declines the
   number: the complaint is told by then; "不投诉了" still withdraws it.
2. **Resolve** — ``action_complaint_submit`` registers a ticket at once
   (:class:`actions.store.complaints.ComplaintStore`: reference number
   ``TS20261125-7K3Q``, time, content with card/ID/phone numbers masked,
   contact, category) and tells the customer the deadline (3 working days for
   general complaints, 7-10 for complex ones) and how they will hear back: an
   SMS to the registered phone when verified (an acknowledgement with the
   reference is texted at once), a call to the number they left, or the
   hotline with the reference number.
3. **Thank** — and offer a person (``complaint``, ``high``) on a yes; a
   customer who was upset while telling it goes to a person directly.

An angry *first* message ("太过分了，我要投诉") never reaches this flow: the
emotion escalation (``actions/escalation.py``) hands it to a person at once.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.deps import db, deps
from actions.handoff import request_handoff
from actions.identifiers import opened_phone, phones, sealed_phone
from actions.language import current_language
from actions.sms import SmsError
from actions.store.complaints import CATEGORIES
from actions.tracker import latest_entity, latest_intent, latest_text
from actions.verification.flow import abandon_verification
from actions.verification.identity import verified_customer
from actions.wording import (
    COMPLAINT_CATEGORIES,
    complaint_acknowledgement,
    describe_deadline,
    describe_notification,
)
from common.redaction import mask_phone
from common.text import count_cjk
from corebank.repository import normalise_phone

log = logging.getLogger(__name__)

COMPLAINT_FORM = "complaint_form"
FORM_SLOTS = ("complaint_details", "complaint_when_where", "complaint_category", "complaint_phone")
NO_PHONE = "none"

CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "service_attitude": ("服务态度", "态度", "attitude", "rude", "service"),
    "business_handling": ("业务办理", "业务", "办理", "差错", "business", "handling", "error"),
    "product": ("产品", "理财", "贷款", "信用卡", "product", "products"),
    "information_security": (
        "信息安全", "安全", "泄露", "隐私", "个人信息", "security", "privacy", "data", "leak",
    ),
    "other": ("其他", "其它", "别的", "other", "else", "something else"),
}  # fmt: skip
"""Typed answers to the category question (the buttons send the key itself)."""

# A complaint phrase with nothing else in it: "我要投诉", "I'd like to complain about a branch".
_BOILERPLATE = re.compile(
    r"我(?:想|要)?(?:要)?(?:投诉|投訴|反映|反馈)(?:一下)?|投诉|你们的?|你们|一下|请|麻烦|"
    r"\b(?:i|i'd|i'm|i am|would|want|wish|like|need|to|make|file|lodge|register|raise|log|"
    r"a|an|formal|complaint|complain|complaining|about|your|the|this|please|my|is|it|"
    r"have|got|for|with|on|at|of|me|you|just|want)\b",
    re.IGNORECASE,
)
_NO_NUMBER = re.compile(r"不用|不方便|不留|不想留|跳过|\bno\b|don't|rather not|skip", re.IGNORECASE)
_WITHDRAW = re.compile(r"投诉|complain", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z]+")


# --------------------------------------------------------------------------- helpers


def substantive(text: str) -> bool:
    """Whether a complaint message already says what happened (not just "我要投诉")."""
    if text.strip().startswith("/"):
        return False
    rest = _BOILERPLATE.sub(" ", text)
    return count_cjk(rest) >= 8 or len(_WORD.findall(rest)) >= 5


def category_of(value: str | None, entity: str | None = None) -> str | None:
    """The category a button or a typed answer names, or ``None``."""
    if entity in CATEGORIES:
        return entity
    text = (value or "").strip().lower()
    if not text or text.startswith("/"):
        return None
    for category in CATEGORIES:
        if text == category or text == COMPLAINT_CATEGORIES["en"][category]:
            return category
    for category, words in CATEGORY_WORDS.items():
        if any(word in text for word in words):
            return category
    return None


def clear_complaint() -> list[EventType]:
    """Empty the form's slots (every way out of the flow does)."""
    return [SlotSet(name, None) for name in FORM_SLOTS] + [SlotSet("complaint_upset", False)]


# --------------------------------------------------------------------------- actions


class ActionComplaintStart(Action):
    """Hear, empathize, apologize; then the form collects the facts."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_complaint_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Run the action (see the module docstring)."""
        events: list[EventType] = [
            *clear_complaint(),
            SlotSet("complaint_offer", None),
            SlotSet("complaint_reference", None),
        ]
        # A verification under way is abandoned for the complaint.
        events += await abandon_verification(tracker)
        dispatcher.utter_message(response="utter_complaint_heard")
        text = latest_text(tracker)
        if substantive(text):  # "柜员态度很差，还对我大喊大叫": no need to ask what happened
            events.append(SlotSet("complaint_details", text.strip()))
        return events


class ValidateComplaintForm(FormValidationAction):
    """Checks the complaint form's answers; a verified customer is not asked for a phone."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "validate_complaint_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """The form's slots, without the phone for a verified customer."""
        if tracker.get_slot("verified_customer_id"):
            return [s for s in domain_slots if s != "complaint_phone"]
        return domain_slots

    async def validate_complaint_details(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Any text that is not a bare button payload."""
        text = str(value or "").strip()
        if not text or text.startswith("/"):
            return {"complaint_details": None}
        return {"complaint_details": text}

    async def validate_complaint_when_where(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Any text ("不记得了" is an answer too)."""
        text = str(value or "").strip()
        if not text or text.startswith("/"):
            return {"complaint_when_where": None}
        return {"complaint_when_where": text}

    async def validate_complaint_category(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A button, or a typed category name."""
        if value is None:
            return {"complaint_category": None}
        entity = latest_entity(tracker, "complaint_category")
        category = category_of(str(value), entity)
        if category is None:
            dispatcher.utter_message(response="utter_complaint_category_invalid")
        return {"complaint_category": category}

    async def validate_complaint_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A mainland mobile number, or "no thanks"."""
        if value is None:
            return {"complaint_phone": None}
        text = str(value)
        intent = latest_intent(tracker)
        if intent == "cancel" and _WITHDRAW.search(text):  # "不投诉了": the whole complaint
            return {"complaint_phone": None, "complaint_details": None, "requested_slot": None}
        sealed = phones(deps(), tracker)  # numbers reach us as the gateway's tokens
        phone = (sealed[0] if sealed else None) or normalise_phone(text) or next(
            (
                normalise_phone(str(v))
                for v in tracker.get_latest_entity_values("phone")
                if normalise_phone(str(v))
            ),
            None,
        )
        if phone:
            # The slot (and so the tracker) keeps the number sealed, never in clear.
            return {"complaint_phone": sealed_phone(deps(), tracker.sender_id, phone)}
        if intent in ("deny", "cancel") or _NO_NUMBER.search(text):
            return {"complaint_phone": NO_PHONE}
        dispatcher.utter_message(response="utter_complaint_phone_invalid")
        return {"complaint_phone": None}


class ActionComplaintSubmit(Action):
    """Register the ticket, tell the deadline and the channel, thank, offer a person."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_complaint_submit"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Run the action (see the module docstring)."""
        language = current_language(tracker)
        if not tracker.get_slot("complaint_details"):  # withdrawn at the last question
            dispatcher.utter_message(response="utter_complaint_cancelled")
            return clear_complaint()
        category = tracker.get_slot("complaint_category") or "other"
        verified = await verified_customer(tracker)
        phone = tracker.get_slot("complaint_phone")
        opened = opened_phone(deps(), tracker.sender_id, phone) if phone != NO_PHONE else None
        callback = normalise_phone(opened) if opened else None
        contact = (
            mask_phone(verified.customer.phone)
            if verified
            else mask_phone(callback)
            if callback
            else None
        )
        ticket = await db(
            deps().complaints.register,
            conversation_id=tracker.sender_id,
            category=category if category in CATEGORIES else "other",
            description=str(tracker.get_slot("complaint_details") or ""),
            when_where=str(tracker.get_slot("complaint_when_where") or ""),
            language=language,
            customer_id=verified.id if verified else None,
            contact_masked=contact,
            callback_phone=None if verified else callback,
        )
        log.info("complaint %s registered (%s)", ticket.reference, ticket.category)
        days, due = describe_deadline(ticket, language)
        dispatcher.utter_message(
            response="utter_complaint_registered",
            reference=ticket.reference,
            category=COMPLAINT_CATEGORIES[language][ticket.category],
            deadline=days,
            due=due,
            notify=describe_notification(ticket, language),
        )
        if verified is not None:
            try:
                await deps().sms.send(
                    verified.customer.phone, complaint_acknowledgement(ticket, language)
                )
            except SmsError:
                log.warning("complaint %s: acknowledgement SMS not sent", ticket.reference)

        events: list[EventType] = [
            *clear_complaint(),
            SlotSet("complaint_reference", ticket.reference),
        ]
        if tracker.get_slot("complaint_upset"):  # feelings first: a person now, not an offer
            return events + request_handoff(dispatcher, "complaint", "high")
        dispatcher.utter_message(response="utter_complaint_offer_human")
        return events + [SlotSet("complaint_offer", "human")]


class ActionComplaintHandoff(Action):
    """A person for the complaint (after the offer, or asked for during the form): ``high``."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_complaint_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Run the action (see the module docstring)."""
        events: list[EventType] = [SlotSet("complaint_offer", None)]
        if (tracker.active_loop or {}).get("name") == COMPLAINT_FORM:
            events += clear_complaint()  # the agent takes the complaint from the transcript
        return events + request_handoff(dispatcher, "complaint", "high")


class ActionComplaintDecline(Action):
    """No person wanted: thank the customer again."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_complaint_decline"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Run the action (see the module docstring)."""
        dispatcher.utter_message(response="utter_complaint_declined_human")
        return [SlotSet("complaint_offer", None)]


class ActionComplaintCancel(Action):
    """Cancel ("算了", "never mind") during the complaint form: nothing is registered."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_complaint_cancel"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Run the action (see the module docstring)."""
        dispatcher.utter_message(response="utter_complaint_cancelled")
        return clear_complaint()
