"""The custom payloads and button payloads that travel between the three processes.

The action server adds machine-readable payloads to its replies
(``dispatcher.utter_message(json_message=...)``), and the engine to the FAQ
reply it renders itself (``bot/nlg.py``); Rasa's REST channel hands them to
the gateway as ``{"custom": {...}}``. These are their keys and the
builders both sides use, so a key is spelt once:

* ``{"handoff": {"reason", "priority"}}`` — put the conversation in the queue;
* ``{"expect": "otp"}`` — the next six digits the customer types are a
  one-time code (the gateway sends a digest instead, :mod:`common.codes`);
* ``{"expect": "id_last4"}`` — the next message gives the ID's last four (the
  gateway sends a digest instead, :mod:`common.identifiers`);
* ``{"verified": {"at": iso}}`` — the customer passed identity verification;
* ``{"intent": ...}`` / ``{"faq": ...}`` — what the engine understood, for the
  agent's summary (``faq``: the FAQ answered to this message, which the
  quality figures count);
* ``{"outcome": "clarification" | "fallback"}`` — the message was not
  answered: the customer was asked which FAQ they meant, or to rephrase
  (the content team's Unanswered page collects these);
* a handoff may carry ``evidence`` (:mod:`common.evidence`), and
  ``verified`` a ``customer`` pseudonym (the same for every conversation of
  one customer, never their id) so repeat contacts can be counted.

The gateway sends ``metadata: {"language", "channel"}`` with every message.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from common.handoffs import HandoffReason, Priority

HANDOFF = "handoff"
EXPECT = "expect"
EXPECT_OTP = "otp"
EXPECT_ID_LAST4 = "id_last4"
VERIFIED = "verified"
INTENT = "intent"
FAQ = "faq"
OUTCOME = "outcome"
OUTCOME_CLARIFICATION = "clarification"
OUTCOME_FALLBACK = "fallback"
OUTCOMES = (OUTCOME_CLARIFICATION, OUTCOME_FALLBACK)
FACT_KEYS = (VERIFIED, INTENT, FAQ)
"""Keys whose payload the gateway keeps as facts about the conversation."""

METADATA_LANGUAGE = "language"
METADATA_CHANNEL = "channel"
CHANNELS = ("web", "app")

REQUEST_HUMAN = "/request_human"
"""The button payload (and intent) that asks for a person."""
SUBMIT_CODE_INTENT = "submit_code"
CODE_DIGEST_ENTITY = "code_digest"


def handoff_request(
    reason: HandoffReason, priority: Priority, evidence: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The payload that asks the gateway to queue the conversation (evidence optional)."""
    body: dict[str, Any] = {"reason": reason.value, "priority": priority.value}
    if evidence:
        body["evidence"] = evidence
    return {HANDOFF: body}


def parse_handoff(custom: dict[str, Any] | None) -> tuple[HandoffReason, Priority] | None:
    """(reason, priority) of a handoff payload; None if there is none or it is malformed."""
    raw = (custom or {}).get(HANDOFF)
    if not isinstance(raw, dict):
        return None
    try:
        return HandoffReason(str(raw.get("reason"))), Priority(str(raw.get("priority")))
    except ValueError:
        return None


def expect_code() -> dict[str, Any]:
    """The payload that tells the gateway a one-time code comes next."""
    return {EXPECT: EXPECT_OTP}


def expect_id_last4() -> dict[str, Any]:
    """The payload that tells the gateway the ID's last four come next."""
    return {EXPECT: EXPECT_ID_LAST4}


def expects_id_last4(custom: dict[str, Any] | None) -> bool:
    """Whether a payload says the ID's last four come next."""
    return bool(custom) and (custom or {}).get(EXPECT) == EXPECT_ID_LAST4


def expects_code(custom: dict[str, Any] | None) -> bool:
    """Whether a payload says a one-time code comes next."""
    return bool(custom) and (custom or {}).get(EXPECT) == EXPECT_OTP


def verified_at(moment_iso: str, customer: str | None = None) -> dict[str, Any]:
    """The payload reporting a successful verification at ``moment_iso`` (UTC).

    ``customer`` is a pseudonym of the customer (a keyed hash), not their id.
    """
    body = {"at": moment_iso}
    if customer:
        body["customer"] = customer
    return {VERIFIED: body}


def faq_answered(key: str) -> dict[str, Any]:
    """The payload naming the FAQ a message was answered with."""
    return {FAQ: key}


def turn_outcome(outcome: str) -> dict[str, Any]:
    """The payload saying a message was not answered (one of :data:`OUTCOMES`)."""
    return {OUTCOME: outcome}


def customer_pseudonym(key: str, customer_id: object) -> str:
    """A keyed hash of a customer's id: links one customer's conversations, reveals nothing."""
    message = f"customer:{customer_id}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()[:32]
