"""The verification forms: what each answer is taken to be, and how it is checked.

``verification_form`` asks for the phone, the ID digits and the code;
``reverify_form`` only for the code (see :mod:`actions.verification`). The
extraction methods decide whether the latest message is an answer to the
question asked at all (otherwise the form steps aside: a FAQ, "cancel",
"resend"); the validation methods check it against the core bank and the
verification state, never saying which fact was wrong.
"""

from __future__ import annotations

import math
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.deps import db, deps
from actions.identifiers import id_last4_matcher, id_last4_token, phones
from actions.language import current_language
from actions.otp import new_code
from actions.store.verification import CodeOutcome, IssueOutcome
from actions.tracker import latest_intent, latest_text
from actions.verification.codes import digest, phone_key, purge_now_and_then, send_code
from actions.verification.slots import IN_CLEAR, MASKED, PROVIDED
from actions.wording import minutes
from common.codes import MASKED_CODE, looks_like_digest, typed_codes
from common.identifiers import ID_LAST4_TOKEN
from common.payloads import CODE_DIGEST_ENTITY, SUBMIT_CODE_INTENT, expect_code, expect_id_last4
from common.plural import count_of
from common.redaction import mask_phone
from common.text import halfwidth
from corebank.repository import normalise_phone

_ID_LAST4 = re.compile(r"[0-9]{3}[0-9X]")
_ONLY_DIGITS = re.compile(r"[0-9Xx\s\-+()]+")
_DIGIT_GROUPS = re.compile(r"[0-9]+[Xx]?")


class _CodeStep:
    """Extraction and validation of the one-time code, shared by both forms."""

    async def extract_verify_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """``verify_code`` from the latest message, when it is the slot asked for."""
        if tracker.get_slot("requested_slot") != "verify_code":
            return {}
        if latest_intent(tracker) == SUBMIT_CODE_INTENT:
            sent = next(tracker.get_latest_entity_values(CODE_DIGEST_ENTITY), None)
            return {"verify_code": sent if looks_like_digest(sent) else IN_CLEAR}
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
        d = deps()
        conversation = tracker.sender_id
        if value == MASKED:  # never reached us: nothing to burn, just ask again
            dispatcher.utter_message(response="utter_verify_code_only_digits")
            return {"verify_code": None}
        if value == IN_CLEAR or not looks_like_digest(value):
            # The code reached us in clear (or garbled): it must not be usable any more.
            await db(d.verifications.burn_code, conversation)
            dispatcher.utter_message(response="utter_verify_code_in_clear")
            return {"verify_code": None}
        check = await db(d.verifications.check_code, conversation, value)
        if check.outcome is CodeOutcome.VERIFIED:
            return {"verify_code": "ok", "verification_outcome": "verified"}
        if check.outcome is CodeOutcome.WRONG:
            dispatcher.utter_message(
                response="utter_verify_code_wrong",
                tries_left=check.tries_left,
                tries_left_text=count_of(check.tries_left, "attempt"),
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

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Validate as usual; when the ID's last four come next, tell the gateway.

        This runs before every question of the form (a first ask, an ask again
        after a bad answer, a resume after a detour), so the gateway always
        sends the digest of the answer instead of the digits.
        """
        events = await super().run(dispatcher, tracker, domain)
        slots = dict(tracker.slots)
        for event in events:
            if event.get("event") == "slot":
                slots[event["name"]] = event.get("value")
        asks_id = (
            slots.get("verify_phone") is not None
            and slots.get("verify_id_last4") is None
            and slots.get("requested_slot", "verify_id_last4") is not None
            and slots.get("verification_outcome") is None
        )
        if asks_id:
            dispatcher.utter_message(json_message=expect_id_last4())
        return events

    async def extract_verify_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """``verify_phone`` from the latest message, when it is the slot asked for."""
        if tracker.get_slot("requested_slot") != "verify_phone":
            return {}
        sealed = phones(deps(), tracker)
        if sealed:  # the gateway's token, opened here (the engine never saw the number)
            return {"verify_phone": sealed[0]}
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
        d = deps()
        conversation = tracker.sender_id
        phone = normalise_phone(str(value or ""))
        if phone is None:
            dispatcher.utter_message(response="utter_verify_phone_invalid")
            return {"verify_phone": None}
        stop = {"verify_phone": None, "requested_slot": None}
        failures = await db(d.verifications.failures_in_conversation, conversation)
        if failures >= d.settings.verify_max_failures:
            return {**stop, "verification_outcome": "failed"}
        key = phone_key(d, phone)
        if await db(d.verifications.locked_until, key) is not None:
            return {**stop, "verification_outcome": "locked"}
        customer = await db(d.repo.find_customer_by_phone, phone)
        await db(
            d.verifications.begin, conversation, key, None if customer is None else customer.id
        )
        await purge_now_and_then(d)
        return {"verify_phone": mask_phone(phone)}

    async def extract_verify_id_last4(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """``verify_id_last4`` from the latest message, when it is the slot asked for."""
        if tracker.get_slot("requested_slot") != "verify_id_last4":
            return {}
        token = id_last4_token(tracker)
        if token is not None:
            return {"verify_id_last4": token}
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
        d = deps()
        conversation = tracker.sender_id
        digits = halfwidth(str(value or "")).upper()
        sealed = ID_LAST4_TOKEN.fullmatch(str(value))
        if not sealed and not _ID_LAST4.fullmatch(digits):
            dispatcher.utter_message(response="utter_verify_id_invalid")
            return {"verify_id_last4": None}
        challenge = await db(d.verifications.open_challenge, conversation)
        if challenge is None:
            dispatcher.utter_message(response="utter_verification_restart")
            return {"verify_phone": None, "verify_id_last4": None}
        candidate = challenge.candidate_customer_id
        # Same work whether or not the number is registered (no timing oracle).
        if sealed:
            matched = await db(
                d.repo.check_id_last4_digest, candidate if candidate is not None else -1,
                str(value), id_last4_matcher(d, conversation),
            )  # fmt: skip
        else:
            matched = await db(
                d.repo.check_id_last4, candidate if candidate is not None else -1, digits
            )
        customer_id = candidate if matched and candidate is not None else None
        code = new_code()  # when nobody matched, a code that goes nowhere
        issued = await db(
            d.verifications.issue_code,
            conversation,
            digest(d, conversation, code),
            customer_id=customer_id,
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
        customer = await db(d.repo.get_customer, customer_id if customer_id is not None else -1)
        if customer_id is not None and customer is not None:
            send_code(d, customer, code, current_language(tracker), conversation)
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
        d = deps()
        challenge = await db(d.verifications.open_challenge, tracker.sender_id)
        phone = tracker.get_slot("verify_phone") or ""
        expired = (
            challenge is not None
            and challenge.expires_at is not None
            and challenge.expires_at <= d.clock()
        )
        if expired:
            dispatcher.utter_message(response="utter_verify_code_expired")
        else:
            dispatcher.utter_message(
                response="utter_ask_verify_code",
                phone=phone,
                **minutes(max(1, math.ceil(d.settings.otp_ttl_s / 60))),
            )
        dispatcher.utter_message(json_message=expect_code())
        return []
