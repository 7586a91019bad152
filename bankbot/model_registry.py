"""The worker's side of the content tables: database access, model files, training.

Synchronous on purpose: the worker is a plain process that runs one job at a
time (`bankbot.worker`); the gateway reads the same tables asynchronously.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml
from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bankbot.training import _COMPONENT, _EPOCH, ENGINE_PYTHON, _pieces, engine_env
from common import sqlite
from faqs.content import Content
from handoff.core.db import sync_url
from handoff.models import (
    ContentFaq,
    ContentFaqVersion,
    ContentModel,
    ModelStatus,
)
from handoff.services.content import gate
from handoff.services.content.build import Build

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


# --------------------------------------------------------------------------- training


class TrainingCancelled(Exception):
    """The editor cancelled the training."""


class TrainingFailed(Exception):
    """Rasa exited with an error; `log_tail` holds the end of its output."""

    def __init__(self, message: str, log_tail: str) -> None:
        super().__init__(message)
        self.log_tail = log_tail


@dataclass(frozen=True)
class TrainRequest:
    """What one training needs."""

    build: Build
    models_dir: Path
    repo_root: Path
    log_path: Path
    cache_dir: Path  # Rasa's graph cache: unchanged components are restored, not retrained


_VALIDATING = re.compile(r"Started validating domain and training data")
_DONE = re.compile(r"(?:Finished training|Restored) component '?(\w+)")


def component_count(config_path: Path) -> int:
    """How many components training goes through (pipeline and policies)."""
    config = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    return max(1, len(config.get("pipeline") or []) + len(config.get("policies") or []))


def train(
    request: TrainRequest,
    progress: Callable[[int, str], None],
    cancelled: Callable[[], bool],
) -> Path:
    """`rasa train` in the engine environment on a build.

    As `bankbot.training.train` does for the repository; `progress(percent, what)`
    follows Rasa's log (components finished or restored from the cache, epochs of
    components that have them).
    """
    build = request.build
    target = model_file(request.models_dir, build.model_name)
    request.models_dir.mkdir(parents=True, exist_ok=True)
    request.log_path.parent.mkdir(parents=True, exist_ok=True)
    command = [
        str(ENGINE_PYTHON),
        "-m",
        "rasa",
        "train",
        "--config",
        str(build.config),
        "--domain",
        str(build.domain),
        "--data",
        str(build.data),
        "--out",
        str(request.models_dir),
        "--fixed-model-name",
        build.model_name,
    ]
    env = {
        **engine_env(),
        "PYTHONPATH": str(request.repo_root),
        "RASA_CACHE_DIRECTORY": str(request.cache_dir),
    }
    total, done, component, percent = component_count(build.config), 0, "", 0
    pieces: queue.Queue[str | None] = queue.Queue()
    with request.log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            command,
            cwd=request.repo_root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            start_new_session=True,
        )
        assert process.stdout is not None
        stdout = process.stdout

        def pump() -> None:
            for piece in _pieces(stdout):
                pieces.put(piece)
            pieces.put(None)

        threading.Thread(target=pump, daemon=True).start()
        progress(0, "starting Rasa")
        while True:
            if cancelled():
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                raise TrainingCancelled()
            try:
                piece = pieces.get(timeout=1.0)
            except queue.Empty:
                progress(percent, component or "starting Rasa")
                continue
            if piece is None:
                break
            log.write(piece if piece.endswith("\n") else piece + "\n")
            if _VALIDATING.search(piece):
                percent, component = 5, "checking the training data"
            elif match := _DONE.search(piece):
                done = min(done + 1, total)
                percent, component = 10 + 85 * done // total, f"{match.group(1)} done"
            elif match := _COMPONENT.search(piece):
                component = match.group(1)
            elif match := _EPOCH.search(piece):
                percent = 10 + int(85 * (done + int(match.group(1)) / 100) / total)
            else:
                continue
            progress(percent, component)
        code = process.wait()
    if code != 0 or not target.exists():
        raise TrainingFailed(f"rasa train exited with code {code}", log_tail(request.log_path))
    return target


def log_tail(path: Path, lines: int = 30) -> str:
    """The last lines of a log file ("" if it cannot be read)."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


_ERROR_LINE = re.compile(r"(Exception|Error)\b.*", re.IGNORECASE)


def plain_failure(tail: str) -> str:
    """The most telling line of a failed training's output, for the page."""
    for line in reversed(tail.splitlines()):
        if _ERROR_LINE.search(line):
            return line.strip()[:300]
    return "see the training log"


# --------------------------------------------------------------------------- the gate


def evaluate(
    build: Build,
    candidate_url: str,
    live_url: str | None,
    *,
    token: str,
    floor: float,
    margin: float,
) -> dict[str, Any]:
    """Score both engines on the build's test sets (in parallel) and judge (`gate.judge`)."""
    cases = gate.load_cases(build.testsets)

    def parser(url: str) -> Callable[[str], dict[str, Any]]:
        client = httpx.Client(base_url=url, timeout=30)

        def parse(text: str) -> dict[str, Any]:
            response = client.post("/model/parse", params={"token": token}, json={"text": text})
            response.raise_for_status()
            return dict(response.json())

        return parse

    with ThreadPoolExecutor(max_workers=2) as pool:
        candidate = pool.submit(gate.score, parser(candidate_url), cases)
        live = pool.submit(gate.score, parser(live_url), cases) if live_url else None
        candidate_records = candidate.result()
        try:
            live_records = live.result() if live else None
        except httpx.HTTPError:
            live_records = None  # the live engine is down: judged against the floor only
    return gate.judge(candidate_records, live_records, floor=floor, margin=margin)
