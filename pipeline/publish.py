"""Deploys when engines pull their model: publish the archive, wait for every engine.

With `CONTENT_ENGINES_PULL` the worker starts no engine for customers. Going
live means: store the model's archive in the gateway database, point
`content_live` at it, and wait until every live gateway reports that its
engine serves it (engines pull from `GET /api/engine/model` every few
seconds; `services/content/model_server.py`). Every engine of the pool, on
every host, so gets the approved model, and a rollback is the same with an
older model. The worker still starts engines of its own for the gate and for
"try it": those never serve customers.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from handoff.models import ContentEngine, ContentGateway, ContentModel, ContentModelArchive
from handoff.services.clock import clock
from pipeline.deploy import GATEWAY_STALE, Engines
from pipeline.registry import transaction

log = logging.getLogger(__name__)


def archive(db: sessionmaker[Session], model: ContentModel) -> None:
    """Store the model's file for engines on every host (once per model)."""
    with db() as session:
        if session.get(ContentModelArchive, model.id) is not None:
            return
    data = Path(model.path).read_bytes()
    with transaction(db) as session:
        if session.get(ContentModelArchive, model.id) is None:
            session.add(ContentModelArchive(model_id=model.id, data=data, stored_at=clock.now()))


def publish(
    engines: Engines,
    stack: ContentEngine,
    model: ContentModel,
    *,
    actor_name: str,
    action: str,
    detail: str,
) -> int:
    """Make `model` the one engines pull; returns the new live generation."""
    archive(engines.db, model)
    return engines.switch(stack, model.id, actor_name=actor_name, action=action, detail=detail)


def engines_behind(db: sessionmaker[Session], model_id: str) -> int:
    """Live gateways whose engine does not serve `model_id` yet."""
    horizon = clock.now() - GATEWAY_STALE
    with db() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(ContentGateway)
                .where(
                    ContentGateway.seen_at >= horizon,
                    or_(
                        ContentGateway.engine_model.is_(None),
                        ContentGateway.engine_model != model_id,
                    ),
                )
            )
            or 0
        )


def wait_served(
    db: sessionmaker[Session], model_id: str, timeout_s: float, stopping: threading.Event
) -> bool:
    """Block until every live gateway's engine serves `model_id` (False after `timeout_s`)."""
    deadline = time.monotonic() + timeout_s
    while engines_behind(db, model_id):
        if time.monotonic() > deadline or stopping.is_set():
            log.warning("not every engine serves %s after %.0f s", model_id, timeout_s)
            return False
        time.sleep(0.5)
    return True


def restore(engines: Engines, stack: ContentEngine | None, live: ContentModel | None) -> None:
    """After a (re)start: engines pull the live model, or the repository's if it is gone."""
    if stack is None:
        return
    chosen: ContentModel | None = live
    detail = "engines pull the live model"
    if live is None or not Path(live.path).exists():
        with engines.db() as session:
            chosen = session.get(ContentModel, stack.model_id)
        detail = "engines pull the repository's model"
    if chosen is None:
        return
    publish(engines, stack, chosen, actor_name="system", action="restore", detail=detail)
