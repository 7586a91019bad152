"""Four eyes: a change is a draft until a second person approves it.

* Editors propose (add, edit, retire); supervisors and editors review.
* Nobody approves their own change (checked by account, not by name).
* One pending change per FAQ, held by the database (`pending_key` is unique):
  the author may replace their own draft; anyone else is told who holds it.
* Approving writes a new immutable version; `(faq_id, number)` is unique, so two
  reviewers approving at once cannot both write version n+1.
* A change whose checks find blocking problems (the problems it brings in) can
  be saved but not approved.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from faqs.content import Content, digest
from faqs.review import Finding, introduced, run_checks
from handoff.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from handoff.models import (
    Agent,
    ChangeKind,
    ChangeStatus,
    ContentChange,
    ContentFaq,
    ContentFaqVersion,
    ContentRepoSync,
    StaffRole,
)
from handoff.services.clock import clock
from handoff.services.content import audit, store
from handoff.services.content.faqdata import diff, summarise
from handoff.services.content.settings import ContentSettings

REVIEWERS = (StaffRole.editor, StaffRole.supervisor)


def require_editor(staff: Agent) -> None:
    """Writing content is the content team's job."""
    if staff.role != StaffRole.editor:
        raise Forbidden("Only content editors may change FAQs.", code="editors_only")


def require_reader(staff: Agent) -> None:
    """Editors work here; supervisors may read and review; agents have no access."""
    if staff.role not in REVIEWERS:
        raise Forbidden("The content pages are for content editors and supervisors.")


# --------------------------------------------------------------------------- checks


async def findings_for(settings: ContentSettings, faqs: Mapping[str, Content]) -> list[Finding]:
    """`faqs.review.run_checks` off the event loop (it takes a moment on the whole set)."""
    return await asyncio.to_thread(
        run_checks,
        dict(faqs),
        repo_root=settings.repo_root,
        catalog_path=settings.catalog_path,
        min_examples=settings.min_examples,
    )


async def change_findings(
    session: AsyncSession, settings: ContentSettings, faq_id: str, content: Content | None
) -> list[Finding]:
    """The problems this change would bring into the approved set."""
    current = await store.approved_set(session)
    after = dict(current)
    if content is None:
        after.pop(faq_id, None)
    else:
        after[faq_id] = content
    before, later = await asyncio.gather(
        findings_for(settings, current), findings_for(settings, after)
    )
    return introduced(before, later)


# --------------------------------------------------------------------------- proposing


async def propose(
    session: AsyncSession,
    settings: ContentSettings,
    author: Agent,
    faq_id: str,
    kind: ChangeKind,
    content: Content | None,
    *,
    source: str = "page",
    batch: str | None = None,
    commit: bool = True,
) -> ContentChange:
    """Save a draft change; replaces the author's own pending draft of the same FAQ."""
    require_editor(author)
    faq = await session.get(ContentFaq, faq_id)
    before = await store.current_content(session, faq) if faq else None
    if kind == ChangeKind.add and faq is not None and not faq.retired:
        raise Conflict(f"A FAQ '{faq_id}' already exists; edit it instead.", code="faq_exists")
    if kind in (ChangeKind.edit, ChangeKind.retire) and (faq is None or faq.retired):
        raise NotFound(f"There is no active FAQ '{faq_id}'.")
    if kind == ChangeKind.retire:
        content = None
    elif content is None:
        raise InvalidInput("The change has no content.")
    elif kind == ChangeKind.edit and digest(content) == digest(before):
        raise InvalidInput("Nothing changed: the draft is the same as the approved version.",
                           code="no_change")  # fmt: skip

    pending = await session.scalar(
        select(ContentChange).where(
            ContentChange.faq_id == faq_id, ContentChange.status == ChangeStatus.pending
        )
    )
    if pending is not None:
        if pending.author_id != author.id:
            raise Conflict(
                f"{pending.author_name} already has a change to '{faq_id}' waiting for "
                f"approval (change #{pending.id}); review it or ask them to withdraw it.",
                code="pending_change",
            )
        pending.status, pending.pending_key = ChangeStatus.withdrawn, None
        pending.review_note = "replaced by a newer draft"
        await session.flush()

    change = ContentChange(
        faq_id=faq_id,
        kind=kind,
        content=content,
        base_version_id=faq.current_version_id if faq else None,
        status=ChangeStatus.pending,
        pending_key=faq_id,
        source=source,
        batch=batch,
        summary=summarise(kind.value, before, content)[:400],
        author_id=author.id,
        author_name=audit.who(author),
        created_at=clock.now(),
    )
    session.add(change)
    try:
        await session.flush()
    except IntegrityError as exc:  # someone else's draft landed a moment ago
        await session.rollback()
        raise Conflict(
            f"Someone else has just proposed a change to '{faq_id}'; reload and review it.",
            code="pending_change",
        ) from exc
    session.add(audit.entry(author, f"propose_{kind.value}", faq_id, change.summary))
    if commit:
        await session.commit()
    return change


