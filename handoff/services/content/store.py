"""FAQs in the gateway database: seeding from the repository, listing, history.

The database holds every approved version; the newest one of each FAQ is what
the next training uses. On first start the repository's `content/faqs/*.yml`
becomes version 1 of each FAQ (author and approver "repository").
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from faqs.content import Content
from handoff.core.errors import NotFound
from handoff.models import (
    ChangeStatus,
    ContentChange,
    ContentFaq,
    ContentFaqVersion,
    ContentModel,
    ContentRepoSync,
)
from handoff.services.clock import clock
from handoff.services.content import audit
from handoff.services.content.faqdata import read_repository, summarise

log = logging.getLogger(__name__)

REPOSITORY = "repository (content/faqs)"


async def seed_from_repository(session: AsyncSession, content_dir: Path) -> int:
    """Version 1 of every repository FAQ, once, into an empty store; returns how many.

    Several gateways may start at once: the first to commit wins, the others
    see the primary keys taken and leave the store as it is.
    """
    if await session.scalar(select(func.count()).select_from(ContentFaq)):
        return 0
    files = read_repository(content_dir)
    for faq_id, file in files.items():
        if file.error:
            log.error("content: %s is not seeded: %s", faq_id, file.error)
    now = clock.now()
    try:
        seeded = [(faq_id, f.content, f.digest) for faq_id, f in sorted(files.items()) if f.content]
        for faq_id, content, fingerprint in seeded:
            version = ContentFaqVersion(
                faq_id=faq_id, number=1, content=content, retired=False, digest=fingerprint,
                source="repository", author_name=REPOSITORY, approver_name=REPOSITORY,
                created_at=now,
            )  # fmt: skip
            session.add(version)
            await session.flush()
            session.add(
                ContentFaq(
                    id=faq_id, category=content["category"], version=1,
                    current_version_id=version.id, updated_at=now,
                )
            )  # fmt: skip
            session.add(
                ContentRepoSync(
                    faq_id=faq_id, repo_digest=fingerprint, db_digest=fingerprint, synced_at=now
                )
            )
        session.add(
            audit.entry(
                None, "seed", "all FAQs",
                f"{len(seeded)} FAQs loaded from {content_dir} as version 1",
                actor_name=REPOSITORY,
            )
        )  # fmt: skip
        await session.commit()
    except IntegrityError:
        await session.rollback()
        return 0
    return len(seeded)


async def approved_set(session: AsyncSession) -> dict[str, Content]:
    """Every active FAQ's newest approved content, by id: what training uses."""
    rows = await session.execute(
        select(ContentFaq.id, ContentFaqVersion.content)
        .join(ContentFaqVersion, ContentFaqVersion.id == ContentFaq.current_version_id)
        .where(ContentFaq.retired.is_(False))
        .order_by(ContentFaq.id)
    )
    return {faq_id: content for faq_id, content in rows}


async def approved_versions(session: AsyncSession) -> dict[str, int]:
    """{faq id: current version id} of the active FAQs (a training's snapshot)."""
    rows = await session.execute(
        select(ContentFaq.id, ContentFaq.current_version_id).where(ContentFaq.retired.is_(False))
    )
    return {faq_id: version_id for faq_id, version_id in rows}


async def trained_versions(session: AsyncSession, model: ContentModel | None) -> dict[str, int]:
    """{faq id: version id} a model was trained on.

    For the repository's own model (trained by `make run` from content/faqs):
    the versions seeded from those files.
    """
    if model is None:
        return {}
    if not model.from_repository:
        return dict(model.snapshot or {})
    rows = await session.execute(
        select(ContentFaqVersion.faq_id, ContentFaqVersion.id).where(
            ContentFaqVersion.number == 1, ContentFaqVersion.source == "repository"
        )
    )
    return {faq_id: version_id for faq_id, version_id in rows}


async def get_faq(session: AsyncSession, faq_id: str) -> ContentFaq:
    """A FAQ (404 if unknown)."""
    faq = await session.get(ContentFaq, faq_id)
    if faq is None:
        raise NotFound(f"There is no FAQ '{faq_id}'.")
    return faq


async def current_content(session: AsyncSession, faq: ContentFaq) -> Content | None:
    """The FAQ's approved content (None once retired)."""
    version = await session.get(ContentFaqVersion, faq.current_version_id)
    return None if version is None or version.retired else version.content


