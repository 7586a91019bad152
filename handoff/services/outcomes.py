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

from sqlalchemy import Table, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

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
_INSERT_OUTCOME = insert(_OUTCOMES)  # built once: building costs more than running it


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


async def record_turn(
    session: AsyncSession,
    conversation: Conversation,
    seq: int,
    shown_text: str,
    replies: list[BotReply],
    handoff_reason: HandoffReason | None,
) -> None:
    """Store the outcome of the bot's answer to the customer message ``seq``.

    One-time codes are not recorded; a button press only when it was answered
    with a FAQ (a "did you mean…" button: the question it picked counts).
    One INSERT on the turn's transaction (no unit of work).
    """
    if not shown_text.strip():
        return
    outcome, faq_key = outcome_of(replies, handoff_reason)
    if shown_text.startswith("/") and outcome != Outcome.answered:
        return
    row = {
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
    await session.execute(_INSERT_OUTCOME, [row])


async def note_customer(
    session: AsyncSession, conversation: Conversation, custom: dict[str, Any] | None
) -> None:
    """Remember the verified customer's pseudonym (repeat contacts are counted per customer).

    The conversation's earlier turns are re-keyed to the customer too.
    """
    verified = (custom or {}).get(payloads.VERIFIED)
    if not isinstance(verified, dict):
        return
    ref = verified.get("customer")
    if isinstance(ref, str) and 8 <= len(ref) <= 64 and ref.isalnum():
        conversation.customer_ref = ref
        await session.execute(
            update(TurnOutcome)
            .where(TurnOutcome.conversation_id == conversation.id)
            .values(customer_key=ref)
        )


def browser_hash(browser_id: str | None) -> str | None:
    """The stored form of the widget's random browser id (the id itself is never kept)."""
    if not browser_id:
        return None
    return hashlib.sha256(f"browser:{browser_id}".encode()).hexdigest()
