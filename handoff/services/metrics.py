"""The gateway's Prometheus metrics (`GET /metrics`, loopback clients only).

Per gateway (sum them across gateways): request latency by route, the engine's
and the action server's latency as this gateway sees them, handoffs by reason,
the wait of claimed chats, open WebSockets, the events listener's state.
Installation-wide, read from the database at scrape time (every gateway shows
the same value: take the max, not the sum): the queue's length and oldest
wait, trainings by outcome and model switches (deploys, rollbacks, restores).
Each gateway has its own registry, so several apps in one process never clash.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.models import ContentAudit, ContentJob, Handoff, HandoffStatus, JobKind
from handoff.services.clock import as_utc

# A turn must be answered within seconds (rule 1: 30 s at most; rule 17: 3 s when down).
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0)
WAIT_BUCKETS = (10, 30, 60, 120, 300, 600, 1200, 1800, 3600)
DEPLOY_ACTIONS = ("deploy", "rollback", "restore")


class _Snapshot(Collector):
    """Installation-wide figures, filled from the database just before each scrape."""

    def __init__(self) -> None:
        self.families: list[Metric] = []

    def collect(self) -> Iterable[Metric]:
        return list(self.families)


class Metrics:
    """One gateway's metrics and their registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.request_seconds = Histogram(
            "bankbot_http_request_duration_seconds", "Gateway request latency by route",
            ["method", "route", "status"], buckets=LATENCY_BUCKETS, registry=r,
        )  # fmt: skip
        self.engine_seconds = Histogram(
            "bankbot_engine_request_duration_seconds",
            "Latency of the engine's answer to one customer message (outcome ok or error)",
            ["outcome"], buckets=LATENCY_BUCKETS, registry=r,
        )  # fmt: skip
        self.actions_seconds = Histogram(
            "bankbot_action_server_probe_duration_seconds",
            "Latency of the action server's health probe (/health, and a turn the "
            "engine's fallback answered)",
            ["outcome"], buckets=LATENCY_BUCKETS, registry=r,
        )  # fmt: skip
        self.handoffs = Counter(
            "bankbot_handoffs", "Conversations handed to the queue, by reason and priority",
            ["reason", "priority"], registry=r,
        )  # fmt: skip
        self.queue_wait_seconds = Histogram(
            "bankbot_queue_wait_seconds", "How long a claimed chat waited in the queue",
            buckets=WAIT_BUCKETS, registry=r,
        )  # fmt: skip
        self.websockets = Gauge(
            "bankbot_websockets_open", "Open WebSockets on this gateway",
            ["kind"], registry=r,
        )  # fmt: skip
        self.events_up = Gauge(
            "bankbot_events_listener_up",
            "1 while this gateway receives events (Redis listening, or no Redis)", registry=r,
        )  # fmt: skip
        self._snapshot = _Snapshot()
        r.register(self._snapshot)

    def observe_call(self, kind: str, ok: bool, seconds: float) -> None:
        """One call of the engine (`engine`) or probe of the action server (`actions`)."""
        histogram = self.engine_seconds if kind == "engine" else self.actions_seconds
        histogram.labels("ok" if ok else "error").observe(seconds)

    async def refresh(self, session: AsyncSession, now: datetime, events_up: bool) -> None:
        """Read the installation-wide figures for the scrape that follows."""
        self.events_up.set(1 if events_up else 0)
        length = GaugeMetricFamily(
            "bankbot_queue_length", "Chats waiting for an agent, by priority", labels=["priority"]
        )
        waiting = await session.execute(
            select(Handoff.priority, func.count(), func.min(Handoff.created_at))
            .where(Handoff.status == HandoffStatus.waiting)
            .group_by(Handoff.priority)
        )
        oldest: datetime | None = None
        for priority, count, first in waiting:
            length.add_metric([str(getattr(priority, "value", priority))], count)
            if first is not None and (oldest is None or as_utc(first) < oldest):
                oldest = as_utc(first)
        oldest_wait = GaugeMetricFamily(
            "bankbot_queue_oldest_wait_seconds", "How long the longest-waiting chat has waited",
            value=(now - oldest).total_seconds() if oldest else 0.0,
        )  # fmt: skip
        trainings = GaugeMetricFamily(
            "bankbot_trainings", "Trainings ever requested, by outcome (installation-wide)",
            labels=["status"],
        )  # fmt: skip
        for status, count in await session.execute(
            select(ContentJob.status, func.count())
            .where(ContentJob.kind == JobKind.train)
            .group_by(ContentJob.status)
        ):
            trainings.add_metric([str(getattr(status, "value", status))], count)
        deploys = GaugeMetricFamily(
            "bankbot_deploys", "Models switched live, by kind (installation-wide)",
            labels=["action"],
        )  # fmt: skip
        for action, count in await session.execute(
            select(ContentAudit.action, func.count())
            .where(ContentAudit.action.in_(DEPLOY_ACTIONS))
            .group_by(ContentAudit.action)
        ):
            deploys.add_metric([action], count)
        self._snapshot.families = [length, oldest_wait, trainings, deploys]