async def list_faqs(
    session: AsyncSession, *, search: str = "", include_retired: bool = False
) -> list[dict[str, Any]]:
    """FAQs for the list page, with their pending change if any.

    `search` looks in the id, questions, answers and examples (case-insensitive,
    both languages).
    """
    query = (
        select(ContentFaq, ContentFaqVersion)
        .join(ContentFaqVersion, ContentFaqVersion.id == ContentFaq.current_version_id)
        .order_by(ContentFaq.category, ContentFaq.id)
    )
    if not include_retired:
        query = query.where(ContentFaq.retired.is_(False))
    pending = {
        change.faq_id: change
        for change in await session.scalars(
            select(ContentChange).where(ContentChange.status == ChangeStatus.pending)
        )
    }
    needle = search.strip().lower()
    items = []
    for faq, version in await session.execute(query):
        content = version.content or {}
        if needle and needle not in _haystack(faq.id, content):
            continue
        items.append(_faq_row(faq, version, pending.pop(faq.id, None)))
    # New FAQs waiting for approval are listed too (they have no version yet).
    for change in pending.values():
        if change.content is not None and (
            not needle or needle in _haystack(change.faq_id, change.content)
        ):
            items.append(
                {
                    "id": change.faq_id,
                    "category": change.content.get("category", ""),
                    "question": change.content.get("question", {}),
                    "version": 0,
                    "retired": False,
                    "updated_at": change.created_at.isoformat(),
                    "examples": _counts(change.content),
                    "pending_change": _pending_view(change),
                }
            )
    return items


def _haystack(faq_id: str, content: dict[str, Any]) -> str:
    parts = [faq_id]
    for field in ("question", "answer"):
        parts.extend((content.get(field) or {}).values())
    for field in ("examples", "test"):
        for phrases in (content.get(field) or {}).values():
            parts.extend(phrases)
    return "\n".join(parts).lower()


def _counts(content: dict[str, Any] | None) -> dict[str, int]:
    examples = (content or {}).get("examples") or {}
    return {lang: len(examples.get(lang) or []) for lang in ("zh", "en")}


def _pending_view(change: ContentChange | None) -> dict[str, Any] | None:
    if change is None:
        return None
    return {
        "id": change.id,
        "kind": change.kind.value,
        "author": change.author_name,
        "summary": change.summary,
    }


def _faq_row(
    faq: ContentFaq, version: ContentFaqVersion, pending: ContentChange | None
) -> dict[str, Any]:
    content = version.content or {}
    return {
        "id": faq.id,
        "category": faq.category,
        "question": content.get("question", {}),
        "version": faq.version,
        "retired": faq.retired,
        "updated_at": faq.updated_at.isoformat(),
        "examples": _counts(content),
        "pending_change": _pending_view(pending),
    }


async def faq_detail(session: AsyncSession, faq_id: str) -> dict[str, Any]:
    """One FAQ: its approved content, its pending change, its version history."""
    faq = await session.get(ContentFaq, faq_id)
    pending = await session.scalar(
        select(ContentChange).where(
            ContentChange.faq_id == faq_id, ContentChange.status == ChangeStatus.pending
        )
    )
    if faq is None and pending is None:
        raise NotFound(f"There is no FAQ '{faq_id}'.")
    versions = list(
        await session.scalars(
            select(ContentFaqVersion)
            .where(ContentFaqVersion.faq_id == faq_id)
            .order_by(ContentFaqVersion.number.desc())
        )
    )
    current = versions[0] if versions else None
    return {
        "id": faq_id,
        "version": faq.version if faq else 0,
        "retired": faq.retired if faq else False,
        "content": current.content if current and not current.retired else None,
        "pending_change": _pending_view(pending),
        "history": [version_view(v, versions[i + 1] if i + 1 < len(versions) else None)
                    for i, v in enumerate(versions)],
    }  # fmt: skip


def version_view(version: ContentFaqVersion, previous: ContentFaqVersion | None) -> dict[str, Any]:
    """A history entry: who wrote it, who approved it, when, and what it changed."""
    before = previous.content if previous and not previous.retired else None
    kind = "retire" if version.retired else ("add" if before is None else "edit")
    return {
        "number": version.number,
        "author": version.author_name,
        "approver": version.approver_name,
        "source": version.source,
        "created_at": version.created_at.isoformat(),
        "retired": version.retired,
        "summary": "first version"
        if previous is None
        else summarise(kind, before, version.content),
    }
