"""`python -m pipeline.worker`: trains, judges and deploys the content team's models.

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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from common import logjson
from common.paths import CREDENTIALS_PATH, ROOT, VAR_DIR
from faqs.review import run_checks
from handoff.core.config import Settings
from handoff.models import (
    ContentEngine,
    ContentJob,
    ContentLive,
    ContentModel,
    JobKind,
    JobStatus,
    ModelStatus,
)
from handoff.services.clock import clock
from handoff.services.content import audit
from handoff.services.content.settings import ContentSettings
from pipeline import gate, publish, rasa, registry
from pipeline.build import Build, make_build
from pipeline.deploy import LIVE_ROW, Engines, EngineSetup

log = logging.getLogger("pipeline.worker")

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


@dataclass
class TrainingRun:
    """One training job's working state; `note()` records details on the job row."""

    worker: Worker
    job: ContentJob
    build: Build
    snapshot: dict[str, int]
    live: ContentModel | None
    live_url: str | None
    started: float

    def note(self, **details: Any) -> None:
        """Add to the job's details (the page shows them)."""
        self.worker.record_details(self.job.id, details)


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
                credentials=content.repo_root / CREDENTIALS_PATH,
                log_dir=settings.log_dir,
                repo_root=content.repo_root,
                stack_engine_url=settings.engine_url.rstrip("/"),
            ),
        )
        self.switching = threading.Lock()  # one switch of the live engine at a time
        self.stack_engine: ContentEngine | None = None
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
        stack = self.engines.register_stack(
            [self.content.repo_root / "models", self.content.models_dir],
            self.content.engine_start_timeout_s,
            self.stopping,
        )
        self.stack_engine = stack
        if self.content.engines_pull:
            with self.db() as session:
                live = session.scalar(
                    select(ContentModel).where(ContentModel.status == ModelStatus.live)
                )
            publish.restore(self.engines, stack, live)
        else:
            self.engines.restore_live(stack, self.content.engine_start_timeout_s)

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
            except rasa.TrainingCancelled:
                status, message = JobStatus.cancelled, f"Cancelled. {UNCHANGED}"
                if self.stopping.is_set():
                    status = JobStatus.failed
                    message = f"Interrupted: the training worker stopped. {UNCHANGED}"
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
        # A training in progress is killed by its lane (it watches `stopping`); then our engines.
        for lane in (trainer, deployer):
            lane.join(timeout=30)
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
        if self.content.engines_pull:
            self._publish(model, job, progress, base, action=action)
            return
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

    def _publish(
        self, model: ContentModel, job: ContentJob, progress: Progress, base: int, *, action: str
    ) -> None:
        """Engines pull their model: publish it and wait until every engine serves it."""
        if self.stack_engine is None:
            raise JobStopped(JobStatus.failed, f"The engines do not answer. {UNCHANGED}")
        with self.switching:
            progress("switching", max(base, 95), "Sending the model to every engine…")
            publish.publish(
                self.engines, self.stack_engine, model, actor_name=job.requested_by_name,
                action=action, detail=f"job {job.id}: {model.id} is live (engines pull it)",
            )  # fmt: skip
            if not publish.wait_served(
                self.db, model.id, self.content.engine_reload_timeout_s, self.stopping
            ):
                log.warning("a deploy of %s has not reached every engine yet", model.id)

    def train(self, job: ContentJob, progress: Progress) -> str:
        """Build, train, start the candidate, judge it, deploy it if it passes."""
        run = self._prepare(job, progress)
        model = self._trained_model(run, progress)
        if run.live is not None and run.live.id == model.id:
            return f"The approved content is already live ({model.id}); nothing to deploy."
        if progress.cancelled():
            raise rasa.TrainingCancelled()
        report = self._judge(run, model, progress)
        if not report["passed"]:
            raise JobStopped(
                JobStatus.rejected,
                "Not deployed: " + "; ".join(report["reasons"]) + f". {UNCHANGED}",
            )
        accuracy = report["candidate"]["all"]
        if not job.auto_deploy:
            return f"Passed the gate ({accuracy:.1%}); ready to deploy. Try it, then press Deploy."
        if progress.cancelled():
            raise rasa.TrainingCancelled()
        self.go_live(model, job, progress, 96, action="deploy")
        run.note(total_s=round(time.monotonic() - run.started, 1))
        with registry.transaction(self.db) as session:
            registry.prune_models(session, self.content.keep_models, self.content.rollback_depth)
        was = f", live model was {report['live']['all']:.1%}" if report.get("live") else ""
        return f"Live: {model.id} passed the gate ({accuracy:.1%}{was}) and now answers customers."

    def _prepare(self, job: ContentJob, progress: Progress) -> TrainingRun:
        """Checks on the approved content, then the build (part of edited FAQs held out)."""
        started = time.monotonic()
        progress("preparing", 1, "Preparing the training data from the approved FAQs…")
        with self.db() as session:
            faqs, snapshot = registry.approved(session)
            live = registry.live_model(session)
            live_row = self.engines.live(session)
            trained_on = registry.known_versions(session, live)
        findings = run_checks(
            faqs,
            repo_root=self.content.repo_root,
            catalog_path=self.content.catalog_path,
            min_examples=self.content.min_examples,
        )
        blocking = [f for f in findings if f.blocking]
        if blocking:
            problems = " ".join(f.message for f in blocking[:5])
            raise JobStopped(
                JobStatus.failed,
                f"The checks found problems: {problems} {UNCHANGED}",
                findings=[f.view() for f in blocking],
            )
        edited = sorted(i for i, v in snapshot.items() if trained_on.get(i) != v)
        build = make_build(
            faqs,
            edited,
            repo_root=self.content.repo_root,
            target=self.content.work_dir / "builds" / f"job-{job.id}",
            holdout_share=self.content.holdout_share,
        )
        run = TrainingRun(
            self, job, build, snapshot, live, live_row.engine_url if live_row else None, started
        )
        run.note(edited=edited, heldout=build.heldout, model=build.model_name)
        return run

    def _trained_model(self, run: TrainingRun, progress: Progress) -> ContentModel:
        """Train (or reuse the same content's model) and register it as a candidate."""
        target = registry.model_file(self.content.models_dir, run.build.model_name)
        mode = "reused" if target.exists() else "full"
        if target.exists():
            progress("training", 75, "This exact content was trained before; reusing that model.")
        else:
            progress("training", 5, "Training the new model…")
            job = rasa.TrainJob(
                config=run.build.config,
                domain=run.build.domain,
                data=run.build.data,
                out_dir=self.content.models_dir,
                name=run.build.model_name,
                log_path=self.content.work_dir / "logs" / f"job-{run.job.id}.log",
                cwd=self.content.repo_root,
                cache_dir=self.content.train_cache_dir,
            )
            try:
                rasa.train(
                    job,
                    lambda step: progress(
                        "training",
                        5 + step.percent * 70 // 100,
                        f"Training: {step.component} ({step.percent}%)",
                        force=False,
                    ),
                    lambda: progress.cancelled() or self.stopping.is_set(),
                )
            except rasa.TrainingFailed as exc:
                raise JobStopped(
                    JobStatus.failed,
                    f"Training failed ({rasa.plain_failure(exc.log_tail)}). {UNCHANGED}",
                    log_tail=exc.log_tail,
                ) from exc
        trained_s = round(time.monotonic() - run.started, 1)
        run.note(mode=mode, training_s=trained_s)
        with registry.transaction(self.db) as session:
            model = session.get(ContentModel, run.build.model_name)
            if model is None:
                model = ContentModel(
                    id=run.build.model_name,
                    path=str(target),
                    status=ModelStatus.candidate,
                    snapshot=run.snapshot,
                    mode=mode,
                    job_id=run.job.id,
                    training_s=trained_s,
                    created_at=clock.now(),
                )
                session.add(model)
            elif model.status in (ModelStatus.deleted, ModelStatus.rejected):
                model.status = ModelStatus.candidate
            detail = f"job {run.job.id}: {mode}, {trained_s} s"
            session.add(
                audit.entry(None, "trained", model.id, detail, actor_name=run.job.requested_by_name)
            )
        return model

    def _judge(self, run: TrainingRun, model: ContentModel, progress: Progress) -> dict[str, Any]:
        """The candidate in its own engine (kept a while for "try it"), then the gate."""
        engine = self.engines.running_for(model.id)
        if engine is None:
            progress("starting_engine", 76, "Starting the candidate model in its own engine…")
            engine = self.engines.start(model, self.content.engine_start_timeout_s)
        self.engines.keep_for(engine, self.content.candidate_ttl_s)
        progress("evaluating", 86, "Evaluating the candidate against the live model…")
        report = gate.evaluate(
            run.build,
            engine.url,
            run.live_url,
            token=self.settings.engine_token.get_secret_value(),
            floor=self.content.gate_floor,
            margin=self.content.gate_margin,
        )
        run.note(gate=report)
        with registry.transaction(self.db) as session:
            row = session.get(ContentModel, model.id)
            if row is not None:
                row.accuracy = report["candidate"].get("all")
                if not report["passed"]:
                    row.status = ModelStatus.rejected
        return report

    def record_details(self, job_id: int, details: dict[str, Any]) -> None:
        """Merge `details` into the job row's details."""
        with registry.transaction(self.db) as session:
            row = session.get(ContentJob, job_id)
            if row is not None:
                row.details = {**(row.details or {}), **details}


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
        prog="python -m pipeline.worker", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--port", type=int, required=True, help="port of GET /health")
    parser.add_argument(
        "--endpoints",
        type=Path,
        default=Path(os.environ.get("BANKBOT_ENDPOINTS", ROOT / VAR_DIR / "run" / "endpoints.yml")),
        help="the engines' endpoints file (tracker store, action server)",
    )
    args = parser.parse_args(argv)
    settings = Settings()
    if settings.log_format == "json":
        logjson.install()
    else:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per health check otherwise
    worker = Worker(settings, ContentSettings(), args.endpoints)
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
