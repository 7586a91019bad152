"""The custom payloads and button payloads that travel between the three processes.

The action server adds machine-readable payloads to its replies
(``dispatcher.utter_message(json_message=...)``); Rasa's REST channel hands
them to the gateway as ``{"custom": {...}}``. These are their keys and the
builders both sides use, so a key is spelt once:

* ``{"handoff": {"reason", "priority"}}`` — put the conversation in the queue;
* ``{"expect": "otp"}`` — the next six digits the customer types are a
  one-time code (the gateway sends a digest instead, :mod:`common.codes`);
* ``{"expect": "id_last4"}`` — the next message gives the ID's last four (the
  gateway sends a digest instead, :mod:`common.identifiers`);
* ``{"verified": {"at": iso}}`` — the customer passed identity verification;
* ``{"intent": ...}`` / ``{"faq": ...}`` — what the engine understood, for the
  agent's summary.

The gateway sends ``metadata: {"language", "channel"}`` with every message.
"""

from __future__ import annotations

from typing import Any

from common.handoffs import HandoffReason, Priority

HANDOFF = "handoff"
EXPECT = "expect"
EXPECT_OTP = "otp"
EXPECT_ID_LAST4 = "id_last4"
VERIFIED = "verified"
INTENT = "intent"
FAQ = "faq"
FACT_KEYS = (VERIFIED, INTENT, FAQ)
"""Keys whose payload the gateway keeps as facts about the conversation."""

METADATA_LANGUAGE = "language"
METADATA_CHANNEL = "channel"
CHANNELS = ("web", "app")

REQUEST_HUMAN = "/request_human"
"""The button payload (and intent) that asks for a person."""
SUBMIT_CODE_INTENT = "submit_code"
CODE_DIGEST_ENTITY = "code_digest"


def handoff_request(reason: HandoffReason, priority: Priority) -> dict[str, Any]:
    """The payload that asks the gateway to queue the conversation."""
    return {HANDOFF: {"reason": reason.value, "priority": priority.value}}


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


def verified_at(moment_iso: str) -> dict[str, Any]:
    """The payload reporting a successful verification at ``moment_iso`` (UTC)."""
    return {VERIFIED: {"at": moment_iso}}
