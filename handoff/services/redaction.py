"""Masking of card, ID and phone numbers (service rules 9 and 11).

Applied before a message is stored, so the transcript, the agent's view and
the logs only ever hold the masked form. The engine still receives what the
customer typed, because verification needs it.
"""

from __future__ import annotations

import re

# A mainland resident ID: 17 digits and a digit or X.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
# Card numbers: 13-19 digits, optionally grouped by spaces or dashes.
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
# Mainland mobile numbers, optionally +86 and grouped 3-4-4.
_PHONE = re.compile(r"(?<!\d)(?:\+?86[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?!\d)")


def _mask_card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    if len(digits) == 11:  # a phone number caught by the generic pattern
        return match.group(0)
    return "**** " + digits[-4:]


def _mask_phone(match: re.Match[str]) -> str:
    return f"{match.group(1)}****{match.group(3)}"


def redact(text: str) -> str:
    """Mask every ID, card and phone number in `text` (ID first: it is the longest)."""
    text = _ID_NUMBER.sub("[身份证号已隐藏 ID hidden]", text)
    text = _PHONE.sub(_mask_phone, text)
    return _CARD.sub(_mask_card, text)


def redact_for_engine(text: str) -> str:
    """Mask ID and card numbers in what the engine receives.

    No answer of the assistant needs a full ID or card number (verification
    asks for the last four digits), so neither reaches the engine, its
    tracker store or its logs. Phone numbers do: verification starts with one.
    """
    text = _ID_NUMBER.sub("[ID]", text)
    return _CARD.sub(_mask_card, text)


def mask_phone(phone: str) -> str:
    """`13800138000` → `138****8000`, the form shown to staff."""
    digits = re.sub(r"\D", "", phone)
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 7 else "****"
