"""Identity verification (SERVICE-RULES 7-9): who is this, and how freshly proven.

The ``verification_form`` asks, in order, for

1. the registered mobile number (``verify_phone``; the slot only ever holds
   it masked, ``138****8000``),
2. the last four characters of the ID number (``verify_id_last4``; checked at
   once, the slot holds ``"provided"``, never the digits),
3. a 6-digit one-time code (``verify_code``), sent by SMS to the number *if*
   the number is registered and the ID digits match it. Otherwise nothing is
   sent and the reply is word for word the same, so the customer never learns
   which fact was wrong, nor whether a number is registered; the failure
   shows at the code step like a wrong code.

The code never reaches the engine: the gateway swaps the digits the customer
types for ``/submit_code{"code_digest": …}`` (see :mod:`common.codes`), and the
ask for the code carries ``{"expect": "otp"}`` so the gateway knows to do so.
Codes come from :mod:`secrets`, expire (5 min), can be re-sent after 60 s
("重新发送" / "resend"), and wrong codes count: three in a conversation lock
the phone number(s) tried for 15 minutes (in the core bank, so a new chat
does not reset them) and hand the conversation to a human
(``verification_failed``, ``high``).

``reverify_form`` is the second, fresh verification before a high-risk
operation (rule 8): a code to the verified customer's own phone.

The verified state belongs to this conversation only: the slots
``verified_customer_id`` / ``verified_at`` / ``customer_name`` for the
dialogue, and the core bank's record of the conversation's last successful
challenge as the source of truth (:func:`verified_customer`).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.config import ActionSettings, get_action_settings
from actions.handoff import request_handoff
from actions.language import current_language
from actions.otp import new_code
from actions.sms import SmsError, SmsSender, otp_text, sender_from_settings
from common.codes import MASKED_CODE, code_digest, looks_like_digest, typed_codes
from common.payloads import REQUEST_HUMAN, expect_code, verified_at
from common.redaction import mask_phone
from common.text import halfwidth
from corebank.db import make_engine
from corebank.repository import CoreBankRepository, Customer, normalise_phone
from corebank.verification_store import (
    CodeOutcome,
    IssueOutcome,
    Policy,
    VerificationStore,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

VERIFICATION_FORM = "verification_form"
REVERIFY_FORM = "reverify_form"
FORMS = (VERIFICATION_FORM, REVERIFY_FORM)

FORM_SLOTS = ("verify_phone", "verify_id_last4", "verify_code")
IN_CLEAR = "__code_in_clear__"  # extraction marker: a code typed inside a sentence
MASKED = "__code_masked__"  # extraction marker: the gateway masked such a code
PROVIDED = "provided"

HUMAN_BUTTON = {
    "zh": {"title": "转人工客服", "payload": REQUEST_HUMAN},
    "en": {"title": "Talk to an agent", "payload": REQUEST_HUMAN},
}

_ID_LAST4 = re.compile(r"[0-9]{3}[0-9X]")
_ONLY_DIGITS = re.compile(r"[0-9Xx\s\-+()]+")
_DIGIT_GROUPS = re.compile(r"[0-9]+[Xx]?")


# --------------------------------------------------------------------------- the bank


@dataclass
class Bank:
    """The action server's handles on the core bank, SMS and the clock.

    Built once from :class:`ActionSettings` (:func:`bank`); tests build their
    own and install it with :func:`use_bank`.
    """

    settings: ActionSettings
    repo: CoreBankRepository
    store: VerificationStore
    sms: SmsSender
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    _deliveries: set[asyncio.Task[None]] = field(default_factory=set)
    _last_purge: datetime | None = None

    @property
    def _key(self) -> str:
        key = self.settings.otp_digest_key.get_secret_value()
        if not key:
            raise RuntimeError("OTP_DIGEST_KEY is not set (`bankbot run` writes one to .env)")
        return key

    def phone_key(self, phone: str) -> str:
        """A keyed hash of a phone number: lockouts without storing the number."""
        message = f"phone:{phone}".encode()
        return hmac.new(self._key.encode(), message, hashlib.sha256).hexdigest()

    def digest(self, conversation_id: str, code: str) -> str:
        """The digest the gateway will send for ``code`` typed in this conversation."""
        return code_digest(self._key, conversation_id, code)

    def deliver(self, customer: Customer, code: str, language: str, conversation_id: str) -> None:
        """Text the code to the customer's phone in the background.

        The reply does not wait for the SMS service, so it takes as long for a
        registered number as for an unregistered one (no timing oracle). When
        delivery fails the code is burned, so a resend works at once.
        """
        text = otp_text(code, language, self.settings.otp_ttl_s)

        async def _send() -> None:
            try:
                await self.sms.send(customer.phone, text)
            except SmsError:
                await db(self.store.burn_code, conversation_id)
            except Exception:  # never let a delivery crash the server; never log the text
                log.exception("SMS delivery to %s failed", mask_phone(customer.phone))
                await db(self.store.burn_code, conversation_id)

        task = asyncio.get_running_loop().create_task(_send())
        self._deliveries.add(task)
        task.add_done_callback(self._deliveries.discard)

    async def purge_now_and_then(self) -> None:
        """Delete old verification records, at most once an hour (SERVICE-RULES 11)."""
        now = self.clock()
        if self._last_purge is not None and now - self._last_purge < timedelta(hours=1):
            return
        self._last_purge = now
        retention = timedelta(days=self.settings.verification_retention_days)
        deleted = await db(self.store.purge, retention)
        if deleted:
            log.info("purged %d old verification records", deleted)

    async def drain(self) -> None:
        """Wait for SMS deliveries still under way (tests)."""
        while self._deliveries:
            await asyncio.gather(*list(self._deliveries), return_exceptions=True)


_bank: Bank | None = None


def policy_from(settings: ActionSettings) -> Policy:
    """The store's rule numbers from the settings."""
    return Policy(
        code_ttl=timedelta(seconds=settings.otp_ttl_s),
        resend_after=timedelta(seconds=settings.otp_resend_after_s),
        max_sends_per_hour=settings.otp_max_sends_per_hour,
        max_failures=settings.verify_max_failures,
        lockout=timedelta(seconds=settings.verify_lockout_s),
        phone_max_failures=settings.verify_phone_max_failures,
        phone_failure_window=timedelta(seconds=settings.verify_phone_failure_window_s),
    )


