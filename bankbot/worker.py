"""`python -m bankbot.worker`: trains, judges and deploys the content team's models.

Supervised by `make run` beside the other services. It polls `content_jobs`
(the gateway's content pages enqueue them) and runs two lanes side by side:

* **train** — render the approved FAQs into a build, train in the engine
  environment (finetuning when only examples and answers changed), start the
  candidate in its own engine, run the evaluation gate against the live
  model, and deploy it when it passes (unless the editor asked to deploy by hand);
* **deploy** — put a given model live (a manual deploy or a rollback).

Progress (stage, percent, plain-language message) is written to the job row,
so the page can be closed and reopened. A failure of any kind leaves the live
model untouched and the job says so. On start the worker makes sure the live
model is served: it registers the stack's own engine (the repository's
model), and restarts an engine for a content model that was live before.

It answers `GET /health` on `--port` once that is done (what `make run` waits for).
"""

from __future__ import annotations

import argparse
import http.server
import json
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bankbot import model_registry as registry
from bankbot.deploy import LIVE_ROW, Engines, EngineSetup
from handoff.core.config import ROOT, Settings
from handoff.models import (
    ContentEngine,
    ContentJob,
    ContentLive,
    ContentModel,
    EngineStatus,
    JobKind,
    JobStatus,
    ModelStatus,
)
from handoff.services.clock import clock
from handoff.services.content import audit, gate
from handoff.services.content.build import Build, make_build
from handoff.services.content.checks import run_checks
from handoff.services.content.settings import ContentSettings

log = logging.getLogger("bankbot.worker")

LANES = {JobKind.train: "train", JobKind.deploy: "deploy", JobKind.rollback: "deploy"}
POLL_S = 1.0
UNCHANGED = "The live model is unchanged."


