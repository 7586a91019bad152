"""Card, ID and phone numbers, masked wherever text is stored or shown.

The gateway masks transcripts and what the engine receives; the action server
masks complaint tickets. One set of patterns, so both mask the same numbers
the same way (docs/requirements.md, privacy).
"""

from __future__ import annotations

import re

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
"""A mainland resident ID: 17 digits and a digit or X."""
CARD_NUMBER = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
"""13 to 19 digits, optionally grouped by spaces or dashes."""
PHONE_NUMBER = re.compile(r"(?<!\d)(?:\+?86[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?!\d)")
"""A mainland mobile number, optionally +86 and grouped 3-4-4."""

ID_HIDDEN = "[身份证号已隐藏 ID hidden]"
"""What an ID number becomes in a transcript staff read."""
ID_SHORT = "[ID]"
"""What an ID number becomes where no person reads the text first."""


def card_shown(last4: str) -> str:
    """How a card (or account) number is shown: ``**** 6789``."""
    return f"**** {last4}"


def _mask_card(match: re.Match[str]) -> str:
    return card_shown(re.sub(r"\D", "", match.group(0))[-4:])


def _mask_phone(match: re.Match[str]) -> str:
    return f"{match.group(1)}****{match.group(3)}"


def redact(text: str, *, id_mark: str = ID_HIDDEN) -> str:
    """Mask every ID, phone and card number in ``text`` (ID first: it is the longest)."""
    text = ID_NUMBER.sub(id_mark, text)
    text = PHONE_NUMBER.sub(_mask_phone, text)
    return CARD_NUMBER.sub(_mask_card, text)


def redact_for_engine(text: str) -> str:
    """Mask ID and card numbers in what the engine receives.

    No answer of the assistant needs a full ID or card number (verification
    asks for the last four digits), so neither reaches the engine, its
    tracker store or its logs. Phone numbers do: verification starts with one.
    """
    return CARD_NUMBER.sub(_mask_card, ID_NUMBER.sub(ID_SHORT, text))


def mask_phone(phone: str) -> str:
    """``13800138000`` → ``138****8000``, the only way a phone number is ever shown.

    Anything that is not a mobile number's 11 digits is starred out whole.
    """
    digits = re.sub(r"\D", "", phone)
    if len(digits) != 11:
        return "*" * len(phone)
    return f"{digits[:3]}****{digits[-4:]}"
