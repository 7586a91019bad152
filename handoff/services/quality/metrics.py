"""The supervisors' service-quality figures (rule 21), computed in SQL on SQLite and PostgreSQL.

A conversation counts in the period in which it started; everything about it
(its handoffs, ratings, answered questions) counts with it. Definitions:

* **containment**: conversations with no handoff, over all conversations;
* **handoff rate**: conversations with at least one handoff, over all;
* **FCR**: of the conversations whose customer is known (the verified
  customer where known, otherwise the widget's browser) and that had a need
  (an answered FAQ, or a handoff reason), the share with no later
  conversation of the same customer, started within 7 days, about a same need;
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

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
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
    union,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

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
    ranked = (
        select(
            v.label("v"),
            func.row_number().over(order_by=v).label("rn"),
            func.count().over().label("n"),
        )
        .where(v.is_not(None))
        .subquery()
    )
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
    """Conversations in the period, and how many of them had no handoff."""
    total = select(func.count()).select_from(Conversation).where(period.covers())
    handed = (
        select(func.count(func.distinct(Handoff.conversation_id)))
        .join(Conversation, Conversation.id == Handoff.conversation_id)
        .where(period.covers())
    )
    row = (await session.execute(select(total.scalar_subquery(), handed.scalar_subquery()))).one()
    return int(row[0]), int(row[0]) - int(row[1])


async def _handoffs_by_reason(session: AsyncSession, period: Period) -> dict[str, int]:
    rows = await session.execute(
        select(Handoff.reason, func.count())
        .join(Conversation, Conversation.id == Handoff.conversation_id)
        .where(period.covers())
        .group_by(Handoff.reason)
    )
    return {str(reason.value if hasattr(reason, "value") else reason): n for reason, n in rows}


def _came_back(
    cid: Any, who: Any, need: Any, started: Any, where: list[ColumnElement[bool]]
) -> Select[Any]:
    """Conversations one of whose (customer, need) rows is followed within 7 days.

    ``LEAD()`` over the rows of each (customer, need), oldest first: a row whose
    next row belongs to another conversation started within the window marks
    its conversation. The next row of the same conversation (a need met twice
    in one chat) is not a return.
    """
    rows = (
        select(
            cid.label("cid"),
            started.label("started"),
            func.lead(started).over(partition_by=(who, need), order_by=started).label("next"),
            func.lead(cid).over(partition_by=(who, need), order_by=started).label("next_cid"),
        )
        .where(*where)
        .subquery()
    )
    return select(rows.c.cid).where(
        rows.c.next.is_not(None),
        rows.c.next_cid != rows.c.cid,
        epoch(rows.c.next) - epoch(rows.c.started) <= FCR_WINDOW_S,
    )


async def _fcr(session: AsyncSession, period: Period) -> tuple[float | None, int]:
    """First-contact resolution over the conversations with a known customer and a need.

    The customer is the verified customer where known, otherwise the browser;
    a need is an FAQ answered or a handoff's reason. Returns within 7 days
    are found by window functions (an index delivers the FAQ rows already in
    order, so nothing is sorted), later conversations counting up to 7 days
    past the period's end.
    """
    horizon = Period(period.since, period.until + timedelta(seconds=FCR_WINDOW_S))
    faq_returns = _came_back(
        TurnOutcome.conversation_id,
        TurnOutcome.customer_key,
        TurnOutcome.faq_key,
        TurnOutcome.started_at,
        [
            TurnOutcome.outcome == Outcome.answered.value,
            TurnOutcome.customer_key.is_not(None),
            TurnOutcome.faq_key.is_not(None),
            TurnOutcome.started_at >= horizon.since,
            TurnOutcome.started_at < horizon.until,
        ],
    )
    who = func.coalesce(Conversation.customer_ref, Conversation.browser_hash)
    handoff_rows = (
        select(
            Handoff.conversation_id.label("cid"),
            who.label("who"),
            Handoff.reason.label("need"),
            Conversation.created_at.label("started"),
        )
        .join(Conversation, Conversation.id == Handoff.conversation_id)
        .where(horizon.covers(), who.is_not(None))
        .subquery()
    )
    handoff_returns = _came_back(
        handoff_rows.c.cid, handoff_rows.c.who, handoff_rows.c.need, handoff_rows.c.started, []
    )
    returned = union(faq_returns, handoff_returns).subquery()
    has_need = or_(
        exists().where(
            TurnOutcome.conversation_id == Conversation.id,
            TurnOutcome.outcome == Outcome.answered.value,
            TurnOutcome.faq_key.is_not(None),
        ),
        exists().where(Handoff.conversation_id == Conversation.id),
    )
    came_back = Conversation.id.in_(select(returned.c.cid))
    row = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(case((came_back, 1), else_=0)), 0))
            .select_from(Conversation)
            .where(period.covers(), who.is_not(None), has_need)
        )
    ).one()
    eligible, repeated = int(row[0]), int(row[1])
    return _ratio(eligible - repeated, eligible), eligible


def _handoffs_in(period: Period) -> Select[Any]:
    """Handoffs of the conversations started in the period (no columns yet)."""
    return (
        select()
        .select_from(Handoff)
        .join(Conversation, Conversation.id == Handoff.conversation_id)
        .where(period.covers())
    )


async def _aht(session: AsyncSession, period: Period, now: datetime) -> dict[str, Any]:
    """Handling time: claim to close."""
    aht = (
        _handoffs_in(period)
        .add_columns(epoch(Handoff.closed_at) - epoch(Handoff.claimed_at))
        .where(Handoff.claimed_at.is_not(None), Handoff.closed_at.is_not(None))
    )
    p50, p90, _ = await _percentiles(session, aht)
    return {"aht_seconds_p50": p50, "aht_seconds_p90": p90}


async def _first_reply(session: AsyncSession, period: Period, now: datetime) -> dict[str, Any]:
    """Claim to the agent's first message."""
    first_message = (
        select(func.min(epoch(Message.created_at)))
        .where(
            Message.conversation_id == Handoff.conversation_id,
            Message.sender == Sender.agent,
            Message.created_at >= Handoff.claimed_at,
        )
        .scalar_subquery()
    )
    replies = (
        _handoffs_in(period)
        .add_columns(first_message - epoch(Handoff.claimed_at))
        .where(Handoff.claimed_at.is_not(None))
    )
    p50, _, _ = await _percentiles(session, replies)
    return {"first_reply_seconds_p50": p50}


