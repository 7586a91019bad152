"""Synthetic conversation histories for the quality figures: one with known figures, one large.

`known_history()` is a small hand-made history whose figures are worked out
in advance (tests/handoff/test_quality_metrics.py checks every one);
`random_history(n)` makes ``n`` conversations with handoffs, ratings and
answered questions for the benchmark (`python -m bankbot.bench_quality`).
Both are written straight into a migrated gateway database with bulk inserts.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert

from common.handoffs import HandoffReason, default_priority
from handoff.models import (
    Conversation,
    CsatRating,
    Handoff,
    HandoffDispute,
    Message,
    TurnOutcome,
)

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PERIOD = (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 8, tzinfo=UTC))
"""The period `known_history` is built around: [since, until)."""


@dataclass
class Chat:
    """One synthetic conversation: who, when, how the bot did, the handoff and the rating."""

    start: datetime
    language: str
    browser: str | None = None
    customer: str | None = None
    turns: list[tuple[str, str | None]] = field(default_factory=list)  # (outcome, faq_key)
    handoff: HandoffReason | None = None
    wait_s: float | None = None  # queue to claim; None: left the queue after `left_s`
    left_s: float | None = None
    first_reply_s: float | None = None
    handle_s: float | None = None
    csat: str | None = None
    dispute: str | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex)


def known_history() -> list[Chat]:
    """The test history (see tests/handoff/test_quality_metrics.py for its figures)."""
    day, hour = timedelta(days=1), timedelta(hours=1)
    return [
        Chat(T0, "zh", "B1", turns=[("answered", "opening_hours")], csat="very_satisfied"),
        Chat(T0 + 2 * day, "zh", "B1", turns=[("answered", "opening_hours")]),
        Chat(
            T0 + hour, "en", "B2", "R1", turns=[("answered", "transfer_fees")],
            handoff=HandoffReason.emotion, wait_s=120, first_reply_s=30, handle_s=300,
            csat="dissatisfied", dispute="not_upset",
        ),
        Chat(
            T0 + 3 * day, "en", "B3", "R1", handoff=HandoffReason.emotion,
            wait_s=900, first_reply_s=60, handle_s=600, csat="neutral",
        ),
        Chat(
            T0 + 2 * day, "zh", "B4",
            turns=[("clarification", None), ("fallback", None), ("low_confidence", None)],
            handoff=HandoffReason.low_confidence, left_s=700,
        ),
        Chat(
            T0 + 4 * day, "zh", None,
            turns=[("answered", "opening_hours"), ("out_of_scope", None)], csat="very_satisfied",
        ),
        # Before the period: not counted.
        Chat(T0 - 10 * day, "zh", "B5", turns=[("answered", "opening_hours")]),
        # After the period: not counted, but it makes the chat of browser B4 a repeat.
        Chat(
            datetime(2026, 11, 8, 10, 0, tzinfo=UTC), "zh", "B4",
            handoff=HandoffReason.low_confidence, wait_s=5, first_reply_s=5, handle_s=50,
        ),
        # Browser B1 again, 6 days after its second chat, about another need: no repeat.
        Chat(T0 + 8 * day, "en", "B1", "R2", turns=[("answered", "transfer_fees")]),
        # One browser, two different verified customers: not the same customer.
        Chat(T0 + 4 * day, "en", "B7", "R3", turns=[("answered", "card_fee")]),
        Chat(T0 + 5 * day, "en", "B7", "R4", turns=[("answered", "card_fee")]),
    ]  # fmt: skip


FAQS = [f"faq_{i:02d}" for i in range(30)]
REASONS = list(HandoffReason)
MISSES = ["clarification", "fallback", "out_of_scope"]
SCORES = ["very_satisfied", "neutral", "dissatisfied"]


def random_history(count: int, *, seed: int = 16, days: int = 90) -> list[Chat]:
    """``count`` conversations over ``days`` days before `PERIOD`'s end, a fixed seed."""
    rng = random.Random(seed)
    end = PERIOD[1]
    browsers = [f"b{i}" for i in range(count // 3 + 1)]
    customers = [f"c{i}" for i in range(count // 6 + 1)]
    chats = []
    for _ in range(count):
        start = end - timedelta(seconds=rng.uniform(0, days * 86400))
        turns: list[tuple[str, str | None]] = []
        for _ in range(rng.randint(1, 4)):
            if rng.random() < 0.8:
                turns.append(("answered", FAQS[min(int(rng.expovariate(0.25)), len(FAQS) - 1)]))
            else:
                turns.append((rng.choice(MISSES), None))
        chat = Chat(
            start,
            rng.choice(["zh", "zh", "en"]),
            rng.choice(browsers) if rng.random() < 0.9 else None,
            rng.choice(customers) if rng.random() < 0.4 else None,
            turns=turns,
            csat=rng.choice(SCORES) if rng.random() < 0.3 else None,
        )
        if rng.random() < 0.25:
            chat.handoff = rng.choice(REASONS)
            if rng.random() < 0.9:
                chat.wait_s = rng.expovariate(1 / 240)
                chat.first_reply_s = rng.expovariate(1 / 40)
                chat.handle_s = rng.expovariate(1 / 280)
            else:
                chat.left_s = rng.expovariate(1 / 300)
        chats.append(chat)
    return chats


def _rows(chats: list[Chat]) -> dict[Any, list[dict[str, Any]]]:
    rows: dict[Any, list[dict[str, Any]]] = {
        Conversation: [], Message: [], TurnOutcome: [], Handoff: [], CsatRating: [],
        HandoffDispute: [],
    }  # fmt: skip
    handoff_id = 0
    for chat in chats:
        seconds = timedelta(seconds=1)
        seq = 0
        rows[Conversation].append(
            {
                "id": chat.id, "token_hash": "0" * 64, "channel": "web",
                "language": chat.language, "state": "closed", "last_seq": 0,
                "created_at": chat.start, "updated_at": chat.start, "closed_at": None,
                "browser_hash": chat.browser, "customer_ref": chat.customer,
            }
        )  # fmt: skip
        for n, (outcome, faq) in enumerate(chat.turns):
            seq += 2
            rows[TurnOutcome].append(
                {
                    "conversation_id": chat.id, "seq": seq - 1, "language": chat.language,
                    "started_at": chat.start, "customer_key": chat.customer or chat.browser,
                    "outcome": outcome, "faq_key": faq, "handled": False,
                    "text": None if outcome == "answered" else f"unanswered {n} {chat.id[:6]}",
                    "handled_change_id": None, "created_at": chat.start + n * seconds,
                }
            )  # fmt: skip
        if chat.handoff is not None:
            handoff_id += 1
            created = chat.start + 30 * seconds
            claimed = None if chat.wait_s is None else created + chat.wait_s * seconds
            closed = None
            if claimed is not None and chat.handle_s is not None:
                closed = claimed + chat.handle_s * seconds
            elif chat.left_s is not None:
                closed = created + chat.left_s * seconds
            priority = default_priority(chat.handoff)
            rows[Handoff].append(
                {
                    "id": handoff_id, "conversation_id": chat.id, "reason": chat.handoff.name,
                    "priority": priority.name, "priority_rank": priority.rank,
                    "status": "closed" if claimed else "cancelled", "language": chat.language,
                    "created_at": created, "claimed_at": claimed, "closed_at": closed,
                    "resolution": "done", "evidence": None,
                }
            )  # fmt: skip
            if claimed is not None and chat.first_reply_s is not None:
                seq += 1
                rows[Message].append(
                    {
                        "conversation_id": chat.id, "seq": seq, "sender": "agent",
                        "text": "您好", "buttons": None, "agent_name": "agent1",
                        "created_at": claimed + chat.first_reply_s * seconds,
                    }
                )  # fmt: skip
            if chat.dispute:
                rows[HandoffDispute].append(
                    {
                        "handoff_id": handoff_id, "label": chat.dispute, "agent_id": None,
                        "agent_name": "agent1", "language": chat.language, "detector": "upset",
                        "score": 0.7, "messages": ["synthetic"], "created_at": created,
                    }
                )  # fmt: skip
        if chat.csat:
            rows[CsatRating].append(
                {
                    "conversation_id": chat.id, "score": chat.csat, "comment": None,
                    "created_at": chat.start + 3600 * seconds,
                }
            )
    return rows


def insert_history(engine: Engine, chats: list[Chat], *, batch: int = 5000) -> None:
    """Write the chats into a migrated gateway database (handoff ids start after existing)."""
    rows = _rows(chats)
    with engine.begin() as conn:
        for table in (Conversation, Handoff, Message, TurnOutcome, CsatRating, HandoffDispute):
            items = rows[table]
            for start in range(0, len(items), batch):
                conn.execute(insert(table), items[start : start + batch])
