"""Staff accounts: argon2id passwords, login sessions (idle timeout, revocation), demo seeding.

Only the SHA-256 of a session token is stored. Hashing and verifying run in a
worker thread: argon2 is deliberately slow and must not stall the event loop.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.core.errors import Unauthorized
from handoff.models import Agent, StaffRole, StaffSession
from handoff.services import presence, totp
from handoff.services.access import hash_token
from handoff.services.clock import as_utc
from handoff.services.login_guard import HashingGate, LoginGuard

SESSION_TTL = timedelta(hours=12)  # one shift
# The settings' `staff_idle_timeout_s` is what the gateway uses; this is the fallback.
DEFAULT_IDLE_TIMEOUT = timedelta(minutes=30)
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


@dataclass(frozen=True)
class Credentials:
    """What a login form or `POST /api/agent/login` sends."""

    username: str
    password: str
    totp: str | None = None


def check_password(password_hash: str, password: str) -> bool:
    """True if `password` matches (blocking: run it through a `HashingGate`)."""
    return _verify(password_hash, password)


def make_hash(password: str) -> str:
    """An argon2id hash (blocking: run it through a `HashingGate`)."""
    return _hasher.hash(password)


async def hash_password(password: str) -> str:
    """An argon2id hash of `password` (computed off the event loop)."""
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    """True if `password` matches (computed off the event loop)."""
    return await asyncio.to_thread(_verify, password_hash, password)


async def login(
    session: AsyncSession,
    guard: LoginGuard,
    gate: HashingGate,
    credentials: Credentials,
    client: str,
    now: datetime,
) -> tuple[str, Agent]:
    """A new session token for valid credentials; 401 otherwise, 429 when limited.

    The attempt is counted before the password is checked (`LoginGuard`), and
    the check waits for a hashing slot (`HashingGate`).
    """
    username = credentials.username
    await guard.attempt(username, client)
    agent = await session.scalar(select(Agent).where(Agent.username == username.strip()))
    password_hash = agent.password_hash if agent else _dummy_hash()
    valid = await gate.run(_verify, password_hash, credentials.password)
    if agent is None or not valid or agent.disabled:
        raise Unauthorized(
            "Wrong username or password.",
            code="invalid_credentials",
            event="login_failed",
            actor=username[:40],
        )
    if totp.enrolled(agent):
        if not credentials.totp:
            raise Unauthorized(
                "Enter the 6-digit code from your authenticator app.", code="totp_required"
            )
        if not totp.check(agent, credentials.totp, now):
            await session.commit()  # the step a replayed code used stays spent
            raise Unauthorized(
                "That code is not right or was already used; wait for the next one.",
                code="invalid_totp",
                event="login_failed",
                actor=agent.username,
            )
    await guard.succeeded(username, client)
    if _hasher.check_needs_rehash(agent.password_hash):
        agent.password_hash = await gate.run(_hasher.hash, credentials.password)
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            token_hash=hash_token(token),
            agent_id=agent.id,
            created_at=now,
            expires_at=now + SESSION_TTL,
            last_used_at=now,
        )
    )
    if agent.role != StaffRole.editor:
        agent.online, agent.last_seen_at = True, now
        await presence.came_online(session, agent.id, now)
    await session.commit()
    return token, agent


async def authenticate(
    session: AsyncSession,
    token: str | None,
    now: datetime,
    idle_timeout: timedelta = DEFAULT_IDLE_TIMEOUT,
) -> tuple[Agent, StaffSession]:
    """The staff member behind a session token; 401 for a missing, wrong or ended one.

    A session ends at its expiry, after `idle_timeout` without a request, when
    the account is disabled and when the password changed after it began. A
    live session also counts as a heartbeat: the agent is online.
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
    last_used = as_utc(staff_session.last_used_at or staff_session.created_at)
    ended = (
        "This account is disabled." if agent.disabled
        else "Your password was changed; please log in again."
        if agent.sessions_valid_after is not None
        and as_utc(staff_session.created_at) < as_utc(agent.sessions_valid_after)
        else "You were away too long; please log in again." if now - last_used >= idle_timeout
        else None
    )  # fmt: skip
    if ended is not None:
        await session.execute(delete(StaffSession).where(StaffSession.id == staff_session.id))
        await session.commit()
        raise Unauthorized(ended, code="session_ended")
    touch = now - last_used >= TOUCH_EVERY
    if touch:
        staff_session.last_used_at = now
    if agent.role != StaffRole.editor and (
        not agent.online
        or agent.last_seen_at is None
        or now - as_utc(agent.last_seen_at) >= TOUCH_EVERY
    ):
        if not agent.online:
            await presence.came_online(session, agent.id, now)
        agent.online, agent.last_seen_at = True, now
        touch = True
    if touch:
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
