"""The supervisors' service-quality figures (rule 21), computed in SQL on SQLite and PostgreSQL.

A conversation counts in the period in which it started; everything about it
(its handoffs, ratings, answered questions) counts with it. Definitions:

* **containment**: conversations with no handoff, over all conversations;
* **handoff rate**: conversations with at least one handoff, over all;
* **FCR**: of the conversations whose customer is known (verified customer,
  else the widget's browser) and that had a need (an answered FAQ, or a
  handoff reason), the share with no later conversation of the same customer,
  started within 7 days, about a same need;
* **AHT**: claim to close; **first reply**: claim to the agent's first message;
* **queue wait**: entering the queue to the claim (or to leaving the queue,
  or now while still waiting); an SLA breach is a wait over 10 minutes;
* **CSAT**: mean score, very satisfied 3, neutral 2, dissatisfied 1; "agent"
  when an agent served the conversation, else "bot";
* **top questions**: FAQs answered, counted once per conversation; an alert
  when one is asked in more than 20% of the conversations;
* **fallback rate**: customer messages the bot did not understand (a
  clarification, a "please rephrase", the low-confidence handoff after two
  misses), over all customer messages the bot handled.

Percentiles are nearest-rank (the smallest value with at least p% of the
values at or below it), with window functions both databases have.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Select,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from handoff.models import (
    Conversation,
    CsatRating,
    CsatScore,
    Handoff,
    HandoffDispute,
    Message,
    Outcome,
    Sender,
    TurnOutcome,
)
from handoff.services.quality.sqltime import epoch

FCR_WINDOW_S = 7 * 24 * 3600
SLA_WAIT_S = 600
TOP_N = 5
ALERT_SHARE = 0.20
NOT_UNDERSTOOD = (Outcome.clarification.value, Outcome.fallback.value, Outcome.low_confidence.value)
CSAT_POINTS = {CsatScore.very_satisfied: 3, CsatScore.neutral: 2, CsatScore.dissatisfied: 1}


@dataclass(frozen=True)
class Period:
    """Conversations started in ``[since, until)``, optionally in one language."""

    since: datetime
    until: datetime
    language: str | None = None

    def covers(self, conversation: Any = Conversation) -> ColumnElement[bool]:
        """The SQL condition for a conversation table (or alias) to count in the period."""
        condition = and_(
            conversation.created_at >= self.since, conversation.created_at < self.until
        )
        if self.language:
            condition = and_(condition, conversation.language == self.language)
        return condition


def _ratio(part: int | None, whole: int | None) -> float | None:
    return round((part or 0) / whole, 4) if whole else None


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)


async def _percentiles(
    session: AsyncSession, values: Select[Any], *, over: float | None = None
) -> tuple[float | None, float | None, int]:
    """p50, p90 of a one-column select (nearest rank) and how many values exceed ``over``."""
    inner = values.subquery()
    v = inner.c[0]
    ranked = select(
        v.label("v"),
        func.row_number().over(order_by=v).label("rn"),
        func.count().over().label("n"),
    ).where(v.is_not(None)).subquery()
    row = (
        await session.execute(
            select(
                func.min(case((ranked.c.rn * 100 >= ranked.c.n * 50, ranked.c.v))),
                func.min(case((ranked.c.rn * 100 >= ranked.c.n * 90, ranked.c.v))),
                func.coalesce(
                    func.sum(case((ranked.c.v > (over if over is not None else 1e18), 1), else_=0)),
                    0,
                ),
            )
        )
    ).one()
    return _seconds(row[0]), _seconds(row[1]), int(row[2] or 0)


def _served_by_agent(conversation: Any = Conversation) -> ColumnElement[bool]:
    return exists().where(
        Handoff.conversation_id == conversation.id, Handoff.claimed_at.is_not(None)
    )


async def _volume(session: AsyncSession, period: Period) -> tuple[int, int]:
    has_handoff = exists().where(Handoff.conversation_id == Conversation.id)
    row = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(case((has_handoff, 0), else_=1)), 0))
            .select_from(Conversation)
            .where(period.covers())
        )
    ).one()
    return int(row[0]), int(row[1])


async def _handoffs_by_reason(session: AsyncSession, period: Period) -> dict[str, int]:
    rows = await session.execute(
        select(Handoff.reason, func.count())
        .join(Conversation, Conversation.id == Handoff.conversation_id)
        .where(period.covers())
        .group_by(Handoff.reason)
    )
    return {str(reason.value if hasattr(reason, "value") else reason): n for reason, n in rows}


def _shares_need(a: Any, b: Any) -> ColumnElement[bool]:
    """Conversations ``a`` and ``b`` were about a same need (an FAQ, or a handoff reason)."""
    ta, tb = aliased(TurnOutcome), aliased(TurnOutcome)
    ha, hb = aliased(Handoff), aliased(Handoff)
    same_faq = exists(
        select(1)
        .select_from(ta)
        .join(tb, tb.faq_key == ta.faq_key)
        .where(
            ta.conversation_id == a.id,
            tb.conversation_id == b.id,
            ta.outcome == Outcome.answered.value,
            tb.outcome == Outcome.answered.value,
        )
        .correlate_except(ta, tb)
    )
    same_reason = exists(
        select(1)
        .select_from(ha)
        .join(hb, hb.reason == ha.reason)
        .where(ha.conversation_id == a.id, hb.conversation_id == b.id)
        .correlate_except(ha, hb)
    )
    return or_(same_faq, same_reason)


async def _fcr(session: AsyncSession, period: Period) -> tuple[float | None, int]:
    a = aliased(Conversation)
    has_need = or_(
        exists().where(
            TurnOutcome.conversation_id == a.id,
            TurnOutcome.outcome == Outcome.answered.value,
            TurnOutcome.faq_key.is_not(None),
        ),
        exists().where(Handoff.conversation_id == a.id),
    )

    def came_back(by_browser: bool) -> ColumnElement[bool]:
        b = aliased(Conversation)
        return exists(
            select(1)
            .select_from(b)
            .where(
                _same_customer(a, b, by_browser=by_browser),
                b.id != a.id,
                b.created_at > a.created_at,
                epoch(b.created_at) - epoch(a.created_at) <= FCR_WINDOW_S,
                _shares_need(a, b),
            )
            .correlate_except(b)
        )

    repeat = or_(came_back(False), came_back(True))
    row = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(case((repeat, 1), else_=0)), 0))
            .select_from(a)
            .where(
                period.covers(a),
                or_(a.customer_ref.is_not(None), a.browser_hash.is_not(None)),
                has_need,
            )
        )
    ).one()
    eligible, repeated = int(row[0]), int(row[1])
    return _ratio(eligible - repeated, eligible), eligible


def _same_customer(a: Any, b: Any, *, by_browser: bool) -> ColumnElement[bool]:
    """The same verified customer, or (when either was not verified) the same browser.

    Two conditions, each served by its own index, rather than one OR.
    """
    if not by_browser:
        return and_(a.customer_ref.is_not(None), b.customer_ref == a.customer_ref)
    return and_(
        a.browser_hash.is_not(None),
        b.browser_hash == a.browser_hash,
        or_(a.customer_ref.is_(None), b.customer_ref.is_(None)),
    )


async def _handling(
    session: AsyncSession, period: Period, now: datetime
) -> dict[str, Any]:
    joined = select().select_from(Handoff).join(
        Conversation, Conversation.id == Handoff.conversation_id
    ).where(period.covers())
    aht = joined.add_columns(epoch(Handoff.closed_at) - epoch(Handoff.claimed_at)).where(
        Handoff.claimed_at.is_not(None), Handoff.closed_at.is_not(None)
    )
    first_message = (
        select(func.min(epoch(Message.created_at)))
        .where(
            Message.conversation_id == Handoff.conversation_id,
            Message.sender == Sender.agent,
            Message.created_at >= Handoff.claimed_at,
        )
        .scalar_subquery()
    )
    first_reply = joined.add_columns(first_message - epoch(Handoff.claimed_at)).where(
        Handoff.claimed_at.is_not(None)
    )
    ended = func.coalesce(
        Handoff.claimed_at, Handoff.closed_at, literal(now, DateTime(timezone=True))
    )
    waits = joined.add_columns(epoch(ended) - epoch(Handoff.created_at))
    aht_p50, aht_p90, _ = await _percentiles(session, aht)
    reply_p50, _, _ = await _percentiles(session, first_reply)
    wait_p50, wait_p90, breaches = await _percentiles(session, waits, over=SLA_WAIT_S)
    return {
        "aht_seconds_p50": aht_p50,
        "aht_seconds_p90": aht_p90,
        "first_reply_seconds_p50": reply_p50,
        "queue_wait_seconds_p50": wait_p50,
        "queue_wait_seconds_p90": wait_p90,
        "sla_breaches": breaches,
    }


async def _csat(session: AsyncSession, period: Period) -> dict[str, Any]:
    points = case(
        *((CsatRating.score == score, value) for score, value in CSAT_POINTS.items()),
        else_=None,
    )
    side = case((_served_by_agent(), "agent"), else_="bot")
    rows = await session.execute(
        select(side, func.avg(points), func.count())
        .select_from(CsatRating)
        .join(Conversation, Conversation.id == CsatRating.conversation_id)
        .where(period.covers())
        .group_by(side)
    )
    found = {str(name): (float(mean), int(n)) for name, mean, n in rows if mean is not None}
    out: dict[str, Any] = {}
    for name in ("bot", "agent"):
        mean, n = found.get(name, (None, 0))
        out[f"csat_{name}"] = None if mean is None else round(mean, 3)
        out[f"csat_{name}_count"] = n
    return out


async def _top_questions(
    session: AsyncSession, period: Period, conversations: int
) -> list[dict[str, Any]]:
    asked = func.count(func.distinct(TurnOutcome.conversation_id))
    rows = await session.execute(
        select(TurnOutcome.faq_key, asked)
        .join(Conversation, Conversation.id == TurnOutcome.conversation_id)
        .where(
            period.covers(),
            TurnOutcome.outcome == Outcome.answered.value,
            TurnOutcome.faq_key.is_not(None),
        )
        .group_by(TurnOutcome.faq_key)
        .order_by(asked.desc(), TurnOutcome.faq_key)
        .limit(TOP_N)
    )
    return [
        {"faq_key": key, "count": int(n), "share": _ratio(int(n), conversations)}
        for key, n in rows
    ]


async def _turns(session: AsyncSession, period: Period) -> dict[str, Any]:
    def counted(outcomes: tuple[str, ...]) -> Any:
        return func.coalesce(
            func.sum(case((TurnOutcome.outcome.in_(outcomes), 1), else_=0)), 0
        )

    row = (
        await session.execute(
            select(
                func.count(),
                counted(NOT_UNDERSTOOD),
                counted((Outcome.out_of_scope.value,)),
                counted((Outcome.answered.value,)),
            )
            .join(Conversation, Conversation.id == TurnOutcome.conversation_id)
            .where(period.covers(), TurnOutcome.outcome != Outcome.false_alarm.value)
        )
    ).one()
    turns, missed, out_of_scope, answered = (int(x or 0) for x in row)
    return {
        "bot_turns": turns,
        "fallback_rate": _ratio(missed, turns),
        "out_of_scope_rate": _ratio(out_of_scope, turns),
        "faq_answers": answered,
    }


async def _disputes(session: AsyncSession, period: Period) -> dict[str, int]:
    rows = await session.execute(
        select(HandoffDispute.label, func.count())
        .join(Handoff, Handoff.id == HandoffDispute.handoff_id)
        .join(Conversation, Conversation.id == Handoff.conversation_id)
        .where(period.covers())
        .group_by(HandoffDispute.label)
    )
    return {str(label): int(n) for label, n in rows}


def alerts_for(top: list[dict[str, Any]]) -> list[str]:
    """Rule 21: a question type above 20% of the traffic calls for a better guide."""
    return [
        f"{item['faq_key']} was asked in {item['share']:.0%} of conversations "
        f"(over {ALERT_SHARE:.0%}): consider a better guide"
        for item in top
        if item["share"] is not None and item["share"] > ALERT_SHARE
    ]


async def quality_figures(session: AsyncSession, period: Period, now: datetime) -> dict[str, Any]:
    """Every figure of the Quality page and `GET /api/agent/metrics`."""
    conversations, contained = await _volume(session, period)
    handoffs = await _handoffs_by_reason(session, period)
    fcr, fcr_base = await _fcr(session, period)
    top = await _top_questions(session, period, conversations)
    handed_over = conversations - contained
    return {
        "since": period.since.isoformat().replace("+00:00", "Z"),
        "until": period.until.isoformat().replace("+00:00", "Z"),
        "language": period.language,
        "conversations": conversations,
        "contained": contained,
        "containment": _ratio(contained, conversations),
        "handoffs": handoffs,
        "handoff_rate": _ratio(handed_over, conversations),
        "fcr": fcr,
        "fcr_conversations": fcr_base,
        **await _handling(session, period, now),
        **await _csat(session, period),
        "top_questions": top,
        "alerts": alerts_for(top),
        **await _turns(session, period),
        "disputes": await _disputes(session, period),
    }