async def withdraw(session: AsyncSession, staff: Agent, change_id: int) -> ContentChange:
    """The author takes back their own pending draft."""
    change = await _pending(session, change_id)
    if change.author_id != staff.id:
        raise Forbidden("Only the author can withdraw a draft; others may reject it.")
    change.status, change.pending_key = ChangeStatus.withdrawn, None
    change.reviewed_at = clock.now()
    session.add(audit.entry(staff, "withdraw", change.faq_id, f"change #{change.id}"))
    await session.commit()
    return change


async def reject(
    session: AsyncSession, reviewer: Agent, change_id: int, note: str
) -> ContentChange:
    """A reviewer sends a draft back, saying why."""
    require_reader(reviewer)
    change = await _pending(session, change_id)
    if change.author_id == reviewer.id:
        raise Forbidden("Withdraw your own draft instead of rejecting it.")
    if not note.strip():
        raise InvalidInput("Say why the change is rejected, so the author can fix it.")
    _review(change, reviewer, ChangeStatus.rejected, note)
    session.add(audit.entry(reviewer, "reject", change.faq_id, f"change #{change.id}: {note}"))
    await session.commit()
    return change


async def approve(
    session: AsyncSession,
    settings: ContentSettings,
    reviewer: Agent,
    change_id: int,
    note: str = "",
) -> ContentFaqVersion:
    """A second person approves: the change becomes the FAQ's newest version."""
    require_reader(reviewer)
    change = await _pending(session, change_id)
    if change.author_id == reviewer.id:
        raise Forbidden(
            "You cannot approve your own change: a second editor or a supervisor must.",
            code="four_eyes",
        )
    blocking = [
        f for f in await change_findings(session, settings, change.faq_id, change.content)
        if f.blocking
    ]  # fmt: skip
    if blocking:
        raise InvalidInput(
            "This change cannot be approved until its problems are fixed: "
            + " ".join(f.message for f in blocking[:10]),
            code="checks_failed",
        )
    version = await _apply(session, change, reviewer)
    _review(change, reviewer, ChangeStatus.approved, note)
    session.add(
        audit.entry(reviewer, "approve", change.faq_id,
                    f"change #{change.id} by {change.author_name} -> version {version.number}: "
                    f"{change.summary}")
    )  # fmt: skip
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict("Someone approved a change to this FAQ at the same moment; reload.") from exc
    return version


async def approve_batch(
    session: AsyncSession, settings: ContentSettings, reviewer: Agent, batch: str
) -> int:
    """Approve every pending change of one spreadsheet import (each checked as above)."""
    ids = list(
        await session.scalars(
            select(ContentChange.id).where(
                ContentChange.batch == batch, ContentChange.status == ChangeStatus.pending
            )
        )
    )
    if not ids:
        raise NotFound("No pending changes in this import.")
    for change_id in ids:
        await approve(session, settings, reviewer, change_id)
    return len(ids)


