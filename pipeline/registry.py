"""The worker's side of the content tables: sessions, the approved content, model files.

Synchronous on purpose: the worker is a plain process that runs one job at a
time (`pipeline.worker`); the gateway reads the same tables asynchronously.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from common import sqlite
from faqs.content import Content
from handoff.core.db import sync_url
from handoff.models import (
    ContentFaq,
    ContentFaqVersion,
    ContentModel,
    ModelStatus,
)

# --------------------------------------------------------------------------- database


def make_db(database_url: str) -> sessionmaker[Session]:
    """Synchronous sessions on the gateway's database."""
    engine: Engine = create_engine(sync_url(database_url), pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", sqlite.on_connect)
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(db: sessionmaker[Session]) -> Iterator[Session]:
    """A session committed at the end of the block, rolled back on error."""
    with db() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def approved(session: Session) -> tuple[dict[str, Content], dict[str, int]]:
    """The active FAQs' approved content and their version ids (the snapshot)."""
    rows = session.execute(
        select(ContentFaq.id, ContentFaq.current_version_id, ContentFaqVersion.content)
        .join(ContentFaqVersion, ContentFaqVersion.id == ContentFaq.current_version_id)
        .where(ContentFaq.retired.is_(False))
        .order_by(ContentFaq.id)
    )
    contents, versions = {}, {}
    for faq_id, version_id, content in rows:
        contents[faq_id], versions[faq_id] = content, version_id
    return contents, versions


def known_versions(session: Session, model: ContentModel | None) -> dict[str, int]:
    """{faq id: version id} a model was trained on.

    For the repository's own model (trained by `make run` from content/faqs):
    the versions seeded from those files.
    """
    if model is None:
        return {}
    if not model.from_repository:
        return dict(model.snapshot or {})
    rows = session.execute(
        select(ContentFaqVersion.faq_id, ContentFaqVersion.id).where(
            ContentFaqVersion.number == 1, ContentFaqVersion.source == "repository"
        )
    )
    return {faq_id: version_id for faq_id, version_id in rows}


def live_model(session: Session) -> ContentModel | None:
    """The model customers are served by (as the content tables record it)."""
    return session.scalar(select(ContentModel).where(ContentModel.status == ModelStatus.live))


# --------------------------------------------------------------------------- model files


def model_file(models_dir: Path, name: str) -> Path:
    """Where a model's file lives."""
    return models_dir / f"{name}.tar.gz"


def prune_models(session: Session, keep: int, rollback_depth: int) -> list[str]:
    """Delete the files of content models beyond the newest `keep`.

    Never the live one, never one of the last `rollback_depth` live ones (rollback
    targets), never the repository's own models (`make train` manages those).
    """
    protected = set(
        session.scalars(
            select(ContentModel.id)
            .where(
                ContentModel.status == ModelStatus.previous, ContentModel.deployed_at.is_not(None)
            )
            .order_by(ContentModel.deployed_at.desc())
            .limit(rollback_depth)
        )
    )
    rows = list(
        session.scalars(
            select(ContentModel)
            .where(
                ContentModel.from_repository.is_(False), ContentModel.status != ModelStatus.deleted
            )
            .order_by(ContentModel.created_at.desc())
        )
    )
    deleted = []
    for model in rows[keep:]:
        if model.status == ModelStatus.live or model.id in protected:
            continue
        Path(model.path).unlink(missing_ok=True)
        model.status = ModelStatus.deleted
        deleted.append(model.id)
    return deleted
