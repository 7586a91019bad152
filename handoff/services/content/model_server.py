"""The live model as a file engines pull (Rasa's `models` endpoint, served by every gateway).

An engine configured with `models: {url: <gateway>/api/engine/model, token,
wait_time_between_pulls}` asks every few seconds with `If-None-Match: <the
model it serves>`; the gateway answers 304 while that is still the live model,
else the live model's archive with `ETag: <model id>` and a `filename` header
(Rasa names the loaded model after it, so `/status` reports the model id). The
archive is read from the database, so an engine on any host gets the model
the worker approved on another. Before any model went live, the gateway serves
the repository's model (`CONTENT_DEFAULT_MODEL`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.models import ContentLive, ContentModelArchive

SUFFIX = ".tar.gz"


@dataclass(frozen=True)
class LiveModel:
    """The model engines should serve: its id, and where its bytes come from."""

    model_id: str
    archived: bool
    path: Path | None = None


def model_id_of(file_name: str) -> str:
    """`79ee….tar.gz` → `79ee…` (what Rasa's `/status` reports is the file's name)."""
    return Path(file_name).name.removesuffix(SUFFIX)


async def live_model(session: AsyncSession, default_model: Path | None) -> LiveModel | None:
    """The live model if its archive is stored, else the repository's model, else None."""
    live_id = await session.scalar(select(ContentLive.model_id).where(ContentLive.id == 1))
    if live_id is not None:
        stored = await session.scalar(
            select(ContentModelArchive.model_id).where(ContentModelArchive.model_id == live_id)
        )
        if stored is not None:
            return LiveModel(live_id, archived=True)
    if default_model is not None and default_model.is_file():
        return LiveModel(model_id_of(default_model.name), archived=False, path=default_model)
    return None


async def model_bytes(session: AsyncSession, model: LiveModel) -> bytes:
    """The archive's bytes (read only when the engine does not have it yet)."""
    if model.archived:
        data = await session.scalar(
            select(ContentModelArchive.data).where(ContentModelArchive.model_id == model.model_id)
        )
        return bytes(data or b"")
    assert model.path is not None
    return await asyncio.to_thread(model.path.read_bytes)
