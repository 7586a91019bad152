"""Response bodies of the quality figures (`GET /api/agent/metrics`)."""

from __future__ import annotations

from pydantic import BaseModel


class TopQuestion(BaseModel):
    """A FAQ and in how many of the period's conversations it was answered."""

    faq_key: str
    count: int
    share: float | None


class Metrics(BaseModel):
    """The figures of rule 21 for the conversations started in the period."""

    since: str
    until: str
    language: str | None
    conversations: int
    contained: int
    containment: float | None
    handoffs: dict[str, int]
    handoff_rate: float | None
    fcr: float | None
    fcr_conversations: int
    aht_seconds_p50: float | None
    aht_seconds_p90: float | None
    first_reply_seconds_p50: float | None
    queue_wait_seconds_p50: float | None
    queue_wait_seconds_p90: float | None
    sla_breaches: int
    csat_bot: float | None
    csat_bot_count: int
    csat_agent: float | None
    csat_agent_count: int
    top_questions: list[TopQuestion]
    alerts: list[str]
    bot_turns: int
    fallback_rate: float | None
    out_of_scope_rate: float | None
    faq_answers: int
    disputes: dict[str, int]
