"""Why a handoff happened, for the agent's summary, and an agent's "false alarm" verdict.

The action server may send evidence with its handoff request
(:mod:`common.evidence`); it is stored masked with the queue entry. Where a
field is missing the gateway fills it from what it knows itself: the last
customer messages before the handoff, the reason as the detector, the intents
and FAQs of the conversation's facts, the verification status.

A dispute ("not upset", "not fraud") keeps the triggering messages (masked)
for the labelled sets, adds them to the content team's Unanswered page as
`false_alarm`, and is counted in the quality figures.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from common import evidence
from common.handoffs import HandoffReason
from common.identifiers import shown_to_staff
from common.redaction import redact
from handoff.core.errors import Conflict, InvalidInput
from handoff.models import (
    Agent,
    Conversation,
    ConversationFacts,
    Handoff,
    HandoffDispute,
    Message,
    Outcome,
    Sender,
    TurnOutcome,
)
from handoff.services.clock import as_utc

TRIGGER_MESSAGES = 3

LABEL_FOR_REASON: dict[HandoffReason, str] = {
    HandoffReason.emotion: evidence.NOT_UPSET,
    HandoffReason.fraud_risk: evidence.NOT_FRAUD,
}
"""Which verdict fits which handoff: only the detectors' handoffs can be disputed."""


def masked(raw: dict[str, Any] | None, key: str, conversation_id: str) -> dict[str, Any] | None:
    """Evidence as stored: its messages masked like the transcript.

    They are quoted from the engine's tracker, where phone numbers and ID
    digits are tokens (`common.identifiers`): those become the masked forms.
    """
    if not raw:
        return None
    kept = dict(raw)
    if evidence.MESSAGES in kept:
        kept[evidence.MESSAGES] = [
            redact(shown_to_staff(key, conversation_id, str(m))) for m in kept[evidence.MESSAGES]
        ]
    return kept


def _triggers(messages: list[Message], handoff: Handoff) -> list[Message]:
    """The customer's last messages up to the handoff (button presses left out)."""
    before = as_utc(handoff.created_at)
    said = [
        m
        for m in messages
        if m.sender == Sender.customer
        and not m.text.startswith("/")
        and as_utc(m.created_at) <= before
    ]
    return said[-TRIGGER_MESSAGES:]


def view(
    handoff: Handoff,
    messages: list[Message],
    facts: ConversationFacts | None,
    dispute: HandoffDispute | None,
) -> dict[str, Any]:
    """The "why" panel of the console: reported evidence, completed from the gateway's facts."""
    stored = handoff.evidence or {}
    reported = bool(stored)
    texts = stored.get(evidence.MESSAGES) or [m.text for m in _triggers(messages, handoff)]
    intents = stored.get(evidence.INTENTS) or [
        {"name": name, "confidence": None} for name in (facts.intents if facts else [])
    ]
    verified = stored.get(evidence.VERIFIED)
    if verified is None:
        verified = bool(facts and facts.verified_at)
    return {
        "reported": reported,
        "messages": [redact(t) for t in texts],
        "detector": stored.get(evidence.DETECTOR) or handoff.reason.value,
        "score": stored.get(evidence.SCORE),
        "intents": intents,
        "faqs": stored.get(evidence.FAQS) or (list(facts.faq_keys) if facts else []),
        "verified": verified,
        "dispute_label": LABEL_FOR_REASON.get(handoff.reason),
        "dispute": dispute_view(dispute),
    }


def dispute_view(dispute: HandoffDispute | None) -> dict[str, Any] | None:
    """Who disputed the handoff, and how."""
    if dispute is None:
        return None
    return {
        "label": dispute.label,
        "by": dispute.agent_name,
        "at": as_utc(dispute.created_at).isoformat().replace("+00:00", "Z"),
    }


async def dispute(
    session: AsyncSession,
    agent: Agent,
    handoff: Handoff,
    label: str,
    messages: list[Message],
    now: datetime,
) -> HandoffDispute:
    """Record an agent's verdict that the handoff was a false alarm.

    400 when the label does not fit the handoff's reason; 409 when it was
    already disputed (one verdict per handoff).
    """
    fitting = LABEL_FOR_REASON.get(handoff.reason)
    if label not in evidence.DISPUTE_LABELS:
        raise InvalidInput("Unknown verdict.", code="invalid_label")
    if fitting != label:
        raise InvalidInput(
            "This verdict does not fit the handoff's reason.", code="label_not_applicable"
        )
    if await session.get(HandoffDispute, handoff.id) is not None:
        raise Conflict("This handoff was already marked.", code="already_disputed")
    shown = view(handoff, messages, None, None)
    conversation = await session.get(Conversation, handoff.conversation_id)
    started_at = conversation.created_at if conversation else now
    row = HandoffDispute(
        handoff_id=handoff.id,
        label=label,
        agent_id=agent.id,
        agent_name=agent.display_name,
        language=handoff.language,
        detector=shown["detector"],
        score=shown["score"],
        messages=shown["messages"],
        created_at=now,
    )
    session.add(row)
    seqs = {m.text: m.seq for m in _triggers(messages, handoff)}
    for text in shown["messages"]:
        session.add(
            TurnOutcome(
                conversation_id=handoff.conversation_id,
                seq=seqs.get(text, 0),
                started_at=started_at,
                customer_key=None,  # a false alarm is not a need
                language=handoff.language,
                outcome=Outcome.false_alarm.value,
                text=text,
                handled=False,
                created_at=now,
            )
        )
    await session.flush()
    return row
