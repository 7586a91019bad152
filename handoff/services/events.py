"""Fan-out of conversation events to WebSocket listeners.

In one process an in-memory hub is enough; with `REDIS_URL` every gateway
publishes to Redis and relays what it hears to its own listeners, so a
customer and an agent connected to different gateways still see each other.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

log = logging.getLogger(__name__)

CHANNEL_PREFIX = "bankbot:events:"
QUEUE_LIMIT = 500


class EventHub:
    """Topics are strings such as `conversation:<id>` or `agents`."""

    def __init__(self, redis_url: str | None = None) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)
        self._redis_url = redis_url
        self._redis: Any = None
        self._listener: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Listen to Redis when configured (otherwise in-process only)."""
        if not self._redis_url:
            return
        import redis.asyncio as redis

        self._redis = redis.from_url(self._redis_url)
        pubsub = self._redis.pubsub()
        await pubsub.psubscribe(CHANNEL_PREFIX + "*")
        self._listener = asyncio.create_task(self._listen(pubsub))

    async def stop(self) -> None:
        """Stop listening and close Redis."""
        if self._listener:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        if self._redis is not None:
            await self._redis.aclose()

    async def _listen(self, pubsub: Any) -> None:
        async for item in pubsub.listen():
            if item.get("type") != "pmessage":
                continue
            channel = item["channel"].decode()
            try:
                event = json.loads(item["data"])
            except ValueError:
                continue
            self._deliver(channel.removeprefix(CHANNEL_PREFIX), event)

    def _deliver(self, topic: str, event: dict[str, Any]) -> None:
        for queue in list(self._subscribers.get(topic, ())):
            if queue.qsize() >= QUEUE_LIMIT:
                log.warning("dropping slow listener on %s", topic)
                self._subscribers[topic].discard(queue)
                continue
            queue.put_nowait(event)

    async def publish(self, topic: str, event: dict[str, Any]) -> None:
        """Deliver to every listener of `topic`, on every gateway."""
        if self._redis is not None:
            await self._redis.publish(CHANNEL_PREFIX + topic, json.dumps(event, default=str))
        else:
            self._deliver(topic, event)

    @contextlib.asynccontextmanager
    async def subscribe(self, *topics: str) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        """A queue receiving the events of `topics` until the block ends."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        for topic in topics:
            self._subscribers[topic].add(queue)
        try:
            yield queue
        finally:
            for topic in topics:
                self._subscribers[topic].discard(queue)
                if not self._subscribers[topic]:
                    del self._subscribers[topic]


def conversation_topic(conversation_id: str) -> str:
    """The topic a customer's widget listens to."""
    return f"conversation:{conversation_id}"
