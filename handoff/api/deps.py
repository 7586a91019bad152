"""Typed dependencies shared by the routes (full-stack-fastapi-template style)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header, Path, Request
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.core.config import Settings
from handoff.core.db import session_scope
from handoff.models import Conversation
from handoff.services.access import access_conversation_as_customer
from handoff.services.context import AppContext


def get_context(request: Request) -> AppContext:
    """The process's shared objects, built at start-up."""
    context: AppContext = request.app.state.context
    return context


ContextDep = Annotated[AppContext, Depends(get_context)]


def get_settings_dep(ctx: ContextDep) -> Settings:
    return ctx.settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


async def get_session(ctx: ContextDep) -> AsyncIterator[AsyncSession]:
    """One database session per request."""
    async for session in session_scope(ctx.sessions):
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


def bearer_token(authorization: Annotated[str | None, Header()] = None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, if present."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def customer_conversation(
    session: SessionDep,
    conversation_id: Annotated[str, Path(max_length=64)],
    token: Annotated[str | None, Depends(bearer_token)],
) -> Conversation:
    """The conversation named in the path, if the bearer token is its own."""
    return await access_conversation_as_customer(session, conversation_id, token)


CustomerConversation = Annotated[Conversation, Depends(customer_conversation)]
