"""Fan-out of conversation events to WebSocket listeners.

In one process an in-memory hub is enough; with `REDIS_URL` every gateway
publishes to Redis and relays what it hears to its own listeners, so a
customer and an agent connected to different gateways still see each other.

Redis can go away. The listener then reconnects with backoff and subscribes
again, and `state` says where it is (`/health` reports it). Events published
while it was away are lost for live sockets, so every subscriber is told
(`GONE`) and its socket is closed: the widget and the console reconnect and
catch up from the database. A subscriber too slow to keep up is told the same
way instead of being dropped silently.

With Redis, what a gateway publishes goes out through one sender task, in
the order it was published and in batches (one round trip for a turn's
messages): `publish` waits until its event is sent, `post` does not, so a
customer's turn answers without waiting for its fan-out.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections import defaultdict, deque
from collections.abc import AsyncIterator
from typing import Any

from handoff.services.background import stop_task

log = logging.getLogger(__name__)

CHANNEL_PREFIX = "bankbot:events:"
QUEUE_LIMIT = 500
# What a subscriber reads when its events stopped flowing: close, let the client catch up.
GONE_TYPE = "gone"
# Reconnection backoff (seconds): doubled per failure, at most MAX, with jitter.
BACKOFF_FIRST_S = 0.25
BACKOFF_MAX_S = 2.0
PING_EVERY_S = 5.0
# Events waiting for the sender; beyond this (Redis hanging) new ones are dropped and logged.
PENDING_LIMIT = 10_000
SEND_BATCH = 200


def is_gone(event: dict[str, Any]) -> bool:
    """Whether a subscriber's socket must close so its client reconnects and catches up."""
    return event.get("type") == GONE_TYPE