class JobStopped(Exception):
    """The job ends here with a plain-language message (failure, cancel, gate)."""

    def __init__(self, status: JobStatus, message: str, **details: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details


@dataclass
class Progress:
    """Writes a job's stage and percent (throttled) and answers "was it cancelled?"."""

    db: sessionmaker[Session]
    job_id: int
    _last: float = 0.0
    _cancel: bool = False

    def __call__(self, stage: str, percent: int, message: str, *, force: bool = True) -> None:
        """Record progress (`force=False`: at most once a second)."""
        now = time.monotonic()
        if not force and now - self._last < 1.0:
            return
        self._last = now
        with registry.transaction(self.db) as session:
            job = session.get(ContentJob, self.job_id)
            if job is None:
                return
            job.stage, job.percent, job.message = stage, max(0, min(100, percent)), message[:500]
            job.heartbeat_at = clock.now()
            self._cancel = job.cancel_requested

    def cancelled(self) -> bool:
        """Whether the editor asked to cancel (read with each progress write)."""
        return self._cancel


class Worker:
    """The job loop, the engines, and what the page needs to know about them."""

    def __init__(self, settings: Settings, content: ContentSettings, endpoints: Path) -> None:
        self.settings = settings
        self.content = content
        self.db = registry.make_db(settings.database_url)
        self.engines = Engines(
            self.db,
            EngineSetup(
                token=settings.engine_token.get_secret_value(),
                endpoints=endpoints,
                credentials=content.repo_root / "credentials.yml",
                log_dir=settings.log_dir,
                repo_root=content.repo_root,
                stack_engine_url=settings.engine_url.rstrip("/"),
            ),
        )
        self.switching = threading.Lock()  # one switch of the live engine at a time
        self.ready = threading.Event()
        self.stopping = threading.Event()

    # ---- start-up ------------------------------------------------------------------------

    def reconcile(self) -> None:
        """Jobs cut short by a restart fail; the live model is served again."""
        with registry.transaction(self.db) as session:
            session.execute(
                update(ContentJob)
                .where(ContentJob.status == JobStatus.running)
                .values(
                    status=JobStatus.failed,
                    slot=None,
                    finished_at=clock.now(),
                    message=f"Interrupted: the training worker stopped. {UNCHANGED}",
                )
            )
        stack = self._register_stack_engine()
        with registry.transaction(self.db) as session:
            desired = registry.live_model(session)
            if desired is None and stack is not None:
                session.get(ContentModel, stack.model_id).status = ModelStatus.live  # type: ignore[union-attr]
                desired = session.get(ContentModel, stack.model_id)
            live = self.engines.live(session)
            leftovers = list(
                session.scalars(
                    select(ContentEngine).where(
                        ContentEngine.owner == "worker",
                        ContentEngine.status.in_([EngineStatus.starting, EngineStatus.ready]),
                    )
                )
            )
        serving = live is not None and self.engines.healthy(live.engine_url)
        for engine in leftovers:  # engines of an earlier worker process
            keep = serving and live is not None and engine.url == live.engine_url
            if not keep:
                self.engines.stop(engine)
        if desired is None:
            return
        if serving and live is not None and live.model_id == desired.id:
            return
        if stack is not None and (desired.id == stack.model_id or desired.from_repository):
            # A repository model stays live as whatever `make run` trained from the files now.
            self.engines.switch(
                stack,
                stack.model_id,
                actor_name=audit.SYSTEM,
                action="restore",
                detail="the stack's engine serves the repository's model",
            )
            return
        if stack is not None and not serving:
            with registry.transaction(self.db) as session:
                self._point_at(session, stack, "standby while the live model's engine starts")
        if not Path(desired.path).exists():
            self._lost_model(desired, stack)
            return
        engine = self.engines.start(desired, self.content.engine_start_timeout_s)
        self.engines.switch(
            engine,
            desired.id,
            actor_name=audit.SYSTEM,
            action="restore",
            detail="engine restarted for the live model after a restart",
        )

    def _point_at(self, session: Session, engine: ContentEngine, why: str) -> None:
        """Route customers to an engine without changing which model counts as live."""
        live = self.engines.live(session)
        if live is None:
            live = ContentLive(
                id=LIVE_ROW, engine_url=engine.url, model_id=engine.model_id, generation=0
            )
            session.add(live)
        live.generation += 1
        live.engine_url, live.model_id, live.switched_at = engine.url, engine.model_id, clock.now()
        session.add(audit.entry(None, "standby", engine.model_id, why))

    def _lost_model(self, model: ContentModel, stack: ContentEngine | None) -> None:
        with registry.transaction(self.db) as session:
            session.get(ContentModel, model.id).status = ModelStatus.deleted  # type: ignore[union-attr]
            session.add(
                audit.entry(
                    None,
                    "model_missing",
                    model.id,
                    f"{model.path} is gone; serving the repository's model",
                )
            )
        if stack is not None:
            self.engines.switch(
                stack,
                stack.model_id,
                actor_name=audit.SYSTEM,
                action="restore",
                detail="the live model's file is missing",
            )

    def _register_stack_engine(self) -> ContentEngine | None:
        """The stack's engine and the repository model it serves (waits for it to load)."""
        url = self.engines.setup.stack_engine_url
        deadline = time.monotonic() + self.content.engine_start_timeout_s
        status = self.engines.status(url)
        while not (status and status.get("model_file")):
            if time.monotonic() > deadline or self.stopping.is_set():
                log.warning("the stack's engine at %s is not answering", url)
                return None
            time.sleep(1)
            status = self.engines.status(url)
        # Rasa reports the file's name; `make run` keeps repository models in models/.
        name = Path(str(status["model_file"])).name
        path = next(
            (
                p
                for p in (self.content.repo_root / "models" / name, self.content.models_dir / name)
                if p.exists()
            ),
            self.content.repo_root / "models" / name,
        )
        model_id = name.removesuffix(".tar.gz")
        with registry.transaction(self.db) as session:
            model = session.get(ContentModel, model_id)
            if model is None:
                session.add(
                    ContentModel(
                        id=model_id,
                        path=str(path),
                        status=ModelStatus.previous,
                        snapshot={},
                        from_repository=True,
                        mode="repository",
                        created_at=clock.now(),
                    )
                )
            session.execute(
                update(ContentEngine)
                .where(ContentEngine.owner == "stack", ContentEngine.status == EngineStatus.ready)
                .values(status=EngineStatus.stopped, stopped_at=clock.now())
            )
            engine = ContentEngine(
                model_id=model_id,
                url=url,
                pid=None,
                owner="stack",
                status=EngineStatus.ready,
                started_at=clock.now(),
            )
            session.add(engine)
        return engine

    # ---- the loop ------------------------------------------------------------------------

    def claim(self, lane: str) -> ContentJob | None:
        """The oldest queued job of a lane, marked running (atomic: one taker)."""
        with registry.transaction(self.db) as session:
            job = session.scalar(
                select(ContentJob)
                .where(ContentJob.slot == lane, ContentJob.status == JobStatus.queued)
                .order_by(ContentJob.id)
            )
            if job is None:
                return None
            taken = session.execute(
                update(ContentJob)
                .where(ContentJob.id == job.id, ContentJob.status == JobStatus.queued)
                .values(
                    status=JobStatus.running,
                    started_at=clock.now(),
                    heartbeat_at=clock.now(),
                    stage="starting",
                    message="Starting…",
                )
            )
            return job if taken.rowcount == 1 else None  # type: ignore[attr-defined]

    def lane_loop(self, lane: str, run: Callable[[ContentJob, Progress], str]) -> None:
        """Run one lane's jobs, one at a time, until the worker stops."""
        while not self.stopping.is_set():
            job = self.claim(lane) if self.ready.is_set() else None
            if job is None:
                self.stopping.wait(POLL_S)
                continue
            progress = Progress(self.db, job.id)
            status, message, details = JobStatus.succeeded, "", {}
            try:
                message = run(job, progress)
            except JobStopped as stop:
                status, message, details = stop.status, stop.message, stop.details
            except registry.TrainingCancelled:
                status, message = JobStatus.cancelled, f"Cancelled. {UNCHANGED}"
            except Exception as exc:  # noqa: BLE001 - any crash ends the job, never the worker
                log.exception("job %s failed", job.id)
                status, message = JobStatus.failed, f"Failed: {exc}. {UNCHANGED}"
            self.finish(job, status, message, details)

    def finish(
        self, job: ContentJob, status: JobStatus, message: str, details: dict[str, Any]
    ) -> None:
        """End a job: free its lane, record the outcome and audit it."""
        with registry.transaction(self.db) as session:
            row = session.get(ContentJob, job.id)
            assert row is not None
            row.status, row.slot, row.finished_at = status, None, clock.now()
            row.message = message[:500]
            row.details = {**(row.details or {}), **details}
            if status == JobStatus.succeeded:
                row.stage, row.percent = "done", 100
            session.add(
                audit.entry(
                    None,
                    f"{row.kind.value}_{status.value}",
                    f"job {row.id}",
                    message,
                    actor_name=row.requested_by_name,
                )
            )

    def heartbeat(self) -> None:
        """Tell the page the worker is alive."""
        with registry.transaction(self.db) as session:
            live = session.get(ContentLive, LIVE_ROW)
            if live is not None:
                live.worker_seen_at = clock.now()

    def run(self) -> None:
        """Reconcile, then poll: housekeeping here, the two lanes in their threads."""
        trainer = threading.Thread(target=self.lane_loop, args=("train", self.train), daemon=True)
        trainer.start()
        deployer = threading.Thread(
            target=self.lane_loop, args=("deploy", self.deploy_job), daemon=True
        )
        deployer.start()
        while not self.stopping.is_set():
            if not self.ready.is_set():
                try:
                    self.reconcile()
                    self.ready.set()
                    log.info("worker ready")
                except Exception:  # noqa: BLE001 - keep trying; the page shows the worker state
                    log.exception("start-up reconciliation failed; retrying")
                    self.stopping.wait(5)
                    continue
            try:
                self.heartbeat()
                self.engines.housekeeping()
            except Exception:  # noqa: BLE001
                log.exception("housekeeping failed")
            self.stopping.wait(POLL_S)
        self.engines.stop_all()

    # ---- jobs ----------------------------------------------------------------------------

    def deploy_job(self, job: ContentJob, progress: Progress) -> str:
        """Put `job.model_id` live: a manual deploy or a rollback."""
        with self.db() as session:
            model = session.get(ContentModel, job.model_id)
        servable = model is not None and (
            Path(model.path).exists() or self.engines.running_for(model.id) is not None
        )
        if model is None or model.status == ModelStatus.deleted or not servable:
            raise JobStopped(
                JobStatus.failed, f"The model {job.model_id} is no longer available. {UNCHANGED}"
            )
        verb = "Rolled back to" if job.kind == JobKind.rollback else "Deployed"
        self.go_live(model, job, progress, 10, action=job.kind.value)
        return f"{verb} {model.id}: it now answers customers."

    def go_live(
        self, model: ContentModel, job: ContentJob, progress: Progress, base: int, *, action: str
    ) -> None:
        """An engine for the model (reused or started), the switch, every gateway following."""
        with self.switching:
            engine = self.engines.running_for(model.id)
            if engine is None:
                progress("starting_engine", base, "Starting an engine with the model (about 30 s)…")
                engine = self.engines.start(model, self.content.engine_start_timeout_s)
            progress("switching", max(base, 95), "Switching customers to the new engine…")
            generation = self.engines.switch(
                engine,
                model.id,
                actor_name=job.requested_by_name,
                action=action,
                detail=f"job {job.id}: {model.id} is live ({engine.url})",
            )
            # Live means customers get it: every gateway has switched.
            if not self.engines.wait_acknowledged(generation):
                log.warning("not every gateway acknowledged generation %s in time", generation)
            engine.stop_after = None
            with registry.transaction(self.db) as session:
                row = session.get(ContentEngine, engine.id)
                if row is not None:
                    row.stop_after = None

    def train(self, job: ContentJob, progress: Progress) -> str:
        """Build, train, start the candidate, judge it, deploy it if it passes."""
        started = time.monotonic()
        progress("preparing", 1, "Preparing the training data from the approved FAQs…")
        with self.db() as session:
            faqs, snapshot = registry.approved(session)
            live = registry.live_model(session)
            live_row = self.engines.live(session)
        blocking = [
            f
            for f in run_checks(
                faqs,
                repo_root=self.content.repo_root,
                catalog_path=self.content.catalog_path,
                min_examples=self.content.min_examples,
            )
            if f.blocking
        ]
        if blocking:
            raise JobStopped(
                JobStatus.failed,
                "The checks found problems: "
                + " ".join(f.message for f in blocking[:5])
                + f" {UNCHANGED}",
                findings=[f.view() for f in blocking],
            )
        with self.db() as session:
            base_snapshot = registry.known_versions(session, live)
        edited = sorted(i for i, v in snapshot.items() if base_snapshot.get(i) != v)
        build = make_build(
            faqs,
            edited,
            repo_root=self.content.repo_root,
            target=self.content.work_dir / "builds" / f"job-{job.id}",
            holdout_share=self.content.holdout_share,
        )
        details: dict[str, Any] = {
            "edited": edited,
            "heldout": build.heldout,
            "model": build.model_name,
        }
        self._details(job.id, details)
        target = registry.model_file(self.content.models_dir, build.model_name)
        if target.exists():
            mode = "reused"
            progress("training", 75, "This exact content was trained before; reusing that model.")
        else:
            mode = "full"
            progress("training", 5, "Training the new model…")
            request = registry.TrainRequest(
                build=build,
                models_dir=self.content.models_dir,
                repo_root=self.content.repo_root,
                log_path=self.content.work_dir / "logs" / f"job-{job.id}.log",
                cache_dir=self.content.work_dir / "rasa-cache",
            )
            try:
                registry.train(
                    request,
                    lambda pct, what: progress(
                        "training", 5 + pct * 70 // 100, f"Training: {what} ({pct}%)", force=False
                    ),
                    progress.cancelled,
                )
            except registry.TrainingFailed as exc:
                raise JobStopped(
                    JobStatus.failed,
                    f"Training failed ({registry.plain_failure(exc.log_tail)}). {UNCHANGED}",
                    log_tail=exc.log_tail,
                ) from exc
        trained_s = round(time.monotonic() - started, 1)
        details.update(mode=mode, training_s=trained_s)
        self._details(job.id, details)
        with registry.transaction(self.db) as session:
            model = session.get(ContentModel, build.model_name)
            if model is None:
                model = ContentModel(
                    id=build.model_name,
                    path=str(target),
                    status=ModelStatus.candidate,
                    snapshot=snapshot,
                    mode=mode,
                    job_id=job.id,
                    training_s=trained_s,
                    created_at=clock.now(),
                )
                session.add(model)
            elif model.status in (ModelStatus.deleted, ModelStatus.rejected):
                model.status = ModelStatus.candidate
            session.add(
                audit.entry(
                    None,
                    "trained",
                    model.id,
                    f"job {job.id}: {mode}, {trained_s} s",
                    actor_name=job.requested_by_name,
                )
            )
        if live is not None and live.id == model.id:
            return f"The approved content is already live ({model.id}); nothing to deploy."

        if progress.cancelled():
            raise registry.TrainingCancelled()
        engine = self.engines.running_for(model.id)
        if engine is None:
            progress("starting_engine", 76, "Starting the candidate model in its own engine…")
            engine = self.engines.start(model, self.content.engine_start_timeout_s)
        self.engines.keep_for(engine, self.content.candidate_ttl_s)
        progress("evaluating", 86, "Evaluating the candidate against the live model…")
        report = self.evaluate(build, engine.url, live_row.engine_url if live_row else None)
        details.update(gate=report)
        self._details(job.id, details)
        with registry.transaction(self.db) as session:
            row = session.get(ContentModel, model.id)
            if row is not None:
                row.accuracy = report["candidate"].get("all")
                if not report["passed"]:
                    row.status = ModelStatus.rejected
        if not report["passed"]:
            raise JobStopped(
                JobStatus.rejected,
                "Not deployed: " + "; ".join(report["reasons"]) + f". {UNCHANGED}",
            )
        if not job.auto_deploy:
            return (
                f"Passed the gate ({report['candidate']['all']:.1%}); ready to deploy. "
                "Try it, then press Deploy."
            )
        if progress.cancelled():
            raise registry.TrainingCancelled()
        self.go_live(model, job, progress, 96, action="deploy")
        total = round(time.monotonic() - started, 1)
        details.update(total_s=total)
        self._details(job.id, details)
        with registry.transaction(self.db) as session:
            registry.prune_models(session, self.content.models_dir, self.content.keep_models)
        return (
            f"Live: {model.id} passed the gate ({report['candidate']['all']:.1%}, "
            f"live model was {report['live']['all']:.1%}) and now answers customers."
            if report.get("live")
            else f"Live: {model.id} ({report['candidate']['all']:.1%})."
        )

    def _details(self, job_id: int, details: dict[str, Any]) -> None:
        with registry.transaction(self.db) as session:
            row = session.get(ContentJob, job_id)
            if row is not None:
                row.details = {**(row.details or {}), **details}

    def evaluate(self, build: Build, candidate_url: str, live_url: str | None) -> dict[str, Any]:
        """Score both engines on the build's test sets (in parallel) and judge."""
        cases = gate.load_cases(build.testsets)
        token = self.settings.engine_token.get_secret_value()

        def parser(url: str) -> Callable[[str], dict[str, Any]]:
            client = httpx.Client(base_url=url, timeout=30)

            def parse(text: str) -> dict[str, Any]:
                response = client.post("/model/parse", params={"token": token}, json={"text": text})
                response.raise_for_status()
                return response.json()

            return parse

        with ThreadPoolExecutor(max_workers=2) as pool:
            cand = pool.submit(gate.score, parser(candidate_url), cases)
            live = pool.submit(gate.score, parser(live_url), cases) if live_url else None
            candidate_records = cand.result()
            try:
                live_records = live.result() if live else None
            except httpx.HTTPError:
                live_records = None  # the live engine is down: judge against the floor only
        return gate.judge(
            candidate_records,
            live_records,
            floor=self.content.gate_floor,
            margin=self.content.gate_margin,
        )


# --------------------------------------------------------------------------- process


def serve_health(worker: Worker, port: int) -> http.server.ThreadingHTTPServer:
    """`GET /health`: 200 once the worker has reconciled the engines, else 503."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            ready = worker.ready.is_set()
            body = json.dumps({"status": "ok" if ready else "starting"}).encode()
            self.send_response(200 if self.path == "/health" and ready else 503)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main(argv: list[str] | None = None) -> int:
    """Run the worker until SIGTERM / SIGINT."""
    parser = argparse.ArgumentParser(
        prog="python -m bankbot.worker", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--port", type=int, required=True, help="port of GET /health")
    parser.add_argument(
        "--endpoints",
        type=Path,
        default=Path(os.environ.get("BANKBOT_ENDPOINTS", ROOT / "var" / "run" / "endpoints.yml")),
        help="the engines' endpoints file (tracker store, action server)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per health check otherwise
    worker = Worker(Settings(), ContentSettings(), args.endpoints)
    server = serve_health(worker, args.port)

    def on_signal(_signum: int, _frame: object) -> None:
        worker.stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        worker.run()
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
