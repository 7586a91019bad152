"""Phone numbers and ID last-four digits on the wire: tokens the engine cannot read.

The engine, its tracker store and its logs never see a customer's phone number
or the last four characters of their ID in clear. The gateway replaces them,
in what it sends to the engine, the same way it replaces one-time codes
(:mod:`common.codes`), with the key only it and the action server hold
(``OTP_DIGEST_KEY``):

- a phone number becomes ``PHONE_<token>``: AES-256-GCM of the 11 digits,
  bound to the conversation (the associated data), which the action server
  opens (it needs the number to find the customer or note a callback); the
  gateway, which sealed it, opens it only to show it masked to staff;
- the ID's last four, typed when the bot asks for them (``{"expect":
  "id_last4"}``), become ``IDLAST4_<digest>``: an HMAC bound to the
  conversation, which the action server compares with the digest of the
  candidate customer's own last four. The digits themselves go nowhere.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from common.redaction import PHONE_NUMBER, mask_phone

PHONE_TOKEN = re.compile(r"PHONE_[A-Za-z0-9_-]{40,120}")
"""A sealed phone number in text sent to the engine."""
ID_LAST4_TOKEN = re.compile(r"IDLAST4_[0-9a-f]{64}")
"""The digest of an ID's last four in text sent to the engine."""
ID_LAST4_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])[0-9]{3}[0-9Xx](?![0-9A-Za-z])")
"""Four characters standing alone that can be an ID's last four."""
ID_LAST4_HIDDEN = "[身份证后四位已隐藏 ID last four hidden]"
"""What the transcript shows instead of the typed digits."""

_NONCE = 12
# Full-width digits and X become ASCII; nothing else of the customer's text changes.
_DIGITS = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")


def _ascii_digits(text: str) -> str:
    return text.translate(_DIGITS)


def _aead(key: str) -> AESGCM:
    if not key:
        raise ValueError("a key is required (OTP_DIGEST_KEY)")
    return AESGCM(hashlib.sha256(b"bankbot phone token|" + key.encode()).digest())


def seal_phone(key: str, conversation_id: str, phone: str) -> str:
    """``PHONE_<token>`` for `phone` (11 digits), readable with the key, in this conversation."""
    nonce = os.urandom(_NONCE)
    sealed = _aead(key).encrypt(nonce, phone.encode(), conversation_id.encode())
    return "PHONE_" + base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def open_phone(key: str, conversation_id: str, token: str) -> str | None:
    """The phone number inside `token`, or None (another key, conversation, or tampered)."""
    body = token.removeprefix("PHONE_")
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        plain = _aead(key).decrypt(raw[:_NONCE], raw[_NONCE:], conversation_id.encode())
    except (InvalidTag, ValueError):
        return None
    return plain.decode()


def seal_phones(key: str, conversation_id: str, text: str) -> str:
    """`text` with every mainland mobile number replaced by its token."""

    def seal(match: re.Match[str]) -> str:
        return seal_phone(key, conversation_id, "".join(match.group(1, 2, 3)))

    return PHONE_NUMBER.sub(seal, _ascii_digits(text))


def open_phones(key: str, conversation_id: str, text: str) -> tuple[str, list[str]]:
    """`text` with its phone tokens opened, and the numbers found (action server only)."""
    found: list[str] = []

    def unseal(match: re.Match[str]) -> str:
        phone = open_phone(key, conversation_id, match.group(0))
        if phone is None:
            return match.group(0)
        found.append(phone)
        return phone

    return PHONE_TOKEN.sub(unseal, text), found


PHONE_STAND_IN = "13800000000"
ID_LAST4_STAND_IN = "0000"


def sealed_spans(text: str) -> list[tuple[int, int, str]]:
    """Where `text` holds tokens, each with the stand-in a model should read there."""
    spans = [(m.start(), m.end(), PHONE_STAND_IN) for m in PHONE_TOKEN.finditer(text)]
    spans += [(m.start(), m.end(), ID_LAST4_STAND_IN) for m in ID_LAST4_TOKEN.finditer(text)]
    return sorted(spans)


def as_read(text: str) -> str:
    """What a model reading the words sees of a sealed text: plain stand-ins.

    A token's random letters mean nothing; left in, they look like noise a
    detector may take for something. The stand-ins read as "a phone number"
    and "four digits", which is all the words say.
    """
    parts, last = [], 0
    for start, end, stand_in in sealed_spans(text):
        parts += [text[last:start], stand_in]
        last = end
    return "".join(parts) + text[last:]


def shown_to_staff(key: str, conversation_id: str, text: str) -> str:
    """A text that came back from the engine, as staff may read it.

    Evidence quotes the tracker, where numbers are tokens: a phone token shows
    as the masked number (``138****8000``, as in the transcript), or starred
    out if it is not this conversation's; an ID digest shows as hidden.
    """

    def masked(match: re.Match[str]) -> str:
        phone = open_phone(key, conversation_id, match.group(0))
        return mask_phone(phone) if phone is not None else "*" * 11

    return ID_LAST4_TOKEN.sub(ID_LAST4_HIDDEN, PHONE_TOKEN.sub(masked, text))


def id_last4_digest(key: str, conversation_id: str, last4: str) -> str:
    """``IDLAST4_<HMAC-SHA256(key, "id4:<conversation>:<LAST4>")>``."""
    if not key:
        raise ValueError("a key is required (OTP_DIGEST_KEY)")
    message = f"id4:{conversation_id}:{last4.upper()}".encode()
    return "IDLAST4_" + hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def seal_id_last4(key: str, conversation_id: str, text: str) -> str | None:
    """`text` with the one ID last-four it holds replaced by its digest; None if not one.

    Only used while the bot asks for them: any four digits would do otherwise
    (an amount, a year).
    """
    normal = _ascii_digits(text)
    found = ID_LAST4_IN_TEXT.findall(normal)
    if len(found) != 1:
        return None
    return ID_LAST4_IN_TEXT.sub(lambda m: id_last4_digest(key, conversation_id, m.group(0)), normal)


def hide_id_last4(text: str) -> str:
    """What the transcript keeps of a message that gave the ID's last four."""
    return ID_LAST4_IN_TEXT.sub(ID_LAST4_HIDDEN, _ascii_digits(text))
