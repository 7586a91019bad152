"""The long-lived objects one gateway process shares between requests."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from handoff.core.config import Settings
from handoff.services.after_reply import AfterReply
from handoff.services.engine import EngineClient
from handoff.services.events import EventHub
from handoff.services.leader import LeaderLock
from handoff.services.locks import ConversationLocks
from handoff.services.metrics import Metrics
from handoff.services.ratelimit import Counters
from handoff.services.sms_outbox import SmsOutbox
from handoff.services.turn_store import TurnStore


@dataclass
class AppContext:
    """Built at start-up by `handoff.main.create_app`, closed at shutdown."""

    settings: Settings
    db: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    engine: EngineClient
    hub: EventHub
    locks: ConversationLocks
    # Customer turns' token check and first transaction, on worker threads.
    turn_store: TurnStore
    leader: LeaderLock = field(default_factory=lambda: LeaderLock(None))
    metrics: Metrics = field(default_factory=Metrics)
    sms_outbox: SmsOutbox = field(default_factory=SmsOutbox)
    # Rate-limit and login counters (Redis-shared when configured).
    counters: Counters = field(default_factory=Counters)
    # Bot turns still being stored after their answer (`services/relay.py`).
    after_reply: AfterReply = field(default_factory=AfterReply)

    async def start(self) -> None:
        """Connect to Redis when configured."""
        await self.hub.start()
        await self.locks.start()
        await self.counters.start()
        await self.leader.start()

    async def stop(self) -> None:
        """Close every connection the context opened (turns still being stored first)."""
        await self.after_reply.stop()
        self.turn_store.close()
        await self.engine.aclose()
        await self.leader.stop()
        await self.hub.stop()
        await self.locks.stop()
        await self.counters.stop()
        await self.db.dispose()
