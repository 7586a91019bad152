"""Complaints, the HEART way (docs/requirements.md, rules 14, 18-20).

``complain`` ("我要投诉", "I want to make a complaint", or a story of what
went wrong told to be recorded):

1. **Hear, Empathize, Apologize** — ``action_complaint_start`` acknowledges
   and apologises, then takes what was said: the engine's reading of the
   message (``complaint`` in the parse data, :mod:`common.complaints`: a
   category from a model trained on labelled complaints, and the time and
   place phrases it states). A message that already tells what happened is
   the description; one that also says when and where fills that; a
   confident category files it. "我要投诉" right after a message that told
   the story takes that message.
2. The ``complaint_form`` then asks **only for what is missing, at most**
   :data:`MAX_QUESTIONS` **questions**, in this order: what happened (the
   question invites when and where too), when and where, a number to call
   back (a customer who is not verified; they may decline), and the category
   (buttons, or the customer's own words) only when the model was unsure.
   What is still missing after that is filed as known: the category the
   model found most likely, when and where as the description tells it. A
   free-text answer to the category question is read by the same model and
   never refused. "直接登记吧" / "just register it" at any point registers at
   once with what was said. A customer upset while telling it (the
   ``emotion`` entity during the form: ``complaint_upset``) is asked nothing
   more than what happened, then goes to a person right after the ticket;
   so is a customer whose first complaint message is upset (it is not the
   ``emotion`` escalation: ``actions/escalation.py``), so the complaint is on
   record before the person takes over.
   "算了" / "never mind" / "不投诉了" cancels; asking for a
   person or fraud talk stops the form (data/rules/complaints.yml). At the
   number question "不用了" / "no need" only declines the number, and an upset
   answer with no number in it is taken as no number, never "that is not a
   valid number".
3. **Resolve** — ``action_complaint_submit`` registers a ticket at once
   (:class:`actions.store.complaints.ComplaintStore`: reference number
   ``TS20261125-7K3Q``, time, content with card/ID/phone numbers masked,
   contact, category) and tells the customer the deadline (3 working days for
   general complaints, 7-10 for complex ones) and how they will hear back: an
   SMS to the registered phone when verified (an acknowledgement with the
   reference is texted at once), a call to the number they left, or the
   hotline with the reference number.
4. **Thank** — and offer a person (``complaint``, ``high``) on a yes; a
   customer who was upset while telling it goes to a person directly.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
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
from common.complaints import READING
from common.escalation import felt
from common.redaction import mask_phone
from common.text import count_cjk, has_cjk
from corebank.repository import normalise_phone

log = logging.getLogger(__name__)

COMPLAINT_FORM = "complaint_form"
DETAILS, WHEN_WHERE = "complaint_details", "complaint_when_where"
CATEGORY, PHONE = "complaint_category", "complaint_phone"
FORM_SLOTS = (DETAILS, WHEN_WHERE, CATEGORY, PHONE)
ASKED, GUESS = "complaint_asked", "complaint_guess"
QUESTION_ORDER = (DETAILS, WHEN_WHERE, PHONE, CATEGORY)
"""What is asked first: the story, then when and where, a contact, and the category last
(the model's best guess is filed if no question is left for it)."""
NO_PHONE = "none"
REGISTER_NOW = "complaint_register_now"
"""The intent of "直接登记吧" / "just register it"."""

MAX_QUESTIONS = 2
"""At most this many questions before the ticket (one for an upset customer)."""
CONFIDENT = 0.6
"""A category the model gives at least this probability is filed without asking.

Chosen on the development set: below it the model's first guesses are wrong
too often, and a vague complaint ("上周五在河西支行发生了一件事") stays below it."""
ANSWER_CONFIDENT = 0.35
"""An answer to the category question read at least this surely names its category."""

CATEGORY_NAMES: dict[str, tuple[str, ...]] = {
    "service_attitude": ("服务态度", "service attitude"),
    "business_handling": ("业务办理", "business handling"),
    "product": ("产品问题", "产品", "product", "a product"),
    "information_security": ("信息安全", "information security"),
    "other": ("其他", "其它", "other", "something else"),
}  # fmt: skip
"""The category names as the buttons show them, typed instead of pressed."""

# A complaint phrase with nothing else in it: "我要投诉", "I'd like to complain about a branch".
_BOILERPLATE = re.compile(
    r"我(?:想|要)?(?:要)?(?:投诉|投訴|反映|反馈)(?:一下)?|投诉|你们的?|你们|一下|请|麻烦|"
    r"直接登记吧?|登记|帮我|"
    r"\b(?:i|i'd|i'm|i am|would|want|wish|like|need|to|make|file|lodge|register|raise|log|"
    r"a|an|formal|complaint|complain|complaining|about|your|the|this|please|my|is|it|"
    r"have|got|for|with|on|at|of|me|you|just|want|now)\b",
    re.IGNORECASE,
)
_NO_NUMBER = re.compile(
    r"不用|不需要|不方便|不留|不想留|跳过|别打|不要打|别给我打|"
    r"\bno\b|\bnah\b|don't|do not|rather not|skip|no need|instead",
    re.IGNORECASE,
)
"""Declining to leave a number ("不用打电话了，短信通知我就行", "text me instead")."""
_WITHDRAW = re.compile(r"投诉|complain", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z]+")


# --------------------------------------------------------------------------- reading


def substantive(text: str) -> bool:
    """Whether a complaint message already says what happened (not just "我要投诉")."""
    if text.strip().startswith("/"):
        return False
    rest = _BOILERPLATE.sub(" ", text)
    return count_cjk(rest) >= 8 or len(_WORD.findall(rest)) >= 5


def says_something(text: str) -> bool:
    """Whether an answer says more than "我要投诉" / "just register it" (a kind, a word)."""
    rest = _BOILERPLATE.sub(" ", text)
    return count_cjk(rest) >= 2 or len(_WORD.findall(rest)) >= 1


def reading_of(message: dict[str, Any] | None) -> dict[str, Any]:
    """The engine's reading of a message (``complaint`` in its parse data), or ``{}``."""
    reading = (message or {}).get(READING)
    return reading if isinstance(reading, dict) else {}


def when_where_of(reading: dict[str, Any], text: str) -> str | None:
    """"昨天下午三点左右，人民路支行" when the message says both when and where, else ``None``."""
    when, where = list(reading.get("when") or []), list(reading.get("where") or [])
    if not when or not where:
        return None
    return ("，" if has_cjk(text) else ", ").join(when + where)


def category_of(value: str | None, entity: str | None = None) -> str | None:
    """The category a button or a typed category name names, or ``None``."""
    if entity in CATEGORIES:
        return entity
    text = (value or "").strip().lower().rstrip("。.!！")
    if not text or text.startswith("/"):
        return None
    if text in CATEGORIES:
        return text
    for category, names in CATEGORY_NAMES.items():
        if text in names or text == COMPLAINT_CATEGORIES["en"][category].lower():
            return category
    return None


def story_events(text: str, message: dict[str, Any] | None) -> list[EventType]:
    """What a message that tells the story fills: description, when/where, category."""
    reading = reading_of(message)
    events: list[EventType] = [SlotSet(DETAILS, text.strip())]
    when_where = when_where_of(reading, text)
    if when_where:
        events.append(SlotSet(WHEN_WHERE, when_where))
    category = reading.get("category")
    if category in CATEGORIES:
        events.append(SlotSet(GUESS, category))
        if float(reading.get("confidence") or 0.0) >= CONFIDENT:
            events.append(SlotSet(CATEGORY, category))
    return events


def previous_story(tracker: Tracker) -> tuple[str, dict[str, Any]] | None:
    """The customer's message before this one, when it told what went wrong."""
    users = [e for e in tracker.events if e.get("event") == "user"]
    if len(users) < 2:
        return None
    before = users[-2]
    text = str(before.get("text") or "")
    if not substantive(text):
        return None
    return text, dict(before.get("parse_data") or {})


def clear_complaint() -> list[EventType]:
    """Empty the form's slots (every way out of the flow does)."""
    return [SlotSet(name, None) for name in (*FORM_SLOTS, ASKED, GUESS)] + [
        SlotSet("complaint_upset", False)
    ]


def upset(message: dict[str, Any] | None) -> bool:
    """Whether the engine found the customer upset in this message, and not doubtfully.

    A bare "我要投诉" read as upset just over the threshold is a plain request
    (``common.conversation.CUE_INTENTS``): the form, and no person after it.
    """
    return felt(message or {}) is not None


def person_after_ticket(message: dict[str, Any] | None) -> bool:
    """Whether a complaint opening this way goes to a person right after its ticket.

    An upset customer does, and so does one whose words the fraud-victim
    detector flagged without the classifier seeing fraud (the escalation left
    the doubt to the complaint): a person reads it at once, the complaint
    already on record.
    """
    judgement = (message or {}).get("judgement") or {}
    flagged = bool((judgement.get("fraud_victim") or {}).get("flag"))
    return upset(message) or flagged


# --------------------------------------------------------------------------- actions


class ActionComplaintStart(Action):
    """Hear, empathize, apologize; take what was said; the form asks for the rest."""

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
            SlotSet("complaint_upset", person_after_ticket(tracker.latest_message)),
        ]
        # A verification under way is abandoned for the complaint.
        events += await abandon_verification(tracker)
        dispatcher.utter_message(response="utter_complaint_heard")
        text = latest_text(tracker)
        if substantive(text):  # "柜员态度很差，还对我大喊大叫": no need to ask what happened
            events += story_events(text, tracker.latest_message)
        elif story := previous_story(tracker):  # the story, then "我要投诉"
            events += story_events(*story)
        return events


