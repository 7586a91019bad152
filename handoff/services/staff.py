"""Staff accounts: argon2id passwords, login sessions, the login rate limit, demo seeding.

Only the SHA-256 of a session token is stored. Hashing and verifying run in a
worker thread: argon2 is deliberately slow and must not stall the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from collections import defaultdict, deque
from datetime import datetime, timedelta
from functools import cache, lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.core.errors import TooManyRequests, Unauthorized
from handoff.models import Agent, StaffRole, StaffSession
from handoff.services import presence
from handoff.services.access import hash_token
from handoff.services.clock import as_utc

SESSION_TTL = timedelta(hours=12)  # one shift
# How often a live session refreshes `last_seen_at` (a write per request would be waste).
TOUCH_EVERY = timedelta(seconds=15)

# Development accounts (README, docs/architecture.md): password `<username>-demo-password`.
DEMO_ACCOUNTS: tuple[tuple[str, str, StaffRole], ...] = (
    ("agent1", "王芳", StaffRole.agent),
    ("agent2", "李明", StaffRole.agent),
    ("agent3", "张丽", StaffRole.agent),
    ("supervisor1", "陈刚", StaffRole.supervisor),
    ("editor1", "刘洋", StaffRole.editor),
    ("editor2", "赵敏", StaffRole.editor),
)

_hasher = PasswordHasher()


def demo_password(username: str) -> str:
    """The well-known password of a development account."""
    return f"{username}-demo-password"


@cache
def _demo_hash(username: str) -> str:
    # Cached per process: test suites start many apps on fresh databases.
    return _hasher.hash(demo_password(username))


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Verified against for unknown usernames so timing does not reveal which exist.
    return _hasher.hash(secrets.token_hex(16))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def hash_password(password: str) -> str:
    """An argon2id hash of `password` (computed off the event loop)."""
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    """True if `password` matches (computed off the event loop)."""
    return await asyncio.to_thread(_verify, password_hash, password)


class LoginLimiter:
    """At most `max_failures` wrong passwords per username and IP within `window`.

    Counted in Redis when the gateway has one (so every gateway shares the
    count), else in memory.
    """

    def __init__(
        self,
        redis_url: str | None = None,
        max_failures: int = 5,
        window: timedelta = timedelta(minutes=5),
    ) -> None:
        self.max_failures = max_failures
        self.window = window
        self._redis_url = redis_url
        self._redis: Any = None
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    async def start(self) -> None:
        """Connect to Redis when the gateway has one."""
        if self._redis_url:
            import redis.asyncio as redis

            self._redis = redis.from_url(self._redis_url)

    async def stop(self) -> None:
        """Close the Redis connection."""
        if self._redis is not None:
            await self._redis.aclose()

    @staticmethod
    def _key(username: str, ip: str) -> str:
        digest = hashlib.sha256(f"{username.strip().lower()}|{ip}".encode()).hexdigest()
        return f"bankbot:login-failures:{digest}"

    async def check(self, username: str, ip: str) -> None:
        """Raise 429 when this username and IP have failed too often lately."""
        key = self._key(username, ip)
        if self._redis is not None:
            count = int(await self._redis.get(key) or 0)
        else:
            count = len(self._recent(key))
        if count >= self.max_failures:
            raise TooManyRequests(
                "Too many failed logins; please wait a few minutes and try again.",
                code="too_many_logins",
            )

    async def failed(self, username: str, ip: str) -> None:
        """Count a wrong password (it expires after the window)."""
        key = self._key(username, ip)
        if self._redis is not None:
            async with self._redis.pipeline() as pipe:
                pipe.incr(key)
                pipe.expire(key, int(self.window.total_seconds()), nx=True)
                await pipe.execute()
        else:
            self._recent(key).append(time.monotonic())

    async def succeeded(self, username: str, ip: str) -> None:
        """A successful login clears the count."""
        key = self._key(username, ip)
        if self._redis is not None:
            await self._redis.delete(key)
        else:
            self._failures.pop(key, None)

    def _recent(self, key: str) -> deque[float]:
        stamps = self._failures[key]
        horizon = time.monotonic() - self.window.total_seconds()
        while stamps and stamps[0] < horizon:
            stamps.popleft()
        return stamps


async def login(
    session: AsyncSession,
    limiter: LoginLimiter,
    username: str,
    password: str,
    ip: str,
    now: datetime,
) -> tuple[str, Agent]:
    """A new session token for valid credentials; 401 otherwise, 429 when rate-limited."""
    await limiter.check(username, ip)
    agent = await session.scalar(select(Agent).where(Agent.username == username.strip()))
    valid = await verify_password(agent.password_hash if agent else _dummy_hash(), password)
    if agent is None or not valid:
        await limiter.failed(username, ip)
        raise Unauthorized("Wrong username or password.", code="invalid_credentials")
    await limiter.succeeded(username, ip)
    if _hasher.check_needs_rehash(agent.password_hash):
        agent.password_hash = await hash_password(password)
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            token_hash=hash_token(token),
            agent_id=agent.id,
            created_at=now,
            expires_at=now + SESSION_TTL,
        )
    )
    if agent.role != StaffRole.editor:
        agent.online, agent.last_seen_at = True, now
        await presence.came_online(session, agent.id, now)
    await session.commit()
    return token, agent


async def authenticate(
    session: AsyncSession, token: str | None, now: datetime
) -> tuple[Agent, StaffSession]:
    """The staff member behind a session token; 401 for a missing, wrong or expired one.

    A live session also counts as a heartbeat: the agent is online.
    """
    if not token:
        raise Unauthorized("Staff login required.", code="login_required")
    row = await session.execute(
        select(Agent, StaffSession)
        .join(StaffSession, StaffSession.agent_id == Agent.id)
        .where(StaffSession.token_hash == hash_token(token))
    )
    found = row.first()
    if found is None:
        raise Unauthorized("This session is not valid; please log in again.", code="bad_session")
    agent, staff_session = found
    if as_utc(staff_session.expires_at) <= now:
        raise Unauthorized("This session has expired; please log in again.", code="expired_session")
    if agent.role != StaffRole.editor and (
        not agent.online
        or agent.last_seen_at is None
        or now - as_utc(agent.last_seen_at) >= TOUCH_EVERY
    ):
        if not agent.online:
            await presence.came_online(session, agent.id, now)
        agent.online, agent.last_seen_at = True, now
        await session.commit()
    return agent, staff_session


async def end_session(session: AsyncSession, staff_session: StaffSession, now: datetime) -> bool:
    """Delete one session; True when the agent has no other live session left."""
    await session.execute(delete(StaffSession).where(StaffSession.id == staff_session.id))
    others = await session.scalar(
        select(func.count())
        .select_from(StaffSession)
        .where(StaffSession.agent_id == staff_session.agent_id, StaffSession.expires_at > now)
    )
    return not others


async def seed_demo_accounts(session: AsyncSession) -> int:
    """Create the development accounts that are missing; returns how many were added."""
    existing = set(await session.scalars(select(Agent.username)))
    added = 0
    for username, name, role in DEMO_ACCOUNTS:
        if username in existing:
            continue
        password_hash = await asyncio.to_thread(_demo_hash, username)
        session.add(
            Agent(username=username, display_name=name, role=role, password_hash=password_hash)
        )
        added += 1
    await session.commit()
    return added


async def accounts_with_demo_passwords(session: AsyncSession) -> list[str]:
    """Usernames that still accept their published demo password."""
    names = [name for name, _, _ in DEMO_ACCOUNTS]
    rows = await session.execute(
        select(Agent.username, Agent.password_hash).where(Agent.username.in_(names))
    )
    weak = []
    for username, password_hash in rows:
        if await verify_password(password_hash, demo_password(username)):
            weak.append(username)
    return weak


async def purge_expired_sessions(session: AsyncSession, now: datetime) -> int:
    """Forget sessions past their expiry."""
    result = await session.execute(delete(StaffSession).where(StaffSession.expires_at <= now))
    return result.rowcount or 0  # type: ignore[attr-defined]


def agent_view(agent: Agent) -> dict[str, Any]:
    """The public shape of a staff member (the login answer of docs/architecture.md)."""
    return {"id": agent.id, "name": agent.display_name, "role": agent.role.value}
