"""One message at a time per conversation.

Rasa would otherwise make the second of two simultaneous messages wait on its
own lock and poll every second (docs/architecture.md). An asyncio lock serialises within
a gateway; with Redis, a Redis lock serialises across gateways, so no sticky
routing is needed behind a load balancer.

While Redis is unreachable the gateway keeps answering under its own lock
only (logged): customers are not refused for a lock, and every message is
still stored under its own atomic sequence number, so nothing is lost; only
two messages of one conversation sent through two gateways at the same
instant may then be answered side by side.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

log = logging.getLogger(__name__)


class ConversationLocks:
    """Hands out a lock per conversation id, forgetting it when nobody holds it."""

    def __init__(self, redis_url: str | None = None, timeout_s: float = 60.0) -> None:
        self._local: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}
        self._redis_url = redis_url
        self._redis: Any = None
        self._timeout_s = timeout_s
        self._releasing: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Connect to Redis when configured."""
        if self._redis_url:
            import redis.asyncio as redis

            self._redis = redis.from_url(
                self._redis_url, socket_connect_timeout=1.0, socket_timeout=2.0
            )

    async def stop(self) -> None:
        """Give back the locks still being released, then close Redis."""
        if self._releasing:
            await asyncio.wait(self._releasing, timeout=5.0)
        if self._redis is not None:
            await self._redis.aclose()

    @contextlib.asynccontextmanager
    async def hold(self, conversation_id: str) -> AsyncIterator[None]:
        """Hold the conversation's lock (local, then Redis) for the block.

        The Redis lock is given back after the block, off the caller's path:
        the local lock stays held until it is, so a turn that follows on this
        gateway still waits for it rather than polling Redis.
        """
        lock = self._local.setdefault(conversation_id, asyncio.Lock())
        self._users[conversation_id] = self._users.get(conversation_id, 0) + 1
        shared: Any = None
        try:
            await lock.acquire()
        except BaseException:
            self._forget(conversation_id)
            raise
        try:
            if self._redis is not None:
                shared = await self._acquire_shared(conversation_id)
            yield
        finally:
            if shared is None:
                lock.release()
                self._forget(conversation_id)
            else:
                task = asyncio.create_task(self._release(shared, lock, conversation_id))
                self._releasing.add(task)
                task.add_done_callback(self._releasing.discard)

    async def _acquire_shared(self, conversation_id: str) -> Any:
        """The Redis lock, held; None when Redis is away (the local lock only)."""
        shared = self._redis.lock(
            f"bankbot:gateway:conversation-lock:{conversation_id}",
            timeout=self._timeout_s,
            blocking_timeout=self._timeout_s,
        )
        try:
            acquired = await shared.acquire()
        except Exception as exc:  # noqa: BLE001 - Redis away: the local lock only
            log.warning("conversation lock without Redis (%s)", type(exc).__name__)
            return None
        if not acquired:
            raise TimeoutError("conversation lock not acquired")
        return shared

    async def _release(self, shared: Any, lock: asyncio.Lock, conversation_id: str) -> None:
        try:
            with contextlib.suppress(Exception):  # expires by itself otherwise
                await shared.release()
        finally:
            lock.release()
            self._forget(conversation_id)

    def _forget(self, conversation_id: str) -> None:
        self._users[conversation_id] -= 1
        if not self._users[conversation_id]:
            del self._users[conversation_id]
            self._local.pop(conversation_id, None)
