"""One-time codes: made here, never kept or passed on in clear.

The code a customer types never reaches the engine: the gateway replaces it
with ``/submit_code{"code_digest": <hex>}`` where the digest is
:func:`code_digest` of the code, keyed with ``OTP_DIGEST_KEY`` (shared by the
gateway and the action server only) and bound to the conversation. The
action server keeps only the digest of the code it sent and compares digests.

This module is pure (no I/O, no settings) so the gateway imports the very same
:func:`code_digest`: one implementation, one definition of the message.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata

__all__ = [
    "CODE_LENGTH",
    "code_digest",
    "digests_match",
    "looks_like_digest",
    "new_code",
    "typed_codes",
    "MASKED_CODE",
]

CODE_LENGTH = 6

_DIGEST_RE = re.compile(r"[0-9a-f]{64}")
# Six digits standing alone (not part of a phone or card number).
_CODE_IN_TEXT = re.compile(r"(?<!\d)\d{6}(?!\d)")
# What the gateway leaves of a code it masked inside a sentence.
MASKED_CODE = "******"


def code_digest(key: str, conversation_id: str, code: str) -> str:
    """``HMAC-SHA256(key, f"{conversation_id}:{code}")`` as lower-case hex.

    Bound to the conversation, so a digest seen in one conversation's tracker
    is worth nothing in another, and keyed, so the 10^6 possible codes cannot
    be tried offline by anyone who reads a digest without the key.
    """
    if not key:
        raise ValueError("an OTP digest key is required")
    message = f"{conversation_id}:{code}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def new_code() -> str:
    """A fresh code from the OS's CSPRNG: ``"000000"``…``"999999"``, uniform."""
    return f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"


def looks_like_digest(value: object) -> bool:
    """Whether ``value`` has the shape of a :func:`code_digest` (64 hex digits)."""
    return isinstance(value, str) and bool(_DIGEST_RE.fullmatch(value))


def digests_match(expected: str, given: str) -> bool:
    """Constant-time comparison of two digests."""
    return hmac.compare_digest(expected.encode(), given.encode())


def typed_codes(text: str) -> list[str]:
    """Six-digit groups in free text (full-width digits and inner spaces allowed).

    Used to notice a code that reached the engine in clear (typed inside a
    sentence, so the gateway could not swap it for a digest); such a code is
    treated as burned.
    """
    normal = unicodedata.normalize("NFKC", text or "")
    compact = re.sub(r"(?<=\d)[ \u3000]+(?=\d)", "", normal)
    return _CODE_IN_TEXT.findall(compact)
