"""Deploy a model without downtime: a second engine, a switch, a drained stop.

Rasa's own hot reload (`PUT /model`) blocks the engine for about 20 s and
leaks memory (measured; docs/architecture.md, "Deploying a model"), so a model
goes live like this:

1. start an engine for it on a free port, with the stack's endpoints (same
   tracker store, action server and lock store) and token;
2. wait until `/status` reports the model loaded;
3. point `content_live` at it (generation + 1); every gateway polls that row
   each second, switches its EngineClient and acknowledges in `content_gateways`;
4. the previous engine stops once every live gateway has acknowledged and the
   longest request it could still be serving has had time to finish.

The stack's own engine (`make run` starts it with the repository's model) is
never stopped here: it stays as a warm standby, so going back to the
repository's model is instant. Engines the worker started die with the
worker's shutdown and are started again for the live model on its next start.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from handoff.models import (
    ContentEngine,
    ContentGateway,
    ContentLive,
    ContentModel,
    EngineStatus,
    ModelStatus,
)
from handoff.services.clock import as_utc, clock
from handoff.services.content import audit
from pipeline import rasa
from pipeline.processes import Service, ServiceFailed, free_port, wait_ready
from pipeline.registry import transaction

log = logging.getLogger(__name__)

LIVE_ROW = 1
# A gateway that has not polled for this long is considered gone.
GATEWAY_STALE = timedelta(seconds=15)
# Longest a request already sent to the old engine may still run (the gateway's read timeout).
DRAIN = timedelta(seconds=22)
# How long the old engine waits at most for a silent gateway to acknowledge.
ACK_PATIENCE = timedelta(minutes=2)


@dataclass(frozen=True)
class EngineSetup:
    """What an engine needs besides its model: the stack's endpoints and secrets."""

    token: str
    endpoints: Path
    credentials: Path
    log_dir: Path
    repo_root: Path
    stack_engine_url: str