class EventHub:
    """Topics are strings such as `conversation:<id>` or `agents`."""

    def __init__(self, redis_url: str | None = None) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)
        self._redis_url = redis_url
        self._redis: Any = None
        self._listener: asyncio.Task[None] | None = None
        self.state = "in-process" if not redis_url else "connecting"
        self.reconnects = 0
        # (topic, event, future the publisher waits on or None), oldest first.
        self._pending: deque[tuple[str, dict[str, Any], asyncio.Future[None] | None]] = deque()
        self._sender: asyncio.Task[None] | None = None

    @property
    def available(self) -> bool:
        """Whether events published now reach this gateway's subscribers."""
        return self.state in ("in-process", "ok")

    async def start(self) -> None:
        """Listen to Redis when configured (otherwise in-process only)."""
        if not self._redis_url:
            return
        import redis.asyncio as redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # No silent retries: every lost connection is seen here and told to subscribers.
        self._redis = redis.from_url(
            self._redis_url,
            socket_connect_timeout=1.0,
            socket_timeout=2.0,
            retry=Retry(NoBackoff(), 0),
        )
        self._listener = asyncio.create_task(self._listen_forever())
        for _ in range(30):  # a gateway starting next to a working Redis is ready at once
            if self.state == "ok":
                break
            await asyncio.sleep(0.1)

    async def stop(self) -> None:
        """Send what is still pending, stop listening and close Redis."""
        if self._sender is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self._sender), timeout=5.0)
        await stop_task(self._listener)
        if self._redis is not None:
            await self._redis.aclose()

    async def _listen_forever(self) -> None:
        failures = 0
        while True:
            pubsub = self._redis.pubsub()
            try:
                await pubsub.psubscribe(CHANNEL_PREFIX + "*")
                if self.state != "ok":
                    log.info("events: listening to Redis (state was %s)", self.state)
                self.state, failures = "ok", 0
                await self._relay(pubsub)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - any failure: reconnect
                if self.state == "ok":
                    log.warning("events: lost Redis (%s); reconnecting", type(exc).__name__)
                    self.reconnects += 1
                self.state = "reconnecting"
                self._tell_everyone_gone()
                failures += 1
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
            delay = min(BACKOFF_MAX_S, BACKOFF_FIRST_S * 2 ** (failures - 1))
            await asyncio.sleep(delay * random.uniform(0.5, 1.0))

    async def _relay(self, pubsub: Any) -> None:
        """Deliver what Redis sends until the connection fails (raises)."""
        quiet_s = 0.0
        while True:
            item = await pubsub.get_message(timeout=1.0)
            if item is None:
                quiet_s += 1.0
                if quiet_s >= PING_EVERY_S:  # a half-open connection is found out
                    await pubsub.ping()
                    quiet_s = 0.0
                continue
            quiet_s = 0.0
            if item.get("type") != "pmessage":
                continue
            topic = item["channel"].decode().removeprefix(CHANNEL_PREFIX)
            if topic not in self._subscribers:
                continue  # nobody listens here: every gateway hears every event
            try:
                event = json.loads(item["data"])
            except ValueError:
                continue
            self._deliver(topic, event)

    def _tell_everyone_gone(self) -> None:
        for topic in list(self._subscribers):
            for queue in list(self._subscribers.get(topic, ())):
                _gone(queue)

    def _deliver(self, topic: str, event: dict[str, Any]) -> None:
        for queue in list(self._subscribers.get(topic, ())):
            if queue.qsize() >= QUEUE_LIMIT:
                log.warning("closing a slow listener on %s", topic)
                self._subscribers[topic].discard(queue)
                _gone(queue)
                continue
            queue.put_nowait(event)

    async def publish(self, topic: str, event: dict[str, Any]) -> None:
        """Deliver to every listener of `topic`, on every gateway, and wait until it is sent.

        Never raises: what is published is already stored, and with Redis away
        the subscribers were told to catch up from the database.
        """
        if self._redis is None:
            self._deliver(topic, event)
            return
        sent: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self._enqueue(topic, event, sent):
            await asyncio.shield(sent)

    def post(self, topic: str, event: dict[str, Any]) -> None:
        """Publish without waiting: sent after everything published before it, in order."""
        if self._redis is None:
            self._deliver(topic, event)
            return
        self._enqueue(topic, event, None)

    def _enqueue(
        self, topic: str, event: dict[str, Any], sent: asyncio.Future[None] | None
    ) -> bool:
        if len(self._pending) >= PENDING_LIMIT:
            log.warning("events: %d events waiting for Redis; dropping one", len(self._pending))
            return False
        self._pending.append((topic, event, sent))
        if self._sender is None or self._sender.done():
            self._sender = asyncio.create_task(self._send_pending())
        return True

    async def _send_pending(self) -> None:
        """Send the pending events in order, a batch per round trip, until none is left."""
        while self._pending:
            batch = [self._pending.popleft() for _ in range(min(SEND_BATCH, len(self._pending)))]
            try:
                async with self._redis.pipeline(transaction=False) as pipe:
                    for topic, event, _ in batch:
                        pipe.publish(CHANNEL_PREFIX + topic, json.dumps(event, default=str))
                    await pipe.execute()
            except Exception as exc:  # noqa: BLE001 - Redis away: the listener handles it
                log.warning("events: could not publish to Redis (%s)", type(exc).__name__)
            for _, _, sent in batch:
                if sent is not None and not sent.done():
                    sent.set_result(None)

    @contextlib.asynccontextmanager
    async def subscribe(self, *topics: str) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        """A queue receiving the events of `topics` until the block ends.

        While the hub is not listening the queue says `GONE` at once.
        """
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        for topic in topics:
            self._subscribers[topic].add(queue)
        if not self.available:
            _gone(queue)
        try:
            yield queue
        finally:
            for topic in topics:
                self._subscribers[topic].discard(queue)
                if not self._subscribers[topic]:
                    del self._subscribers[topic]


def _gone(queue: asyncio.Queue[dict[str, Any]]) -> None:
    """Replace what a subscriber has not read with the one event that matters now."""
    while not queue.empty():
        queue.get_nowait()
    queue.put_nowait({"type": GONE_TYPE})


def conversation_topic(conversation_id: str) -> str:
    """The topic a customer's widget listens to."""
    return f"conversation:{conversation_id}"
