"""One leader per periodic job across all gateways: a Redis key with a TTL.

Every gateway runs the same background jobs (the desk's sweep, the "still
waiting" pushes, …). Before a tick, a job asks `LeaderLock.acquire(name)`: the
first gateway to set `bankbot:leader:<name>` (SET NX PX, its own random token)
leads; it renews the key at every tick and in the background every third of
the TTL, so a leader that dies or hangs is replaced within one TTL. Without
Redis there is one gateway, and it always leads. With Redis unreachable nobody
leads (the jobs wait for it: the pushes travel through Redis anyway).

Any job of the gateway can use it (`ctx.leader`), e.g. a daily purge.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from typing import Any

from handoff.services.background import stop_task

log = logging.getLogger(__name__)

KEY_PREFIX = "bankbot:leader:"
STOP_WITHIN_S = 3.0
"""A shutdown gives Redis this long to release our keys; after that their TTL does."""
# Take the key if free, renew it if ours; 1 when we lead afterwards.
_TAKE_OR_RENEW = """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class LeaderLock:
    """Leadership per job name for this process (a random token per process)."""

    def __init__(self, redis_url: str | None, ttl_s: float = 15.0) -> None:
        self._redis_url = redis_url
        self._redis: Any = None
        self.ttl_s = ttl_s
        self.token = secrets.token_hex(8)
        self._held: set[str] = set()
        self._renewer: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Connect to Redis (when configured) and keep held keys alive."""
        if not self._redis_url:
            return
        import redis.asyncio as redis

        self._redis = redis.from_url(
            self._redis_url, socket_connect_timeout=1.0, socket_timeout=2.0
        )
        self._renewer = asyncio.create_task(self._renew_forever())

    async def stop(self) -> None:
        """Give up every job we lead (another gateway takes over at once) and disconnect."""
        await stop_task(self._renewer, STOP_WITHIN_S)
        self._renewer = None
        if self._redis is None:
            return
        client, self._redis = self._redis, None
        try:  # a shutdown must end even when Redis hangs: the TTL frees what is left
            async with asyncio.timeout(STOP_WITHIN_S):
                for job in list(self._held):
                    with contextlib.suppress(Exception):
                        await client.eval(_RELEASE, 1, KEY_PREFIX + job, self.token)
                await client.aclose()
        except TimeoutError:
            log.warning("leader lock: Redis did not answer at shutdown; the keys expire by TTL")
        self._held.clear()

    async def acquire(self, job: str) -> bool:
        """Whether this process leads `job` now (taking or renewing the key)."""
        if self._redis_url is None:
            return True
        if self._redis is None:
            return False
        try:
            led = bool(
                await self._redis.eval(
                    _TAKE_OR_RENEW, 1, KEY_PREFIX + job, self.token, int(self.ttl_s * 1000)
                )
            )
        except Exception as exc:  # noqa: BLE001 - Redis down: nobody leads this tick
            log.warning("leader lock for %s unavailable: %s", job, type(exc).__name__)
            led = False
        if led and job not in self._held:
            log.info("this gateway now runs the %s job", job)
        (self._held.add if led else self._held.discard)(job)
        return led

    async def _renew_forever(self) -> None:
        while True:
            await asyncio.sleep(self.ttl_s / 3)
            for job in list(self._held):
                await self.acquire(job)
