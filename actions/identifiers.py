"""Phone numbers and ID last-fours as the engine passes them on: tokens (common.identifiers).

The gateway seals every phone number and, when asked for, the ID's last four
before the engine sees them; only this process holds the key that opens them.
Opened numbers live in memory for the action that needs them (finding the
customer, a complaint's callback number) and are never written to a slot in
clear.
"""

from __future__ import annotations

from collections.abc import Callable

from rasa_sdk import Tracker

from actions.deps import Deps
from actions.tracker import latest_text
from common.identifiers import (
    ID_LAST4_TOKEN,
    id_last4_digest,
    open_phone,
    open_phones,
    seal_phone,
)


def _key(d: Deps) -> str:
    return d.settings.otp_digest_key.get_secret_value()


def opened_text(d: Deps, tracker: Tracker) -> str:
    """The customer's latest text with its phone tokens opened."""
    text = latest_text(tracker)
    if "PHONE_" not in text:
        return text
    return open_phones(_key(d), tracker.sender_id, text)[0]


def phones(d: Deps, tracker: Tracker) -> list[str]:
    """The phone numbers the customer's latest message carried (opened)."""
    text = latest_text(tracker)
    return open_phones(_key(d), tracker.sender_id, text)[1] if "PHONE_" in text else []


def id_last4_token(tracker: Tracker) -> str | None:
    """The digest of the ID's last four in the latest message, if the gateway sent one."""
    match = ID_LAST4_TOKEN.search(latest_text(tracker))
    return match.group(0) if match else None


def id_last4_matcher(d: Deps, conversation_id: str) -> Callable[[str], str]:
    """The keyed digest of a stored last four, as the gateway makes it for this conversation."""
    key = _key(d)
    return lambda last4: id_last4_digest(key, conversation_id, last4)


def sealed_phone(d: Deps, conversation_id: str, phone: str) -> str:
    """A phone number as a slot may hold it: the gateway's kind of token."""
    return seal_phone(_key(d), conversation_id, phone)


def opened_phone(d: Deps, conversation_id: str, value: object) -> str | None:
    """A slot's phone token opened (a plain number, from older trackers, passes through)."""
    if not isinstance(value, str) or not value:
        return None
    if value.startswith("PHONE_"):
        return open_phone(_key(d), conversation_id, value)
    return value