async def _waits(session: AsyncSession, period: Period, now: datetime) -> dict[str, Any]:
    """Queue wait: to the claim, to leaving the queue, or until now while waiting."""
    ended = func.coalesce(
        Handoff.claimed_at, Handoff.closed_at, literal(now, DateTime(timezone=True))
    )
    waits = _handoffs_in(period).add_columns(epoch(ended) - epoch(Handoff.created_at))
    p50, p90, breaches = await _percentiles(session, waits, over=SLA_WAIT_S)
    return {
        "queue_wait_seconds_p50": p50,
        "queue_wait_seconds_p90": p90,
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


def _turns_in(period: Period) -> ColumnElement[bool]:
    """Turns of conversations started in the period (each turn row carries its start)."""
    condition = and_(TurnOutcome.started_at >= period.since, TurnOutcome.started_at < period.until)
    if period.language:
        condition = and_(condition, TurnOutcome.language == period.language)
    return condition


async def _top_questions(session: AsyncSession, period: Period) -> list[dict[str, Any]]:
    asked = func.count(func.distinct(TurnOutcome.conversation_id))
    rows = await session.execute(
        select(TurnOutcome.faq_key, asked)
        .where(
            _turns_in(period),
            TurnOutcome.outcome == Outcome.answered.value,
            TurnOutcome.faq_key.is_not(None),
        )
        .group_by(TurnOutcome.faq_key)
        .order_by(asked.desc(), TurnOutcome.faq_key)
        .limit(TOP_N)
    )
    return [{"faq_key": key, "count": int(n)} for key, n in rows]


async def _turns(session: AsyncSession, period: Period) -> dict[str, Any]:
    def counted(outcomes: tuple[str, ...]) -> Any:
        return func.coalesce(func.sum(case((TurnOutcome.outcome.in_(outcomes), 1), else_=0)), 0)

    row = (
        await session.execute(
            select(
                func.count(),
                counted(NOT_UNDERSTOOD),
                counted((Outcome.out_of_scope.value,)),
                counted((Outcome.answered.value,)),
            ).where(_turns_in(period), TurnOutcome.outcome != Outcome.false_alarm.value)
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


PARALLEL = 4
"""Queries run at once, each on its own connection (both databases serve
concurrent readers; SQLite releases the interpreter while it works)."""


async def quality_figures(
    sessions: async_sessionmaker[AsyncSession], period: Period, now: datetime
) -> dict[str, Any]:
    """Every figure of the Quality page and `GET /api/agent/metrics`.

    The independent queries run side by side on separate connections.
    """
    gate = asyncio.Semaphore(PARALLEL)

    async def run(query: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        async with gate, sessions() as session:
            return await query(session, period, *args)

    (
        (conversations, contained), handoffs, (fcr, fcr_base), aht, first_reply, waits, csat,
        top, turns, disputes,
    ) = await asyncio.gather(
        run(_volume), run(_handoffs_by_reason), run(_fcr), run(_aht, now),
        run(_first_reply, now), run(_waits, now), run(_csat), run(_top_questions),
        run(_turns), run(_disputes),
    )  # fmt: skip
    for item in top:
        item["share"] = _ratio(item["count"], conversations)
    return {
        "since": period.since.isoformat().replace("+00:00", "Z"),
        "until": period.until.isoformat().replace("+00:00", "Z"),
        "language": period.language,
        "conversations": conversations,
        "contained": contained,
        "containment": _ratio(contained, conversations),
        "handoffs": handoffs,
        "handoff_rate": _ratio(conversations - contained, conversations),
        "fcr": fcr,
        "fcr_conversations": fcr_base,
        **aht,
        **first_reply,
        **waits,
        **csat,
        "top_questions": top,
        "alerts": alerts_for(top),
        **turns,
        "disputes": disputes,
    }
