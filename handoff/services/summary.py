"""What the agent reads before answering: facts the engine reported and a transcript digest.

The engine reports facts in custom payloads next to its replies:
`{"verified": {"at": iso}}` once the customer passed identity verification,
`{"intent": "faq/opening_hours"}` (or `{"intent": {"name": ...}}`) and
`{"faq": "opening_hours"}` for what it understood. Everything else in the
summary is derived from the stored (already masked) transcript.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from common import payloads
from common.redaction import redact
from handoff.models import ConversationFacts, Message, Sender
from handoff.services.clock import as_utc
from handoff.services.conversations import message_view

log = logging.getLogger(__name__)

MAX_KEYS = 20
EXCERPT_CHARS = 160
# Bot wordings (domain.yml and the gateway) that mean the bot did not manage.
_FAILURE_MARKERS: dict[str, tuple[str, ...]] = {
    "system_failure": ("系统正在升级", "the system is being upgraded"),
    "not_understood": (
        "再描述一遍",
        "describe the question once more",
        "请问您想咨询的是下面哪个问题",
        "did you mean one of these",
        "超出了我能为您解答的范围",
        "outside what i can help with",
        "没能解决您的问题",
        "that didn't help",
        "没能准确理解",
        "couldn't find the right answer",
    ),
}


async def facts_for(session: AsyncSession, conversation_id: str) -> ConversationFacts:
    """The conversation's facts row, created on first use."""
    facts = await session.get(ConversationFacts, conversation_id)
    if facts is None:
        facts = ConversationFacts(conversation_id=conversation_id, intents=[], faq_keys=[])
        session.add(facts)
        await session.flush()
    return facts


def add_facts(session: Session | AsyncSession, conversation_id: str) -> ConversationFacts:
    """A new, empty facts row (the caller knows there is none); written with the turn."""
    facts = ConversationFacts(conversation_id=conversation_id, intents=[], faq_keys=[])
    session.add(facts)
    return facts


async def existing_facts(session: AsyncSession, conversation_id: str) -> ConversationFacts | None:
    """The facts row if one was ever written (reads never create rows)."""
    return await session.get(ConversationFacts, conversation_id)


def _name(value: Any, *keys: str) -> str | None:
    if isinstance(value, str):
        return value.strip()[:80] or None
    if isinstance(value, dict):
        for key in keys:
            if isinstance(value.get(key), str):
                return str(value[key]).strip()[:80] or None
    return None


def _added(items: list[str], item: str | None) -> list[str]:
    if not item or item in items:
        return items
    return [*items, item][-MAX_KEYS:]


def record_custom(facts: ConversationFacts, custom: dict[str, Any]) -> None:
    """Keep what a custom payload of the engine tells about the conversation."""
    verified = custom.get(payloads.VERIFIED)
    if isinstance(verified, dict):
        facts.verified_at = _parse_time(verified.get("at"))
    intent = _name(custom.get(payloads.INTENT), "name")
    if intent:
        facts.intents = _added(list(facts.intents or []), intent)
        if intent.startswith("faq/"):
            facts.faq_keys = _added(list(facts.faq_keys or []), intent.removeprefix("faq/"))
    faq = _name(custom.get(payloads.FAQ), "key", "id")
    if faq:
        facts.faq_keys = _added(list(facts.faq_keys or []), faq.removeprefix("faq/"))


def _parse_time(raw: Any) -> datetime:
    """The reported moment, or now when it is missing or malformed (verified is what counts)."""
    if isinstance(raw, str):
        try:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        except ValueError:
            log.warning("malformed verification time from the engine")
    return datetime.now(UTC)


def reports_facts(custom: dict[str, Any] | None) -> bool:
    """True when a custom payload carries something `record_custom` keeps."""
    return custom is not None and any(key in custom for key in payloads.FACT_KEYS)


def verification_view(
    facts: ConversationFacts | None, now: datetime | None = None, ttl_s: int | None = None
) -> dict[str, Any]:
    """Verified or not, when (ISO, UTC), and whether it has expired.

    The action server refuses account details once a verification is older
    than `VERIFIED_TTL_S` and verifies the customer again; `expired` tells the
    agent (a customer back after a callback or a message) the same.
    """
    if facts is None or facts.verified_at is None:
        return {"verified": False, "at": None, "expired": False, "expires_at": None}
    at = as_utc(facts.verified_at)
    expires = at + timedelta(seconds=ttl_s) if ttl_s is not None else None
    return {
        "verified": True,
        "at": _iso(at),
        "expired": bool(expires is not None and now is not None and now >= expires),
        "expires_at": _iso(expires) if expires is not None else None,
    }


async def transcript(
    session: AsyncSession, conversation_id: str, until: datetime | None = None
) -> list[Message]:
    """The conversation's messages, oldest first (only those up to `until` when given)."""
    query = select(Message).where(Message.conversation_id == conversation_id)
    if until is not None:
        query = query.where(Message.created_at <= until)
    return list(await session.scalars(query.order_by(Message.seq)))


def transcript_view(messages: list[Message]) -> list[dict[str, Any]]:
    """Messages for staff eyes: stored masked already, masked again in case a rule changed."""
    views = []
    for message in messages:
        view = message_view(message)
        view["text"] = redact(view["text"])
        views.append(view)
    return views


def _excerpt(text: str) -> str:
    text = redact(" ".join(text.split()))
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def _failure_kind(text: str) -> str | None:
    lowered = text.lower()
    for kind, markers in _FAILURE_MARKERS.items():
        if any(marker.lower() in lowered for marker in markers):
            return kind
    return None


def summarise(messages: list[Message], facts: ConversationFacts | None) -> dict[str, Any]:
    """A short digest: what was asked, what the bot answered, where it failed."""
    asked: list[str] = []
    answered: list[str] = []
    failures: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for message in messages:
        if message.sender == Sender.customer:
            if message.text.startswith("/"):
                continue  # a button payload, not a question
            asked.append(_excerpt(message.text))
            key = "".join(message.text.lower().split())
            if key in seen:
                failures.append({"seq": message.seq, "kind": "repeated_question"})
            seen[key] = message.seq
        elif message.sender == Sender.bot:
            answered.append(_excerpt(message.text))
            kind = _failure_kind(message.text)
            if kind:
                failures.append({"seq": message.seq, "kind": kind})
    return {
        "intents": list(facts.intents) if facts else [],
        "faq_keys": list(facts.faq_keys) if facts else [],
        "customer_messages": len(asked),
        "customer_asked": asked[-3:],
        "bot_answered": answered[-3:],
        "failed_attempts": len(failures),
        "failures": failures[-10:],
    }


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