class Engines:
    """The engine processes this worker runs, and the live pointer."""

    def __init__(self, db: sessionmaker[Session], setup: EngineSetup) -> None:
        self.db = db
        self.setup = setup
        self._processes: dict[int, Service] = {}

    # ---- health -----------------------------------------------------------------------

    def status(self, url: str) -> dict[str, object] | None:
        """The engine's /status (model_file etc.), or None when it does not answer."""
        try:
            response = httpx.get(f"{url}/status", params={"token": self.setup.token}, timeout=3)
            return response.json() if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError):
            return None

    def healthy(self, url: str) -> bool:
        """Whether the engine answers with a model loaded."""
        status = self.status(url)
        return bool(status and status.get("model_file"))

    # ---- processes ----------------------------------------------------------------------

    def start(self, model: ContentModel, timeout_s: float) -> ContentEngine:
        """An engine for `model` on a free port, healthy when this returns."""
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        service = Service(
            name=f"engine {model.id}",
            argv=rasa.serve_argv(
                model.path, port, self.setup.token, self.setup.endpoints, self.setup.credentials
            ),
            health_url=f"{url}/status?token={self.setup.token}",
            log_path=self.setup.log_dir / f"engine-{port}.log",
            env=rasa.engine_env(self.setup.repo_root),
            cwd=self.setup.repo_root,
            ready=lambda r: r.status_code == 200 and bool(r.json().get("model_file")),
        )
        service.start()
        assert service.process is not None
        with transaction(self.db) as session:
            row = ContentEngine(
                model_id=model.id,
                url=url,
                pid=service.process.pid,
                owner="worker",
                status=EngineStatus.starting,
                started_at=clock.now(),
            )
            session.add(row)
        self._processes[row.id] = service
        try:
            wait_ready([service], timeout_s, say=lambda _: None)
        except ServiceFailed as exc:
            service.stop()
            self._mark(row.id, EngineStatus.failed)
            raise RuntimeError(f"the engine for {model.id} did not start: {exc}") from exc
        self._mark(row.id, EngineStatus.ready)
        row.status = EngineStatus.ready
        return row

    def _mark(self, engine_id: int, status: EngineStatus) -> None:
        with transaction(self.db) as session:
            row = session.get(ContentEngine, engine_id)
            if row is not None:
                row.status = status
                if status in (EngineStatus.stopped, EngineStatus.failed):
                    row.stopped_at = clock.now()

    def stop(self, engine: ContentEngine) -> None:
        """Stop a worker-owned engine (ours, or one a previous worker left running)."""
        if engine.owner != "worker":
            return
        service = self._processes.pop(engine.id, None)
        if service is not None:
            service.stop()
        elif engine.pid:
            try:  # started by an earlier worker process: its own process group
                os.killpg(engine.pid, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                pass
        self._mark(engine.id, EngineStatus.stopped)

    def stop_all(self) -> None:
        """On shutdown: every engine this process started."""
        with self.db() as session:
            rows = list(
                session.scalars(
                    select(ContentEngine).where(ContentEngine.id.in_(list(self._processes)))
                )
            )
        for row in rows:
            self.stop(row)

    def running_for(self, model_id: str) -> ContentEngine | None:
        """A ready engine already serving `model_id` that answers, if any."""
        with self.db() as session:
            rows = list(
                session.scalars(
                    select(ContentEngine)
                    .where(
                        ContentEngine.model_id == model_id,
                        ContentEngine.status == EngineStatus.ready,
                    )
                    .order_by(ContentEngine.id.desc())
                )
            )
        for row in rows:
            if self.healthy(row.url):
                return row
        return None

    # ---- the live pointer -------------------------------------------------------------------

    def live(self, session: Session) -> ContentLive | None:
        """The live pointer row (None before the first start)."""
        return session.get(ContentLive, LIVE_ROW)

    def switch(
        self,
        engine: ContentEngine,
        model_id: str,
        *,
        actor_name: str,
        action: str,
        detail: str,
        promote: bool = True,
    ) -> int:
        """Send customers to `engine`; returns the new generation.

        The previous live model becomes `previous`; the previous worker-owned engine
        is scheduled to stop once drained.
        """
        now = clock.now()
        with transaction(self.db) as session:
            live = self.live(session)
            old_url = live.engine_url if live else None
            if live is None:
                live = ContentLive(
                    id=LIVE_ROW,
                    engine_url=engine.url,
                    model_id=model_id,
                    generation=0,
                    switched_at=now,
                )
                session.add(live)
            live.generation += 1
            live.engine_url, live.model_id, live.switched_at = engine.url, model_id, now
            if promote:  # a standby switch leaves which model counts as live alone
                session.execute(
                    update(ContentModel)
                    .where(ContentModel.status == ModelStatus.live, ContentModel.id != model_id)
                    .values(status=ModelStatus.previous)
                )
                model = session.get(ContentModel, model_id)
                if model is not None:
                    model.status, model.deployed_at = ModelStatus.live, now
            if old_url and old_url != engine.url:
                session.execute(
                    update(ContentEngine)
                    .where(
                        ContentEngine.url == old_url,
                        ContentEngine.owner == "worker",
                        ContentEngine.status == EngineStatus.ready,
                    )
                    .values(stop_after=now + DRAIN)
                )
            session.add(audit.entry(None, action, model_id, detail, actor_name=actor_name, at=now))
            return live.generation

    # ---- start-up -------------------------------------------------------------------------

    def register_stack(
        self, model_dirs: list[Path], timeout_s: float, stopping: threading.Event
    ) -> ContentEngine | None:
        """The stack's own engine and the repository model it serves (waits for it)."""
        url = self.setup.stack_engine_url
        deadline = time.monotonic() + timeout_s
        status = self.status(url)
        while not (status and status.get("model_file")):
            if time.monotonic() > deadline or stopping.is_set():
                log.warning("the stack's engine at %s is not answering", url)
                return None
            time.sleep(1)
            status = self.status(url)
        # Rasa reports the file's name; `make run` keeps repository models in models/.
        name = Path(str(status["model_file"])).name
        path = next((d / name for d in model_dirs if (d / name).exists()), model_dirs[0] / name)
        model_id = name.removesuffix(".tar.gz")
        now = clock.now()
        with transaction(self.db) as session:
            if session.get(ContentModel, model_id) is None:
                session.add(
                    ContentModel(
                        id=model_id,
                        path=str(path),
                        status=ModelStatus.previous,
                        snapshot={},
                        from_repository=True,
                        mode="repository",
                        created_at=now,
                    )
                )
            session.execute(
                update(ContentEngine)
                .where(ContentEngine.owner == "stack", ContentEngine.status == EngineStatus.ready)
                .values(status=EngineStatus.stopped, stopped_at=now)
            )
            engine = ContentEngine(
                model_id=model_id, url=url, owner="stack", status=EngineStatus.ready, started_at=now
            )
            session.add(engine)
        return engine

    def restore_live(self, stack: ContentEngine | None, timeout_s: float) -> None:
        """After a (re)start: serve the model that was live, in an engine of its own.

        A repository model stays live as whatever `make run` now serves. A content
        model gets an engine again (customers use the stack's engine meanwhile); if
        its file is gone, the repository's model takes over, and the audit log says so.
        Engines an earlier worker left behind are stopped unless they serve customers.
        """
        with transaction(self.db) as session:
            desired = session.scalar(
                select(ContentModel).where(ContentModel.status == ModelStatus.live)
            )
            live = self.live(session)
            leftovers = list(
                session.scalars(
                    select(ContentEngine).where(
                        ContentEngine.owner == "worker",
                        ContentEngine.status.in_([EngineStatus.starting, EngineStatus.ready]),
                    )
                )
            )
        serving = live is not None and self.healthy(live.engine_url)
        for engine in leftovers:
            if not (serving and live is not None and engine.url == live.engine_url):
                self.stop(engine)
        if serving and desired is not None and live is not None and live.model_id == desired.id:
            return
        if stack is None:
            return
        if desired is None or desired.from_repository or not Path(desired.path).exists():
            detail = "the stack's engine serves the repository's model"
            if desired is not None and not desired.from_repository:
                detail = f"{desired.path} is gone; the repository's model serves customers"
            self.switch(
                stack, stack.model_id, actor_name=audit.SYSTEM, action="restore", detail=detail
            )
            return
        if not serving:
            self.switch(
                stack, stack.model_id, actor_name=audit.SYSTEM, action="standby",
                detail=f"while an engine for {desired.id} starts", promote=False,
            )  # fmt: skip
        engine = self.start(desired, timeout_s)
        self.switch(
            engine, desired.id, actor_name=audit.SYSTEM, action="restore",
            detail="engine started again for the live model",
        )  # fmt: skip

    # ---- after a switch -------------------------------------------------------------------

    def acknowledged(self, generation: int) -> bool:
        """Every gateway seen lately uses this generation (or a newer one)."""
        horizon = clock.now() - GATEWAY_STALE
        with self.db() as session:
            behind = session.scalar(
                select(func.count())
                .select_from(ContentGateway)
                .where(ContentGateway.seen_at >= horizon, ContentGateway.generation < generation)
            )
        return not behind

    def wait_acknowledged(self, generation: int, timeout_s: float = 15.0) -> bool:
        """Block until every live gateway uses `generation` (False after `timeout_s`)."""
        deadline = time.monotonic() + timeout_s
        while not self.acknowledged(generation):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.2)
        return True

    def housekeeping(self) -> None:
        """Stop engines whose time is up: drained old live engines, unused candidates."""
        now = clock.now()
        with self.db() as session:
            live = self.live(session)
            due = list(
                session.scalars(
                    select(ContentEngine).where(
                        ContentEngine.owner == "worker",
                        ContentEngine.status == EngineStatus.ready,
                        ContentEngine.stop_after.is_not(None),
                    )
                )
            )
            horizon = now - GATEWAY_STALE
            still_used = set(
                session.scalars(
                    select(ContentGateway.engine_url).where(ContentGateway.seen_at >= horizon)
                )
            )
        for engine in due:
            if engine.stop_after is None or as_utc(engine.stop_after) > now:
                continue
            if live is not None and engine.url == live.engine_url:
                continue  # it became live again (a rollback): keep it
            patience_over = as_utc(engine.stop_after) + ACK_PATIENCE <= now
            if engine.url in still_used and not patience_over:
                continue
            log.info("stopping engine %s (%s)", engine.url, engine.model_id)
            self.stop(engine)

    def keep_for(self, engine: ContentEngine, seconds: float) -> None:
        """A candidate engine not going live stays a while for "try it", then stops."""
        with transaction(self.db) as session:
            row = session.get(ContentEngine, engine.id)
            if row is not None:
                row.stop_after = clock.now() + timedelta(seconds=seconds)