async def _apply(
    session: AsyncSession, change: ContentChange, reviewer: Agent
) -> ContentFaqVersion:
    faq = await session.get(ContentFaq, change.faq_id)
    current_id = faq.current_version_id if faq else None
    if change.base_version_id != current_id:
        raise Conflict(
            "The FAQ changed since this draft was written; the author must redo it.",
            code="stale_change",
        )
    now = clock.now()
    retired = change.kind == ChangeKind.retire
    version = ContentFaqVersion(
        faq_id=change.faq_id,
        number=(faq.version if faq else 0) + 1,
        content=None if retired else change.content,
        retired=retired,
        digest=digest(change.content) or "retired",
        source=change.source,
        change_id=change.id,
        author_id=change.author_id,
        author_name=change.author_name,
        approver_id=reviewer.id,
        approver_name=audit.who(reviewer),
        created_at=now,
    )
    session.add(version)
    await session.flush()
    category = (change.content or {}).get("category") or (faq.category if faq else "")
    if faq is None:
        faq = ContentFaq(id=change.faq_id, category=category, version=0, current_version_id=0)
        session.add(faq)
    faq.version, faq.current_version_id = version.number, version.id
    faq.retired, faq.category, faq.updated_at = retired, category, now
    if change.source == "repository":
        # Adopting the repository's file: both sides now agree on it.
        sync = await session.get(ContentRepoSync, change.faq_id)
        if sync is None:
            sync = ContentRepoSync(faq_id=change.faq_id)
            session.add(sync)
        sync.repo_digest = sync.db_digest = digest(change.content)
        sync.synced_at = now
    return version


def _review(change: ContentChange, reviewer: Agent, status: ChangeStatus, note: str) -> None:
    change.status, change.pending_key = status, None
    change.reviewer_id, change.reviewer_name = reviewer.id, audit.who(reviewer)
    change.reviewed_at, change.review_note = clock.now(), (note.strip()[:500] or None)


async def _pending(session: AsyncSession, change_id: int) -> ContentChange:
    change = await session.get(ContentChange, change_id)
    if change is None:
        raise NotFound("No such change.")
    if change.status != ChangeStatus.pending:
        raise Conflict(f"This change is already {change.status.value}.", code="not_pending")
    return change


# --------------------------------------------------------------------------- views


def new_batch_id() -> str:
    """A fresh id grouping the changes of one import."""
    return secrets.token_hex(8)


async def list_changes(
    session: AsyncSession, *, status: ChangeStatus | None = ChangeStatus.pending, limit: int = 200
) -> list[dict[str, Any]]:
    """Changes, newest first (pending ones by default)."""
    query = select(ContentChange).order_by(ContentChange.id.desc()).limit(limit)
    if status is not None:
        query = query.where(ContentChange.status == status)
    return [change_row(c) for c in await session.scalars(query)]


def change_row(change: ContentChange) -> dict[str, Any]:
    """A change as the lists show it."""
    return {
        "id": change.id,
        "faq_id": change.faq_id,
        "kind": change.kind.value,
        "status": change.status.value,
        "summary": change.summary,
        "source": change.source,
        "batch": change.batch,
        "author": change.author_name,
        "author_id": change.author_id,
        "created_at": change.created_at.isoformat(),
        "reviewer": change.reviewer_name,
        "reviewed_at": change.reviewed_at.isoformat() if change.reviewed_at else None,
        "review_note": change.review_note,
    }


async def change_detail(
    session: AsyncSession, settings: ContentSettings, viewer: Agent, change_id: int
) -> dict[str, Any]:
    """The approval page: both versions side by side, the problems it brings, who may act."""
    change = await session.get(ContentChange, change_id)
    if change is None:
        raise NotFound("No such change.")
    base = (
        await session.get(ContentFaqVersion, change.base_version_id)
        if change.base_version_id
        else None
    )
    before = base.content if base and not base.retired else None
    after = None if change.kind == ChangeKind.retire else change.content
    findings = (
        await change_findings(session, settings, change.faq_id, after)
        if change.status == ChangeStatus.pending
        else []
    )
    pending = change.status == ChangeStatus.pending
    return {
        **change_row(change),
        "base_version": base.number if base else None,
        "before": before,
        "after": after,
        "diff": [row.view() for row in diff(before, after)],
        "findings": [f.view() for f in findings],
        "can_approve": pending
        and viewer.role in REVIEWERS
        and viewer.id != change.author_id
        and not any(f.blocking for f in findings),
        "can_reject": pending and viewer.role in REVIEWERS and viewer.id != change.author_id,
        "can_withdraw": pending and viewer.id == change.author_id,
    }
