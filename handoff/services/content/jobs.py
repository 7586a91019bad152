"""Training, deployment and rollback requests, and what the page shows about them.

The gateway only writes a job row; `pipeline.worker` does the work and writes
progress back. One queued-or-running job per lane is a database constraint
(`content_jobs.slot` is unique), so two editors pressing "Train" at once get
one training and a clear 409 for the other.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from handoff.models import (
    Agent,
    ContentEngine,
    ContentJob,
    ContentLive,
    ContentModel,
    EngineStatus,
    JobKind,
    JobStatus,
    ModelStatus,
    StaffRole,
)
from handoff.services.clock import as_utc, clock
from handoff.services.content import audit, changes, store
from handoff.services.content.settings import ContentSettings

LANES = {JobKind.train: "train", JobKind.deploy: "deploy", JobKind.rollback: "deploy"}
WORKER_SILENT = timedelta(seconds=30)


async def _enqueue(
    session: AsyncSession,
    staff: Agent,
    kind: JobKind,
    *,
    model_id: str | None = None,
    auto_deploy: bool = True,
) -> ContentJob:
    job = ContentJob(
        kind=kind, slot=LANES[kind], status=JobStatus.queued, stage="queued", percent=0,
        message="Waiting for the training worker…", model_id=model_id, auto_deploy=auto_deploy,
        details={}, requested_by_id=staff.id, requested_by_name=audit.who(staff),
        created_at=clock.now(),
    )  # fmt: skip
    session.add(job)
    try:
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()
        what = "A training" if LANES[kind] == "train" else "A deployment or rollback"
        raise Conflict(f"{what} is already queued or running; wait for it to finish.",
                       code="job_running") from exc  # fmt: skip
    return job


async def request_training(
    session: AsyncSession, settings: ContentSettings, editor: Agent, *, auto_deploy: bool
) -> ContentJob:
    """Queue a training of the approved content; refused while its checks fail."""
    changes.require_editor(editor)
    findings = await changes.findings_for(settings, await store.approved_set(session))
    blocking = [f for f in findings if f.blocking]
    if blocking:
        raise InvalidInput(
            "The approved content has problems to fix before training: "
            + " ".join(f.message for f in blocking[:10]),
            code="checks_failed",
        )
    job = await _enqueue(session, editor, JobKind.train, auto_deploy=auto_deploy)
    how = "deploy if it passes the gate" if auto_deploy else "deploy by hand"
    session.add(audit.entry(editor, "train_requested", f"job {job.id}", how))
    await session.commit()
    return job


async def request_deploy(
    session: AsyncSession, staff: Agent, model_id: str, *, rollback: bool, depth: int
) -> ContentJob:
    """Put a model live: a candidate that passed (editors), or a recent model (rollback)."""
    if rollback:
        changes.require_reader(staff)  # editors and supervisors may roll back
    else:
        changes.require_editor(staff)
    model = await session.get(ContentModel, model_id)
    if model is None or model.status == ModelStatus.deleted:
        raise NotFound("No such model (or its file was removed).")
    if model.status == ModelStatus.live:
        raise Conflict("This model is already live.", code="already_live")
    if rollback:
        allowed = {m["id"] for m in await rollback_targets(session, depth)}
        if model_id not in allowed:
            raise Conflict(f"Only the last {depth} live models can be rolled back to.",
                           code="not_a_rollback_target")  # fmt: skip
    elif model.status != ModelStatus.candidate:
        raise Conflict("Only a candidate that passed the gate can be deployed; roll back instead.",
                       code="not_a_candidate")  # fmt: skip
    kind = JobKind.rollback if rollback else JobKind.deploy
    job = await _enqueue(session, staff, kind, model_id=model_id)
    session.add(audit.entry(staff, f"{kind.value}_requested", model_id, f"job {job.id}"))
    await session.commit()
    return job


async def cancel(session: AsyncSession, staff: Agent, job_id: int) -> ContentJob:
    """Ask the worker to stop a training (a queued one ends at once)."""
    changes.require_editor(staff)
    job = await session.get(ContentJob, job_id)
    if job is None:
        raise NotFound("No such job.")
    if job.status not in (JobStatus.queued, JobStatus.running):
        raise Conflict(f"This job has already ended ({job.status.value}).", code="job_ended")
    if job.kind != JobKind.train:
        raise Forbidden("A deployment cannot be cancelled half-way; roll back afterwards.")
    if job.status == JobStatus.queued:
        job.status, job.slot, job.finished_at = JobStatus.cancelled, None, clock.now()
        job.message = "Cancelled before it started. The live model is unchanged."
    else:
        job.cancel_requested = True
        job.message = "Cancelling…"
    session.add(audit.entry(staff, "cancel", f"job {job.id}", ""))
    await session.commit()
    return job


# --------------------------------------------------------------------------- views


def job_view(job: ContentJob) -> dict[str, Any]:
    """A job as the page shows it (the log tail apart)."""
    details = job.details or {}
    return {
        "id": job.id,
        "kind": job.kind.value,
        "status": job.status.value,
        "stage": job.stage,
        "percent": job.percent,
        "message": job.message,
        "model_id": job.model_id or details.get("model"),
        "auto_deploy": job.auto_deploy,
        "requested_by": job.requested_by_name,
        "created_at": job.created_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "details": {k: details[k] for k in details if k != "log_tail"},
        "log_tail": details.get("log_tail"),
    }


async def job_list(session: AsyncSession, limit: int = 20) -> list[dict[str, Any]]:
    """The newest jobs first."""
    rows = await session.scalars(select(ContentJob).order_by(ContentJob.id.desc()).limit(limit))
    return [job_view(job) for job in rows]


async def get_job(session: AsyncSession, job_id: int) -> dict[str, Any]:
    """One job (404 if unknown)."""
    job = await session.get(ContentJob, job_id)
    if job is None:
        raise NotFound("No such job.")
    return job_view(job)


def model_view(model: ContentModel) -> dict[str, Any]:
    """A model as the page shows it."""
    return {
        "id": model.id,
        "status": model.status.value,
        "from_repository": model.from_repository,
        "mode": model.mode,
        "accuracy": model.accuracy,
        "training_s": model.training_s,
        "job_id": model.job_id,
        "faqs": len(model.snapshot or {}),
        "created_at": model.created_at.isoformat(),
        "deployed_at": model.deployed_at.isoformat() if model.deployed_at else None,
    }


async def rollback_targets(session: AsyncSession, depth: int) -> list[dict[str, Any]]:
    """The last `depth` models that were live before the current one (newest first)."""
    rows = await session.scalars(
        select(ContentModel)
        .where(ContentModel.status == ModelStatus.previous, ContentModel.deployed_at.is_not(None))
        .order_by(ContentModel.deployed_at.desc())
        .limit(depth)
    )
    return [model_view(m) for m in rows]


async def overview(
    session: AsyncSession, settings: ContentSettings, viewer: Agent
) -> dict[str, Any]:
    """The training page: live model, worker state, jobs, candidates, rollback targets.

    `not_live` lists the approved FAQs the live model does not have yet.
    """
    live_row = await session.get(ContentLive, 1)
    live = await session.scalar(select(ContentModel).where(ContentModel.status == ModelStatus.live))
    snapshot = await store.trained_versions(session, live)
    current = await store.approved_versions(session)
    waiting = sorted(
        {i for i, v in current.items() if snapshot.get(i) != v} | (set(snapshot) - set(current))
    )
    seen = live_row.worker_seen_at if live_row else None
    worker_alive = seen is not None and clock.now() - as_utc(seen) < WORKER_SILENT
    candidates = await session.scalars(
        select(ContentModel)
        .where(ContentModel.status.in_([ModelStatus.candidate, ModelStatus.rejected]))
        .order_by(ContentModel.created_at.desc())
        .limit(5)
    )
    return {
        "live": model_view(live) if live else None,
        "live_engine": live_row.engine_url if live_row else None,
        "generation": live_row.generation if live_row else 0,
        "worker": "running" if worker_alive else "not running",
        "not_live": waiting,
        "jobs": await job_list(session),
        "candidates": [model_view(m) for m in candidates],
        "rollback": await rollback_targets(session, settings.rollback_depth),
        "can_train": viewer.role == StaffRole.editor,
        "can_rollback": viewer.role in changes.REVIEWERS,
    }


async def candidate_engine(session: AsyncSession) -> tuple[str, str] | None:
    """(model id, URL) of the newest running candidate engine, for "try it"."""
    live = await session.get(ContentLive, 1)
    row = await session.execute(
        select(ContentEngine.model_id, ContentEngine.url)
        .join(ContentModel, ContentModel.id == ContentEngine.model_id)
        .where(
            ContentEngine.status == EngineStatus.ready,
            ContentModel.status.in_([ModelStatus.candidate, ModelStatus.rejected]),
        )
        .order_by(ContentEngine.id.desc())
        .limit(1)
    )
    found = row.first()
    if found is None or (live is not None and found[1] == live.engine_url):
        return None
    return found[0], found[1]
