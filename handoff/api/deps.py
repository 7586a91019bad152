"""Typed dependencies shared by the routes (full-stack-fastapi-template style)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header, Path, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from handoff.core.config import Settings
from handoff.core.db import session_scope
from handoff.core.errors import Forbidden
from handoff.models import Agent, Conversation, StaffSession
from handoff.schemas.bounds import MAX_COUNT, MAX_ROW_ID
from handoff.services import staff, totp
from handoff.services.access import Expiry, access_conversation_as_customer
from handoff.services.clock import clock
from handoff.services.context import AppContext
from handoff.services.ratelimit import client_key
from handoff.services.supervision import DeskRuntime
from handoff.services.turn_store import Opened


async def get_context(request: Request) -> AppContext:
    """The process's shared objects, built at start-up.

    This and the other trivial dependencies are `async def`: FastAPI runs a
    plain `def` dependency in its thread pool, a trip to a thread per request.
    """
    context: AppContext = request.app.state.context
    return context


ContextDep = Annotated[AppContext, Depends(get_context)]


async def get_settings_dep(ctx: ContextDep) -> Settings:
    """The settings the app was built with (tests pass their own)."""
    return ctx.settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


async def get_session(ctx: ContextDep) -> AsyncIterator[AsyncSession]:
    """One database session per request."""
    async for session in session_scope(ctx.sessions):
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


def client_of(request: Request) -> str:
    """A keyed digest of the peer address: what per-client limits count.

    The gateway trusts no forwarding header (a client could forge it); behind a
    proxy, run uvicorn with `--forwarded-allow-ips` so the peer is the client.
    """
    address = request.client.host if request.client else "unknown"
    secret = request.app.state.context.settings.session_secret.get_secret_value()
    return client_key(secret, address)


async def bearer_token(authorization: Annotated[str | None, Header()] = None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, if present."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def conversation_expiry(settings: Settings) -> Expiry:
    """How long customers' tokens work (idle and absolute)."""
    return Expiry(settings.conversation_idle_timeout, settings.conversation_max_age)


async def customer_conversation(
    session: SessionDep,
    ctx: ContextDep,
    conversation_id: Annotated[str, Path(max_length=64)],
    token: Annotated[str | None, Depends(bearer_token)],
) -> Conversation:
    """The conversation named in the path, if the bearer token is its own and still valid."""
    return await access_conversation_as_customer(
        session, conversation_id, token, conversation_expiry(ctx.settings), clock.now()
    )


CustomerConversation = Annotated[Conversation, Depends(customer_conversation)]


async def customer_turn_conversation(
    ctx: ContextDep,
    conversation_id: Annotated[str, Path(max_length=64)],
    token: Annotated[str | None, Depends(bearer_token)],
) -> Opened:
    """As `customer_conversation`, for a customer's message: let in, or 404 / 401.

    The same rule (`access.check_customer_token`), from the token facts the
    gateway keeps; the turn checks again with the database's, under the
    conversation's lock (`services/turn_store.py`, `services/known_tokens.py`).
    """
    return await ctx.turn_store.authenticate(conversation_id, token)


CustomerTurn = Annotated[Opened, Depends(customer_turn_conversation)]

# An integer id in a path: bounded, so a huge number is a 422, not a driver overflow.
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
# A number counted from zero (an upload's part).
Ordinal = Annotated[int, Path(ge=0, le=MAX_COUNT)]


# ---- staff (agents, supervisors, editors) -------------------------------------------

STAFF_COOKIE = "bankbot_staff"
# Production: the `__Host-` prefix makes the browser refuse the cookie unless it
# is Secure, for this host only (no Domain) and for the whole site (Path=/).
PRODUCTION_STAFF_COOKIE = "__Host-" + STAFF_COOKIE
# A cookie-authenticated unsafe request must carry this header. A foreign page
# cannot add a custom header to a cross-site request without a CORS preflight,
# which the gateway never grants on the agent API.
CSRF_HEADER = "X-Requested-With"
CSRF_VALUE = "bankbot-console"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# What a supervisor or editor who must enrol a second factor may still call.
ENROLMENT_PATHS = frozenset(
    {"/api/agent/me", "/api/agent/logout", "/api/agent/me/totp", "/api/agent/me/totp/confirm",
     "/api/agent/me/password"}
)  # fmt: skip


def staff_cookie_name(settings: Settings) -> str:
    """The console's session cookie name for this deployment."""
    return STAFF_COOKIE if settings.is_development else PRODUCTION_STAFF_COOKIE


def staff_cookie(connection: HTTPConnection) -> str | None:
    """The console's session cookie of a request or WebSocket, if sent."""
    settings: Settings = connection.app.state.context.settings
    return connection.cookies.get(staff_cookie_name(settings))


async def current_staff_session(
    request: Request,
    session: SessionDep,
    token: Annotated[str | None, Depends(bearer_token)],
) -> tuple[Agent, StaffSession]:
    """The staff member and session behind a Bearer token or the console's cookie."""
    if token is None:
        token = staff_cookie(request)
        if (
            token
            and request.method not in _SAFE_METHODS
            and (request.headers.get(CSRF_HEADER) != CSRF_VALUE)
        ):
            raise Forbidden("This request lacks the console's CSRF header.", code="csrf")
    settings: Settings = request.app.state.context.settings
    agent, staff_session = await staff.authenticate(
        session, token, clock.now(), settings.staff_idle_timeout
    )
    if totp.must_enrol(settings, agent) and request.url.path not in ENROLMENT_PATHS:
        raise Forbidden(
            "Set up your second factor (an authenticator app) first: /console/two-factor.",
            code="totp_enrolment_required",
            actor=agent.username,
        )
    return agent, staff_session


async def current_staff(
    pair: Annotated[tuple[Agent, StaffSession], Depends(current_staff_session)],
) -> Agent:
    """The logged-in staff member (any role; routes narrow it through `services.access`)."""
    return pair[0]


StaffSessionDep = Annotated[tuple[Agent, StaffSession], Depends(current_staff_session)]
CurrentStaff = Annotated[Agent, Depends(current_staff)]


async def get_desk(request: Request) -> DeskRuntime:
    """The desk's per-process parts (login limiter, background jobs)."""
    desk: DeskRuntime = request.app.state.desk
    return desk


DeskDep = Annotated[DeskRuntime, Depends(get_desk)]
