"""How the bot handled each customer message, kept for the quality figures and Unanswered.

The action server says what it did in custom payloads (`common.payloads`):
``{"faq": key}`` for an answer, ``{"outcome": "clarification" | "fallback"}``
for a miss, a ``low_confidence`` handoff after two misses. The out-of-scope
reply is a plain domain response, recognised by its wording (the same markers
the agent's summary uses). Only missed messages keep their text, masked.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import Table, Update, insert, update

from common import payloads
from common.handoffs import HandoffReason
from common.redaction import redact
from handoff.models import Conversation, Outcome, TurnOutcome
from handoff.models.base import utcnow
from handoff.models.quality import MISSED
from handoff.services.engine import BotReply

OUT_OF_SCOPE_MARKERS = ("超出了我能为您解答的范围", "outside what i can help with")
"""Words of the domain's ``utter_out_of_scope`` in both languages."""

MAX_TEXT = 500
_OUTCOMES: Table = TurnOutcome.__table__  # type: ignore[assignment]
INSERT_OUTCOME = insert(_OUTCOMES)  # built once: building costs more than running it


def outcome_of(
    replies: list[BotReply], handoff_reason: HandoffReason | None
) -> tuple[Outcome, str | None]:
    """The outcome of one bot turn and the FAQ it answered, if any."""
    faq_key: str | None = None
    reported: str | None = None
    for reply in replies:
        custom = reply.custom or {}
        key = custom.get(payloads.FAQ)
        if isinstance(key, str) and key.strip():
            faq_key = key.strip().removeprefix("faq/")[:48]
        said = custom.get(payloads.OUTCOME)
        if said in payloads.OUTCOMES:
            reported = str(said)
    if handoff_reason == HandoffReason.low_confidence:
        return Outcome.low_confidence, None
    if faq_key:
        return Outcome.answered, faq_key
    if reported:
        return Outcome(reported), None
    said_text = " ".join(reply.text or "" for reply in replies).lower()
    if any(marker.lower() in said_text for marker in OUT_OF_SCOPE_MARKERS):
        return Outcome.out_of_scope, None
    return Outcome.other, None


def outcome_row(
    conversation: Conversation,
    seq: int,
    shown_text: str,
    replies: list[BotReply],
    handoff_reason: HandoffReason | None,
) -> dict[str, Any] | None:
    """How the bot answered the customer message ``seq``: a row of `INSERT_OUTCOME`.

    One-time codes are not recorded; a button press only when it was answered
    with a FAQ (a "did you mean…" button: the question it picked counts).
    None: nothing to record.
    """
    if not shown_text.strip():
        return None
    outcome, faq_key = outcome_of(replies, handoff_reason)
    if shown_text.startswith("/") and outcome != Outcome.answered:
        return None
    return {
        "conversation_id": conversation.id,
        "seq": seq,
        "started_at": conversation.created_at,
        "customer_key": conversation.customer_ref or conversation.browser_hash,
        "language": conversation.language,
        "outcome": outcome.value,
        "faq_key": faq_key,
        "text": redact(shown_text)[:MAX_TEXT] if outcome in MISSED else None,
        "handled": False,
        "handled_change_id": None,
        "created_at": utcnow(),
    }


def verified_customer(custom: dict[str, Any] | None) -> str | None:
    """The verified customer's pseudonym a payload reports, if well formed."""
    verified = (custom or {}).get(payloads.VERIFIED)
    if not isinstance(verified, dict):
        return None
    ref = verified.get("customer")
    if isinstance(ref, str) and 8 <= len(ref) <= 64 and ref.isalnum():
        return ref
    return None


def keyed_to_customer(conversation_id: str, ref: str) -> list[Update]:
    """Remember the customer on the conversation and re-key its earlier turns to them.

    Repeat contacts are counted per customer.
    """
    return [
        update(Conversation).where(Conversation.id == conversation_id).values(customer_ref=ref),
        update(TurnOutcome)
        .where(TurnOutcome.conversation_id == conversation_id)
        .values(customer_key=ref),
    ]


def browser_hash(browser_id: str | None) -> str | None:
    """The stored form of the widget's random browser id (the id itself is never kept)."""
    if not browser_id:
        return None
    return hashlib.sha256(f"browser:{browser_id}".encode()).hexdigest()
