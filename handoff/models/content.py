"""The content team's tables.

FAQs with immutable versions, four-eyes changes, training jobs, trained
models, engines, the live-engine pointer and the audit log::

    content_faqs ──< content_faq_versions      one row per approved version, never changed
         ▲
    content_changes                             drafts (add / edit / retire) awaiting approval
    content_repo_sync                           what the repository's files held when last synced
    content_jobs                                train / deploy / rollback, run by `pipeline.worker`
    content_models ──< content_engines          trained models and the engine processes serving them
    content_live                                one row: the engine every gateway sends customers to
    content_gateways                            each gateway's acknowledgement of the live engine
    content_audit                               who did what, when
    content_uploads ──< content_upload_parts    spreadsheet uploads in parts (the gateway's
                                                64 KB body limit protects the customer API)

Two invariants are kept by the database itself, not by code paths:

* at most one pending change per FAQ (`content_changes.pending_key` is the FAQ id while
  pending and NULL otherwise; NULLs never collide in a unique index), and
* at most one queued-or-running job per lane (`content_jobs.slot`: one training at a
  time, one deployment at a time).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from handoff.models.base import Base, utcnow


def _enum(kind: type[enum.Enum], length: int) -> Enum:
    return Enum(kind, native_enum=False, length=length)


class ChangeKind(enum.StrEnum):
    """What a change does to a FAQ."""

    add = "add"
    edit = "edit"
    retire = "retire"


class ChangeStatus(enum.StrEnum):
    """A change waits for a second person; it ends approved, rejected or withdrawn."""

    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    withdrawn = "withdrawn"


class JobKind(enum.StrEnum):
    """Work for the worker: train (then evaluate and deploy), deploy a model, roll back."""

    train = "train"
    deploy = "deploy"
    rollback = "rollback"


class JobStatus(enum.StrEnum):
    """`rejected`: trained but stopped by the evaluation gate (the live model is untouched)."""

    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    rejected = "rejected"
    failed = "failed"
    cancelled = "cancelled"


class ModelStatus(enum.StrEnum):
    """`candidate`: trained, not live; `live`: serving customers; `previous`: was live."""

    candidate = "candidate"
    live = "live"
    previous = "previous"
    rejected = "rejected"
    deleted = "deleted"


class EngineStatus(enum.StrEnum):
    """An engine process the worker started (or the stack's own engine, `external`)."""

    starting = "starting"
    ready = "ready"
    stopping = "stopping"
    stopped = "stopped"
    failed = "failed"


class ContentFaq(Base):
    """One FAQ as it stands: its newest approved version (retired ones stay, marked)."""

    __tablename__ = "content_faqs"

    id: Mapped[str] = mapped_column(String(48), primary_key=True)
    category: Mapped[str] = mapped_column(String(24))
    retired: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int]
    current_version_id: Mapped[int] = mapped_column(ForeignKey("content_faq_versions.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContentFaqVersion(Base):
    """An approved version, immutable: the whole FAQ, who wrote it, who approved it."""

    __tablename__ = "content_faq_versions"
    __table_args__ = (UniqueConstraint("faq_id", "number", name="uq_content_faq_versions_number"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    faq_id: Mapped[str] = mapped_column(String(48), index=True)
    number: Mapped[int]
    # {"category", "question": {zh, en}, "answer": {zh, en}, "examples": {zh: [], en: []},
    #  "test": {zh: [], en: []}}; null when the version retires the FAQ.
    content: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    retired: Mapped[bool] = mapped_column(default=False)
    digest: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))  # repository | page | import
    change_id: Mapped[int | None]  # the change it came from (none for the repository seed)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    author_name: Mapped[str] = mapped_column(String(80))
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    approver_name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContentChange(Base):
    """A proposed add, edit or retire: a draft until another editor or supervisor approves."""

    __tablename__ = "content_changes"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    faq_id: Mapped[str] = mapped_column(String(48), index=True)
    kind: Mapped[ChangeKind] = mapped_column(_enum(ChangeKind, 8))
    content: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    base_version_id: Mapped[int | None] = mapped_column(ForeignKey("content_faq_versions.id"))
    status: Mapped[ChangeStatus] = mapped_column(_enum(ChangeStatus, 10), index=True)
    pending_key: Mapped[str | None] = mapped_column(String(48), unique=True)
    source: Mapped[str] = mapped_column(String(16))  # page | import | repository
    batch: Mapped[str | None] = mapped_column(String(32), index=True)
    summary: Mapped[str] = mapped_column(String(400))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    author_name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    reviewer_name: Mapped[str | None] = mapped_column(String(80))
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str | None] = mapped_column(String(500))


class ContentRepoSync(Base):
    """Per FAQ: the repository file's and the database's digests when they last agreed."""

    __tablename__ = "content_repo_sync"

    faq_id: Mapped[str] = mapped_column(String(48), primary_key=True)
    repo_digest: Mapped[str | None] = mapped_column(String(64))  # null: no file
    db_digest: Mapped[str | None] = mapped_column(String(64))  # null: not in the database
    synced_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContentJob(Base):
    """A unit of work for `pipeline.worker`, with progress the page polls."""

    __tablename__ = "content_jobs"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    kind: Mapped[JobKind] = mapped_column(_enum(JobKind, 10))
    # "train" or "deploy" while queued or running, NULL after: one per lane at a time.
    slot: Mapped[str | None] = mapped_column(String(8), unique=True)
    status: Mapped[JobStatus] = mapped_column(_enum(JobStatus, 10), index=True)
    stage: Mapped[str] = mapped_column(String(24), default="queued")
    percent: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(String(500), default="")
    model_id: Mapped[str | None] = mapped_column(String(64))
    auto_deploy: Mapped[bool] = mapped_column(default=True)
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    requested_by_name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]


