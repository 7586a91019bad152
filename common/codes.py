"""One-time codes on the wire: the digest that replaces them, and how to spot one in text.

A code the customer types never reaches the engine. While the bot waits for a
code (``{"expect": "otp"}``), the gateway sends ``/submit_code{"code_digest":
<hex>}`` instead, where the digest is :func:`code_digest` of the code, keyed
with ``OTP_DIGEST_KEY`` (shared by the gateway and the action server only) and
bound to the conversation. The action server keeps only the digest of the
code it sent and compares digests. Codes typed inside a sentence are masked
(:data:`MASKED_CODE`) by the gateway and treated as burned by the action server.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import unicodedata

from common.payloads import CODE_DIGEST_ENTITY, SUBMIT_CODE_INTENT

CODE_LENGTH = 6
MASKED_CODE = "******"
"""What is left of a code typed inside a sentence, in the transcript and for the engine."""

CODE_IN_TEXT = re.compile(r"(?<!\d)\d{6}(?!\d)")
"""Six digits standing alone (not part of a phone or card number)."""

_WHOLE_CODE = re.compile(r"^\d{6}$")
_DIGEST = re.compile(r"[0-9a-f]{64}")


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


def looks_like_digest(value: object) -> bool:
    """Whether ``value`` has the shape of a :func:`code_digest` (64 hex digits)."""
    return isinstance(value, str) and bool(_DIGEST.fullmatch(value))


def digests_match(expected: str, given: str) -> bool:
    """Constant-time comparison of two digests."""
    return hmac.compare_digest(expected.encode(), given.encode())


def code_command(key: str, conversation_id: str, code: str) -> str:
    """What the engine receives instead of a typed code."""
    digest = code_digest(key, conversation_id, code)
    payload = json.dumps({CODE_DIGEST_ENTITY: digest}, separators=(",", ":"))
    return f"/{SUBMIT_CODE_INTENT}{payload}"


def as_code(text: str) -> str | None:
    """The code ``text`` is, if that is all it is (full-width digits and spaces allowed)."""
    compact = re.sub(r"\s", "", unicodedata.normalize("NFKC", text))
    return compact if _WHOLE_CODE.match(compact) else None


def mask_codes(text: str) -> str:
    """``text`` with every code standing alone in it masked ("my code is ******")."""
    return CODE_IN_TEXT.sub(MASKED_CODE, unicodedata.normalize("NFKC", text))


def typed_codes(text: str) -> list[str]:
    """Six-digit groups in free text (full-width digits and inner spaces allowed).

    Finds a code that reached the engine in clear (typed inside a sentence, so
    the gateway could not swap it for a digest); such a code is burned.
    """
    normal = unicodedata.normalize("NFKC", text or "")
    compact = re.sub(r"(?<=\d)[ \u3000]+(?=\d)", "", normal)
    return CODE_IN_TEXT.findall(compact)
