"""The gateway application: `uvicorn handoff.main:app` or `create_app(settings)` in tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from common import logjson
from handoff.api.cors import CustomerCorsMiddleware
from handoff.api.deps import conversation_expiry
from handoff.api.errors import install_error_handlers
from handoff.api.middleware import BodyLimitMiddleware, SecurityHeadersMiddleware
from handoff.api.routes import (
    account,
    agent,
    agent_ws,
    console_pages,
    content,
    conversations,
    dev,
    engine_model,
    health,
    metrics,
    pages,
    quality,
    quality_pages,
    unanswered,
    ws,
)
from handoff.api.routes.metrics import RequestMetricsMiddleware
from handoff.core.config import Settings, development_refusal, get_settings
from handoff.core.db import make_engine, make_sessionmaker
from handoff.services.content.runtime import ContentRuntime
from handoff.services.context import AppContext
from handoff.services.engine import EngineClient
from handoff.services.events import EventHub
from handoff.services.leader import LeaderLock
from handoff.services.locks import ConversationLocks
from handoff.services.metrics import Metrics
from handoff.services.ratelimit import Counters
from handoff.services.supervision import DeskRuntime
from handoff.services.turn_store import TurnStore


def build_context(settings: Settings, metrics: Metrics | None = None) -> AppContext:
    """Wire the long-lived objects from the settings."""
    db = make_engine(settings.database_url)
    metrics = metrics or Metrics()
    return AppContext(
        settings=settings,
        db=db,
        sessions=make_sessionmaker(db),
        engine=EngineClient(
            settings.engine_urls or [settings.engine_url],
            settings.engine_token.get_secret_value(),
            connect_timeout=settings.engine_connect_timeout_s,
            read_timeout=settings.engine_read_timeout_s,
            max_in_flight=settings.engine_max_in_flight,
            queue_timeout=settings.engine_queue_timeout_s,
            action_server_url=settings.action_server_url,
            timing=metrics.observe_call,
        ),
        hub=EventHub(settings.redis_url),
        locks=ConversationLocks(settings.redis_url),
        turn_store=TurnStore(settings.database_url, conversation_expiry(settings)),
        counters=Counters(settings.redis_url),
        leader=LeaderLock(settings.redis_url),
        metrics=metrics,
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    """The FastAPI app; its context is created and closed with the app's lifespan."""
    settings = settings or get_settings()
    refusal = development_refusal(settings)
    if refusal is not None:
        raise RuntimeError(refusal)
    if not settings.otp_digest_key.get_secret_value():
        # Codes, phone numbers and ID digits are sealed with it before the engine sees them.
        raise RuntimeError(
            "OTP_DIGEST_KEY is not set: the gateway seals one-time codes, phone numbers and "
            "ID digits with it (`make run` writes one to .env; the action server needs the same)."
        )
    app_metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.log_format == "json":  # after uvicorn configured its own loggers
            logjson.install()
        context = build_context(settings, app_metrics)
        await context.start()
        app.state.context = context
        desk = DeskRuntime(context)
        try:
            # Staff accounts checked, desk background jobs started (services/supervision.py).
            await desk.start()
            app.state.desk = desk
            # FAQ store seeded, repository compared, live engine followed (services/content).
            app.state.content = ContentRuntime(context)
            await app.state.content.start()
            yield
        finally:
            if getattr(app.state, "content", None) is not None:
                await app.state.content.stop()
            await desk.stop()
            await context.stop()

    app = FastAPI(
        title="bankbot gateway",
        version="0.1.0",
        lifespan=lifespan,
        docs_url="/docs" if settings.is_development else None,
        redoc_url=None,
    )
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(metrics.router)
    app.include_router(engine_model.router)
    app.include_router(conversations.router)
    app.include_router(ws.router)
    if settings.is_development:
        app.include_router(dev.router)
    app.include_router(pages.router)
    app.include_router(agent.router)
    app.include_router(account.router)
    app.include_router(agent_ws.router)
    app.include_router(quality.router)
    app.include_router(quality_pages.router)
    app.include_router(console_pages.router)
    app.include_router(unanswered.router)
    app.include_router(content.router)
    app.include_router(content.pages)
    app.add_middleware(
        SecurityHeadersMiddleware,
        frame_ancestors=settings.allowed_origins,
        hsts=not settings.is_development,
    )
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestMetricsMiddleware, metrics=app_metrics)
    # Outermost: a foreign site is refused before anything reads its request.
    app.add_middleware(CustomerCorsMiddleware, allowed_origins=settings.allowed_origins)
    return app


def app() -> FastAPI:
    """Factory for `uvicorn --factory handoff.main:app`."""
    return create_app()