class ContentModel(Base):
    """A trained model file and what it was trained from."""

    __tablename__ = "content_models"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # file name without .tar.gz
    path: Mapped[str] = mapped_column(String(500))
    status: Mapped[ModelStatus] = mapped_column(_enum(ModelStatus, 10))
    # {faq_id: version id} of the approved content it was trained on; {} for the
    # repository's own model (trained by `make run` from content/faqs).
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    from_repository: Mapped[bool] = mapped_column(default=False)
    mode: Mapped[str] = mapped_column(String(12), default="full")  # full | reused | repository
    accuracy: Mapped[float | None]
    job_id: Mapped[int | None] = mapped_column(ForeignKey("content_jobs.id"))
    training_s: Mapped[float | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deployed_at: Mapped[datetime | None]
    retired_at: Mapped[datetime | None]


class ContentEngine(Base):
    """An engine process serving one model; `owner` says who may stop it."""

    __tablename__ = "content_engines"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    model_id: Mapped[str] = mapped_column(String(64), index=True)
    url: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int | None]
    owner: Mapped[str] = mapped_column(String(8))  # worker | stack
    status: Mapped[EngineStatus] = mapped_column(_enum(EngineStatus, 10), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    stop_after: Mapped[datetime | None]  # the worker stops it then (drained / unused candidate)
    stopped_at: Mapped[datetime | None]


class ContentLive(Base):
    """One row (id 1): the engine customers are served by. Gateways poll it."""

    __tablename__ = "content_live"

    id: Mapped[int] = mapped_column(primary_key=True)
    engine_url: Mapped[str] = mapped_column(String(200))
    model_id: Mapped[str] = mapped_column(String(64))
    generation: Mapped[int]
    switched_at: Mapped[datetime] = mapped_column(default=utcnow)
    worker_seen_at: Mapped[datetime | None]  # the worker's heartbeat (the page warns when old)


class ContentGateway(Base):
    """A gateway process's last acknowledgement: which live generation it now uses."""

    __tablename__ = "content_gateways"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    generation: Mapped[int]
    engine_url: Mapped[str] = mapped_column(String(200))
    seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # The model its engine reports serving (engines that pull their model).
    engine_model: Mapped[str | None] = mapped_column(String(64))


class ContentModelArchive(Base):
    """A live (or once live) model's file, for engines on any host to pull from a gateway."""

    __tablename__ = "content_model_archives"

    model_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    stored_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContentAudit(Base):
    """Every change, approval, training, deployment and rollback, with who did it."""

    __tablename__ = "content_audit"
    __table_args__ = (Index("ix_content_audit_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    actor_name: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(80))
    detail: Mapped[str] = mapped_column(Text, default="")


class ContentUpload(Base):
    """A spreadsheet being uploaded in parts by one staff member."""

    __tablename__ = "content_uploads"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(200))
    size: Mapped[int]
    received: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ContentUploadPart(Base):
    """One part of an upload, in order."""

    __tablename__ = "content_upload_parts"

    upload_id: Mapped[str] = mapped_column(
        ForeignKey("content_uploads.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