def bank() -> Bank:
    """The process-wide :class:`Bank`, built on first use."""
    global _bank
    if _bank is None:
        settings = get_action_settings()
        engine = make_engine(settings.core_database_url)
        store = VerificationStore(engine, policy=policy_from(settings))
        store.ensure_schema()
        _bank = Bank(
            settings=settings,
            repo=CoreBankRepository(engine),
            store=store,
            sms=sender_from_settings(settings),
        )
    return _bank


def use_bank(replacement: Bank | None) -> None:
    """Install a :class:`Bank` (tests), or ``None`` to build from settings again."""
    global _bank
    _bank = replacement


async def db(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a synchronous core-bank call off the event loop."""
    return await asyncio.to_thread(fn, *args, **kwargs)


# --------------------------------------------------------------------------- helpers


def iso_utc(moment: datetime) -> str:
    """``2026-11-25T08:30:00Z``."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def mask_card(last4: str) -> str:
    """How a card (or account) number is shown: ``**** 6789``."""
    return f"**** {last4}"


def latest_intent(tracker: Tracker) -> str | None:
    """The intent of the customer's last message."""
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def latest_text(tracker: Tracker) -> str:
    """What the customer last wrote (as the engine received it)."""
    return str((tracker.latest_message or {}).get("text") or "")


def active_form(tracker: Tracker) -> str | None:
    """The verification form running in this conversation, if one is."""
    name = (tracker.active_loop or {}).get("name")
    return name if name in FORMS else None


def clear_form_slots() -> list[EventType]:
    """Empty the form's slots (a new verification starts from scratch)."""
    return [SlotSet(name, None) for name in FORM_SLOTS] + [SlotSet("verification_outcome", None)]


@dataclass(frozen=True)
class VerifiedCustomer:
    """The customer this conversation proved to be, and when."""

    customer: Customer
    verified_at: datetime

    @property
    def id(self) -> int:
        """The customer's id."""
        return self.customer.id

    @property
    def name(self) -> str:
        """The action's name in the domain."""
        return self.customer.name


async def verified_customer(
    tracker: Tracker, the_bank: Bank | None = None
) -> VerifiedCustomer | None:
    """Who this conversation is verified as, or ``None``.

    Needs both the conversation's slot and the core bank's record of this
    conversation's last successful challenge to agree, and the verification
    to be younger than ``verified_ttl_s``.
    """
    b = the_bank or bank()
    claimed = tracker.get_slot("verified_customer_id")
    if claimed in (None, ""):
        return None
    record = await db(b.store.latest_verification, tracker.sender_id)
    if record is None or str(record.customer_id) != str(claimed):
        return None
    if b.clock() - record.verified_at > timedelta(seconds=b.settings.verified_ttl_s):
        return None
    customer = await db(b.repo.get_customer, record.customer_id)
    if customer is None:
        return None
    return VerifiedCustomer(customer, record.verified_at)


def is_fresh(verified: VerifiedCustomer, the_bank: Bank | None = None) -> bool:
    """Whether the verification is recent enough for a high-risk operation (rule 8)."""
    b = the_bank or bank()
    age = b.clock() - verified.verified_at
    return age <= timedelta(seconds=b.settings.fresh_verification_s)


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
    b = bank()
    conversation = tracker.sender_id
    language = current_language(tracker)
    events: list[EventType] = [SlotSet("pending_service", service)]
    events += [SlotSet(k, v) for k, v in (remember or {}).items()]
    phone_key = b.phone_key(verified.customer.phone)
    if await db(b.store.locked_until, phone_key) is not None:
        dispatcher.utter_message(
            response="utter_verification_locked",
            minutes=math.ceil(b.settings.verify_lockout_s / 60),
            buttons=[HUMAN_BUTTON[language]],
        )
        return events + [SlotSet("pending_service", None)]
    await db(b.store.begin, conversation, phone_key, verified.id, purpose="reverify")
    code = new_code()
    issued = await db(
        b.store.issue_code, conversation, b.digest(conversation, code), customer_id=verified.id
    )
    if issued.outcome is IssueOutcome.RATE_LIMITED:
        dispatcher.utter_message(
            response="utter_verification_rate_limited", buttons=[HUMAN_BUTTON[language]]
        )
        return events + [SlotSet("pending_service", None)]
    b.deliver(verified.customer, code, language, conversation)
    dispatcher.utter_message(response="utter_reverify_needed")
    # verify_phone (masked) is only shown by the code prompt; it is no slot of reverify_form.
    return events + [
        SlotSet("verify_phone", mask_phone(verified.customer.phone)),
        FollowupAction(REVERIFY_FORM),
    ]


# --------------------------------------------------------------------------- the form


class _CodeStep:
    """Extraction and validation of the one-time code, shared by both forms."""

    async def extract_verify_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """``verify_code`` from the latest message, when it is the slot asked for."""
        if tracker.get_slot("requested_slot") != "verify_code":
            return {}
        if latest_intent(tracker) == "submit_code":
            digest = next(tracker.get_latest_entity_values("code_digest"), None)
            return {"verify_code": digest if looks_like_digest(digest) else IN_CLEAR}
        text = latest_text(tracker)
        if typed_codes(text):
            return {"verify_code": IN_CLEAR}
        if MASKED_CODE in text:  # the gateway hid a code typed inside a sentence
            return {"verify_code": MASKED}
        return {}  # something else: the form steps aside (FAQ, cancel, resend…)

    async def validate_verify_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Check ``verify_code``; return the slot values to set."""
        if value is None:  # a slot emptied, not something the customer said
            return {}
        b = bank()
        conversation = tracker.sender_id
        if value == MASKED:  # never reached us: nothing to burn, just ask again
            dispatcher.utter_message(response="utter_verify_code_only_digits")
            return {"verify_code": None}
        if value == IN_CLEAR or not looks_like_digest(value):
            # The code reached us in clear (or garbled): it must not be usable any more.
            await db(b.store.burn_code, conversation)
            dispatcher.utter_message(response="utter_verify_code_in_clear")
            return {"verify_code": None}
        check = await db(b.store.check_code, conversation, value)
        if check.outcome is CodeOutcome.VERIFIED:
            return {"verify_code": "ok", "verification_outcome": "verified"}
        if check.outcome is CodeOutcome.WRONG:
            dispatcher.utter_message(
                response="utter_verify_code_wrong", tries_left=check.tries_left
            )
            return {"verify_code": None}
        if check.outcome is CodeOutcome.EXPIRED:
            return {"verify_code": None}  # the ask says it expired and offers a resend
        if check.outcome is CodeOutcome.LOCKED:
            return {"verify_code": None, "verification_outcome": "failed", "requested_slot": None}
        # No challenge (cancelled elsewhere): start again from the phone number.
        dispatcher.utter_message(response="utter_verification_restart")
        return {"verify_phone": None, "verify_id_last4": None, "verify_code": None}


class ValidateVerificationForm(_CodeStep, FormValidationAction):
    """Slot extraction and checks of ``verification_form``."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "validate_verification_form"

    async def extract_verify_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """``verify_phone`` from the latest message, when it is the slot asked for."""
        if tracker.get_slot("requested_slot") != "verify_phone":
            return {}
        entity = next(tracker.get_latest_entity_values("phone"), None)
        if entity:
            return {"verify_phone": str(entity)}
        text = halfwidth(latest_text(tracker))
        if normalise_phone(text):
            return {"verify_phone": text}
        groups = _DIGIT_GROUPS.findall(text)
        if text and (_ONLY_DIGITS.fullmatch(text) or (len(groups) == 1 and len(groups[0]) >= 7)):
            return {"verify_phone": text}  # an attempt at a number: say what is wrong with it
        return {}

    async def validate_verify_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Check ``verify_phone``; return the slot values to set."""
        if value is None:  # a slot emptied, not something the customer said
            return {}
        b = bank()
        conversation = tracker.sender_id
        phone = normalise_phone(str(value or ""))
        if phone is None:
            dispatcher.utter_message(response="utter_verify_phone_invalid")
            return {"verify_phone": None}
        stop = {"verify_phone": None, "requested_slot": None}
        failures = await db(b.store.failures_in_conversation, conversation)
        if failures >= b.settings.verify_max_failures:
            return {**stop, "verification_outcome": "failed"}
        phone_key = b.phone_key(phone)
        if await db(b.store.locked_until, phone_key) is not None:
            return {**stop, "verification_outcome": "locked"}
        customer = await db(b.repo.find_customer_by_phone, phone)
        await db(b.store.begin, conversation, phone_key, None if customer is None else customer.id)
        await b.purge_now_and_then()
        return {"verify_phone": mask_phone(phone)}

    async def extract_verify_id_last4(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """``verify_id_last4`` from the latest message, when it is the slot asked for."""
        if tracker.get_slot("requested_slot") != "verify_id_last4":
            return {}
        text = halfwidth(latest_text(tracker))
        groups = _DIGIT_GROUPS.findall(text)
        if _ONLY_DIGITS.fullmatch(text) or len(groups) == 1:
            return {"verify_id_last4": "".join(groups) if groups else text}
        return {}

    async def validate_verify_id_last4(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Check ``verify_id_last4``; return the slot values to set."""
        if value is None:  # a slot emptied, not something the customer said
            return {}
        b = bank()
        conversation = tracker.sender_id
        digits = halfwidth(str(value or "")).upper()
        if not _ID_LAST4.fullmatch(digits):
            dispatcher.utter_message(response="utter_verify_id_invalid")
            return {"verify_id_last4": None}
        challenge = await db(b.store.open_challenge, conversation)
        if challenge is None:
            dispatcher.utter_message(response="utter_verification_restart")
            return {"verify_phone": None, "verify_id_last4": None}
        candidate = challenge.candidate_customer_id
        # Same work whether or not the number is registered (no timing oracle).
        matched = await db(
            b.repo.check_id_last4, candidate if candidate is not None else -1, digits
        )
        customer_id = candidate if matched and candidate is not None else None
        code = new_code()  # when nobody matched, a code that goes nowhere
        issued = await db(
            b.store.issue_code, conversation, b.digest(conversation, code), customer_id=customer_id
        )
        if issued.outcome is IssueOutcome.RATE_LIMITED:
            return {
                "verify_id_last4": None,
                "verification_outcome": "rate_limited",
                "requested_slot": None,
            }
        if issued.outcome is IssueOutcome.NO_CHALLENGE:
            dispatcher.utter_message(response="utter_verification_restart")
            return {"verify_phone": None, "verify_id_last4": None}
        # The same lookup either way; only a match is texted (in the background).
        customer = await db(b.repo.get_customer, customer_id if customer_id is not None else -1)
        if customer_id is not None and customer is not None:
            b.deliver(customer, code, current_language(tracker), conversation)
        return {"verify_id_last4": PROVIDED}


class ValidateReverifyForm(_CodeStep, FormValidationAction):
    """The code step alone, for the fresh verification of rule 8."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "validate_reverify_form"


class ActionAskVerifyCode(Action):
    """Asks for the code, or for a resend once it expired.

    The prompt carries ``{"expect": "otp"}``: the gateway then turns the
    next six digits into a digest.
    """

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_ask_verify_code"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Run the action (see the class docstring)."""
        b = bank()
        challenge = await db(b.store.open_challenge, tracker.sender_id)
        phone = tracker.get_slot("verify_phone") or ""
        expired = (
            challenge is not None
            and challenge.expires_at is not None
            and challenge.expires_at <= b.clock()
        )
        if expired:
            dispatcher.utter_message(response="utter_verify_code_expired")
        else:
            dispatcher.utter_message(
                response="utter_ask_verify_code",
                phone=phone,
                minutes=max(1, math.ceil(b.settings.otp_ttl_s / 60)),
            )
        dispatcher.utter_message(json_message=expect_code())
        return []


class ActionResendCode(Action):
    """Resend ("重新发送", "resend"): a new code once the last is 60 s old."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_resend_code"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Run the action (see the class docstring)."""
        b = bank()
        conversation = tracker.sender_id
        language = current_language(tracker)
        challenge = await db(b.store.open_challenge, conversation)
        if challenge is None or not challenge.code_issued or not active_form(tracker):
            dispatcher.utter_message(response="utter_no_code_to_resend")
            return []
        code = new_code()
        result = await db(b.store.reissue_code, conversation, b.digest(conversation, code))
        if result.outcome is IssueOutcome.ISSUED:
            if result.customer_id is not None:
                customer = await db(b.repo.get_customer, result.customer_id)
                if customer is not None:
                    b.deliver(customer, code, language, conversation)
            dispatcher.utter_message(response="utter_code_resent")
        elif result.outcome is IssueOutcome.TOO_SOON:
            seconds = max(1, math.ceil(result.wait.total_seconds()))
            dispatcher.utter_message(response="utter_code_resend_wait", seconds=seconds)
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
        await db(bank().store.cancel, tracker.sender_id)
        if latest_intent(tracker) == "cancel":  # otherwise a handoff message follows
            dispatcher.utter_message(response="utter_verification_cancelled")
        return clear_form_slots() + [
            SlotSet("pending_service", None),
            SlotSet("confirmation_pending", None),
        ]


def stop_verification_events(tracker: Tracker) -> list[EventType]:
    """Slot events that end a running verification (before a handoff).

    The caller closes the challenge; the rule deactivates the form.
    """
    return clear_form_slots() + [SlotSet("pending_service", None)]


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
        b = bank()
        outcome = tracker.get_slot("verification_outcome")
        language = current_language(tracker)
        events = clear_form_slots()
        if outcome != "verified":
            events.append(SlotSet("pending_service", None))
            if outcome == "failed":
                return events + request_handoff(dispatcher, "verification_failed", "high")
            if outcome == "rate_limited":
                dispatcher.utter_message(
                    response="utter_verification_rate_limited", buttons=[HUMAN_BUTTON[language]]
                )
            elif outcome == "locked":
                dispatcher.utter_message(
                    response="utter_verification_locked",
                    minutes=math.ceil(b.settings.verify_lockout_s / 60),
                    buttons=[HUMAN_BUTTON[language]],
                )
            else:  # the form ended some other way: nothing was proven
                dispatcher.utter_message(response="utter_verification_restart")
                dispatcher.utter_message(response="utter_verified_what_next")
            return events

        record = await db(b.store.latest_verification, tracker.sender_id)
        customer = None if record is None else await db(b.repo.get_customer, record.customer_id)
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
        dispatcher.utter_message(json_message=verified_at(iso_utc(record.verified_at)))

        from actions.accounts import resume_service  # the services import this module

        service = tracker.get_slot("pending_service")
        events.append(SlotSet("pending_service", None))
        if service:
            events += await resume_service(service, dispatcher, tracker, verified)
        else:
            dispatcher.utter_message(response="utter_verified_what_next")
        return events
