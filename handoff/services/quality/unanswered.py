"""The content team's Unanswered page: what the assistant failed to understand, grouped.

Open messages are the masked texts of missed turns (a clarification, a
fallback, an out-of-scope reply, a low-confidence handoff) and of handoffs an
agent marked as a false alarm. They are grouped by similarity
(:mod:`handoff.services.quality.similarity`); each group shows its count, a
few examples, the nearest approved FAQ and when it was first and last seen.

An editor takes a group up by proposing a new FAQ with its messages as
examples, or an edit that adds them to an existing FAQ: the usual four-eyes
change. Its messages then leave the list while that change is pending or
approved (a rejected or withdrawn change brings them back). A group can also
be dismissed (not a question for the assistant).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from common.plural import noun_for
from handoff.core.errors import InvalidInput
from handoff.models import ChangeStatus, ContentChange, Outcome, TurnOutcome
from handoff.models.quality import MISSED
from handoff.services.clock import as_utc
from handoff.services.content.store import approved_set
from handoff.services.quality.similarity import Space, cosine, group, unit

MAX_MESSAGES = 3000
"""The newest open messages that are grouped (older ones wait their turn)."""
EXAMPLES = 5
MAX_IDS = 2000

_TAKEN = (ChangeStatus.pending, ChangeStatus.approved)


def _iso(moment: datetime) -> str:
    return as_utc(moment).isoformat().replace("+00:00", "Z")


async def open_messages(session: AsyncSession, language: str | None = None) -> list[TurnOutcome]:
    """Missed messages no change has taken up and nobody dismissed, newest first."""
    taken = select(ContentChange.id).where(ContentChange.status.in_(_TAKEN))
    query = (
        select(TurnOutcome)
        .where(
            TurnOutcome.outcome.in_([o.value for o in MISSED]),
            TurnOutcome.text.is_not(None),
            or_(
                TurnOutcome.handled.is_(False),
                and_(
                    TurnOutcome.handled_change_id.is_not(None),
                    TurnOutcome.handled_change_id.not_in(taken),
                ),
            ),
        )
        .order_by(TurnOutcome.created_at.desc(), TurnOutcome.id.desc())
        .limit(MAX_MESSAGES)
    )
    if language:
        query = query.where(TurnOutcome.language == language)
    return list(await session.scalars(query))


def _faq_texts(content: dict[str, Any]) -> list[str]:
    texts = [str(v) for v in (content.get("question") or {}).values() if v]
    for examples in (content.get("examples") or {}).values():
        texts.extend(str(e) for e in examples or [])
    return texts


async def clusters(session: AsyncSession, language: str | None = None) -> list[dict[str, Any]]:
    """The open messages in groups, biggest first, each with its nearest FAQ."""
    rows = list(reversed(await open_messages(session, language)))  # oldest first: stable groups
    if not rows:
        return []
    faqs = await approved_set(session)
    faq_texts = {key: _faq_texts(content) for key, content in faqs.items()}
    space = Space.fit([r.text or "" for r in rows] + [t for ts in faq_texts.values() for t in ts])
    vectors = [space.vector(r.text or "") for r in rows]
    faq_vectors: dict[str, dict[str, float]] = {}
    for key, texts in faq_texts.items():
        total: dict[str, float] = {}
        for text in texts:
            for g, w in space.vector(text).items():
                total[g] = total.get(g, 0.0) + w
        faq_vectors[key] = unit(total)
    out: list[dict[str, Any]] = []
    for found in group(vectors):
        members = [rows[i] for i in found.members]
        centroid = found.centroid()
        nearest = max(
            ((key, cosine(centroid, vector)) for key, vector in faq_vectors.items()),
            key=lambda pair: pair[1],
            default=None,
        )
        examples: list[str] = []
        for row in reversed(members):  # newest first
            if row.text and row.text not in examples:
                examples.append(row.text)
        languages = Counter(r.language or "zh" for r in members)
        by_language: dict[str, list[str]] = {"zh": [], "en": []}
        for row in members:
            lang = row.language if row.language in by_language else "zh"
            if row.text and row.text not in by_language[lang]:
                by_language[lang].append(row.text)
        content = faqs.get(nearest[0]) if nearest else None
        out.append(
            {
                "id": min(r.id for r in members),
                "count": len(members),
                "ids": sorted(r.id for r in members),
                "examples": examples[:EXAMPLES],
                "messages": by_language,
                "language": languages.most_common(1)[0][0],
                "outcomes": dict(Counter(r.outcome for r in members)),
                "false_alarms": sum(1 for r in members if r.outcome == Outcome.false_alarm),
                "first_seen": _iso(min(r.created_at for r in members)),
                "last_seen": _iso(max(r.created_at for r in members)),
                "nearest_faq": None
                if nearest is None or content is None
                else {
                    "id": nearest[0],
                    "score": round(nearest[1], 3),
                    "question": (content.get("question") or {}),
                },
            }
        )
    out.sort(key=lambda c: str(c["last_seen"]), reverse=True)
    out.sort(key=lambda c: len(c["ids"]), reverse=True)  # stable: biggest, then newest
    return out


def _checked(ids: list[int]) -> list[int]:
    if not ids:
        raise InvalidInput("Name at least one message.", code="no_messages")
    if len(ids) > MAX_IDS:
        raise InvalidInput(f"At most {MAX_IDS} messages at once.", code="too_many_messages")
    return sorted(set(ids))


async def _unknown(session: AsyncSession, ids: list[int]) -> list[int]:
    found = set(
        await session.scalars(
            select(TurnOutcome.id).where(
                TurnOutcome.id.in_(ids), TurnOutcome.outcome.in_([o.value for o in MISSED])
            )
        )
    )
    return [i for i in ids if i not in found]


async def _mark_handled(session: AsyncSession, ids: list[int], change_id: int | None) -> int:
    """Mark missed messages handled (by a change, or dismissed); 422 if any id is not one."""
    ids = _checked(ids)
    missing = await _unknown(session, ids)
    if missing:
        raise InvalidInput(
            f"Unknown unanswered {noun_for(len(missing), 'message')}: "
            f"{', '.join(map(str, missing[:10]))}.",
            code="unknown_messages",
        )
    result = await session.execute(
        update(TurnOutcome)
        .where(TurnOutcome.id.in_(ids))
        .values(handled=True, handled_change_id=change_id)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def take_up(session: AsyncSession, ids: list[int], change_id: int) -> int:
    """Mark messages as taken up by a content change; 422 if any id is not a missed message."""
    return await _mark_handled(session, ids, change_id)


async def dismiss(session: AsyncSession, ids: list[int]) -> int:
    """Take messages off the list for good (not a question for the assistant)."""
    return await _mark_handled(session, ids, None)