class ValidateComplaintForm(FormValidationAction):
    """Checks the answers and asks only what is missing (see the module docstring)."""

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
        """The slots to fill: those filled or asked, and what is missing within the budget."""
        if latest_intent(tracker) == REGISTER_NOW:  # no more questions
            return [s for s in domain_slots if tracker.get_slot(s) is not None]
        asked = list(tracker.get_slot(ASKED) or [])
        upset_now = bool(tracker.get_slot("complaint_upset"))
        budget = (1 if upset_now else MAX_QUESTIONS) - len(asked)
        verified = bool(tracker.get_slot("verified_customer_id"))
        wanted = [s for s in QUESTION_ORDER if s in domain_slots and not (s == PHONE and verified)]
        required = []
        for slot in wanted:
            if tracker.get_slot(slot) is not None or slot in asked:
                required.append(slot)
            elif budget > 0 and (slot == DETAILS or not upset_now):
                required.append(slot)
                budget -= 1
        return required

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Validate, then remember which question is asked (the budget counts them)."""
        events = await super().run(dispatcher, tracker, domain)
        asked = list(tracker.get_slot(ASKED) or [])
        for event in events:
            if event.get("event") == "slot" and event.get("name") == REQUESTED_SLOT:
                slot = event.get("value")
                if slot and slot not in asked:
                    events.append(SlotSet(ASKED, [*asked, slot]))
                break
        return events

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> EventType | None:
        """Always this form's own choice (rasa-sdk leaves a full list to the engine)."""
        required = await self.required_slots(
            self.domain_slots(domain), dispatcher, tracker, domain
        )
        missing = (s for s in required if tracker.slots.get(s) is None)
        return SlotSet(REQUESTED_SLOT, next(missing, None))

    async def validate_complaint_details(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Any text that is not a bare button payload; it may tell when, where and the kind."""
        text = str(value or "").strip()
        if not text or text.startswith("/"):
            return {DETAILS: None}
        filled: dict[str, Any] = {}
        for event in story_events(text, tracker.latest_message):
            if event["name"] == DETAILS or tracker.get_slot(event["name"]) is None:
                filled[event["name"]] = event["value"]
        return filled

    async def validate_complaint_when_where(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Any text ("不记得了" is an answer too)."""
        text = str(value or "").strip()
        if not text or text.startswith("/"):
            return {WHEN_WHERE: None}
        return {WHEN_WHERE: text}

    async def validate_complaint_category(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A button, a category's name, or the customer's own words: never refused."""
        if value is None:
            return {CATEGORY: None}
        named = category_of(str(value), latest_entity(tracker, CATEGORY))
        if named:
            return {CATEGORY: named}
        reading = reading_of(tracker.latest_message)
        said = reading.get("category") if says_something(str(value)) else None
        if said in CATEGORIES and float(reading.get("confidence") or 0.0) >= ANSWER_CONFIDENT:
            return {CATEGORY: said}
        guess = tracker.get_slot(GUESS)
        return {CATEGORY: guess if guess in CATEGORIES else said if said in CATEGORIES else "other"}

    async def validate_complaint_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A mainland mobile number, or "no thanks"."""
        if value is None:
            return {PHONE: None}
        text = str(value)
        intent = latest_intent(tracker)
        if intent == "cancel" and _WITHDRAW.search(text):  # "不投诉了": the whole complaint
            return {PHONE: None, DETAILS: None, REQUESTED_SLOT: None}
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
            return {PHONE: sealed_phone(deps(), tracker.sender_id, phone)}
        if intent in ("deny", "cancel") or _NO_NUMBER.search(text):
            return {PHONE: NO_PHONE}
        if tracker.get_slot("complaint_upset"):
            # Upset at this question (the engine set it for this message): feelings
            # first, so the ticket is registered without a number and a person takes over.
            return {PHONE: NO_PHONE}
        dispatcher.utter_message(response="utter_complaint_phone_invalid")
        return {PHONE: None}


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
        now = latest_intent(tracker) == REGISTER_NOW
        details = tracker.get_slot(DETAILS)
        if not details and not now:  # withdrawn at the last question
            dispatcher.utter_message(response="utter_complaint_cancelled")
            return clear_complaint()
        category = tracker.get_slot(CATEGORY) or tracker.get_slot(GUESS) or "other"
        verified = await verified_customer(tracker)
        phone = tracker.get_slot(PHONE)
        sealed = phone if phone and phone != NO_PHONE else None
        opened = opened_phone(deps(), tracker.sender_id, sealed) if sealed else None
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
            description=str(details or ""),
            when_where=str(tracker.get_slot(WHEN_WHERE) or ""),
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
