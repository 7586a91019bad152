"""The worker's side of the tables: which model files are kept, one taker per job."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from handoff.migrate import upgrade
from handoff.models import ContentJob, ContentModel, JobKind, JobStatus, ModelStatus
from pipeline.registry import make_db, prune_models, transaction
from pipeline.worker import Worker


def test_pruning_keeps_the_live_model_and_the_rollback_targets(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/gateway.db"
    upgrade(url)
    db = make_db(url)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    statuses = (
        [ModelStatus.previous] * 3  # oldest: were live, the rollback window
        + [ModelStatus.live]
        + [ModelStatus.rejected] * 6  # newest: candidates the gate stopped
    )
    with transaction(db) as session:
        for index, status in enumerate(statuses):
            path = tmp_path / f"m{index}.tar.gz"
            path.write_bytes(b"model")
            deployed = start + timedelta(days=index) if status != ModelStatus.rejected else None
            session.add(
                ContentModel(
                    id=f"m{index}", path=str(path), status=status, snapshot={},
                    created_at=start + timedelta(days=index), deployed_at=deployed,
                )
            )  # fmt: skip
    with transaction(db) as session:
        deleted = prune_models(session, keep=4, rollback_depth=2)
    # Newest four stay (m6-m9); of the rest the live m3 and the two newest previous stay.
    assert sorted(deleted) == ["m0", "m4", "m5"]
    assert not (tmp_path / "m0.tar.gz").exists() and (tmp_path / "m1.tar.gz").exists()


def test_a_queued_job_has_one_taker(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/gateway.db"
    upgrade(url)
    db = make_db(url)
    with transaction(db) as session:
        session.add(ContentJob(kind=JobKind.train, slot="train", status=JobStatus.queued,
                               requested_by_name="editor1", details={}))  # fmt: skip
    worker = Worker.__new__(Worker)
    worker.db = db
    first, second = worker.claim("train"), worker.claim("train")
    assert first is not None and second is None
    with db() as session:
        assert session.get(ContentJob, first.id).status == JobStatus.running  # type: ignore[union-attr]
