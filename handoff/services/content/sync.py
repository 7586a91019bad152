"""The repository's files and the database's approved content never disagree silently.

The rule: **the approved content in the database is what customers get; the
repository's `content/faqs/*.yml` never overwrites it by itself.** For every
FAQ we remember both fingerprints from the last time they agreed (the seed,
an adoption or an export: `content_repo_sync`). Comparing today's fingerprints
with those tells who moved:

| repository file      | database           | shown as            | one-click action            |
|----------------------|--------------------|---------------------|-----------------------------|
| changed since sync   | unchanged          | `repository_newer`  | adopt the repository version |
| unchanged            | changed (approved) | `database_newer`    | export to files             |
| changed              | changed            | `both_changed`      | either, after comparing     |

Adopting creates a pending change from the file (four eyes still apply: a
second person approves it). Exporting writes the approved content to
`content/faqs/<id>.yml` (deleting the file of a retired FAQ) and regenerates
the Rasa files with `faqs.render.render`, so the developers' `make train`
builds what the content team approved; the developers commit it.
The gateway logs the number of differences at start-up and the content page lists them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from common.plural import count_of
from faqs.content import Content, digest, to_faq
from faqs.files import format_faq, load_faqs
from faqs.model import ContentError
from faqs.render import render
from handoff.core.errors import Conflict, NotFound
from handoff.models import Agent, ChangeKind, ContentFaq, ContentFaqVersion, ContentRepoSync
from handoff.services.clock import clock
from handoff.services.content import audit, changes
from handoff.services.content.faqdata import RepoFile, read_repository
from handoff.services.content.settings import ContentSettings


async def _db_state(session: AsyncSession) -> dict[str, tuple[str | None, Content | None]]:
    rows = await session.execute(
        select(ContentFaq.id, ContentFaqVersion.retired, ContentFaqVersion.content).join(
            ContentFaqVersion, ContentFaqVersion.id == ContentFaq.current_version_id
        )
    )
    return {
        faq_id: (None, None) if retired else (digest(content), content)
        for faq_id, retired, content in rows
    }


async def differences(session: AsyncSession, settings: ContentSettings) -> list[dict[str, Any]]:
    """Every FAQ where the repository file and the approved content differ."""
    repo = read_repository(settings.content_dir)
    db = await _db_state(session)
    synced = {row.faq_id: row for row in await session.scalars(select(ContentRepoSync))}
    out = []
    for faq_id in sorted(set(repo) | set(db)):
        file = repo.get(faq_id, RepoFile(None, None, None))
        repo_digest, error = file.digest, file.error
        db_digest, _ = db.get(faq_id, (None, None))
        if error is None and repo_digest == db_digest:
            continue
        last = synced.get(faq_id)
        repo_moved = error is not None or last is None or last.repo_digest != repo_digest
        db_moved = last is None or last.db_digest != db_digest
        if last is None:  # never synced: whichever side has it is the newer one
            repo_moved, db_moved = repo_digest is not None, db_digest is not None
        status = (
            "both_changed" if repo_moved and db_moved
            else "repository_newer" if repo_moved
            else "database_newer"
        )  # fmt: skip
        out.append(
            {
                "faq_id": faq_id,
                "status": status,
                "in_repository": faq_id in repo and error is None,
                "in_database": db_digest is not None,
                "repository_error": error,
                "can_adopt": error is None,
                "can_export": True,
            }
        )
    return out


async def adopt(
    session: AsyncSession, settings: ContentSettings, editor: Agent, faq_id: str
) -> dict[str, Any]:
    """Propose the repository's version of a FAQ (a file deleted there proposes retiring)."""
    repo = read_repository(settings.content_dir)
    faq = await session.get(ContentFaq, faq_id)
    if faq_id in repo:
        content, error = repo[faq_id].content, repo[faq_id].error
        if error is not None:
            raise Conflict(f"The repository file cannot be adopted: {error}")
        kind = ChangeKind.edit if faq is not None and not faq.retired else ChangeKind.add
    elif faq is not None and not faq.retired:
        kind, content = ChangeKind.retire, None
    else:
        raise NotFound(f"Neither the repository nor the database has '{faq_id}'.")
    change = await changes.propose(
        session, settings, editor, faq_id, kind, content, source="repository"
    )
    return changes.change_row(change)


async def export(
    session: AsyncSession, settings: ContentSettings, editor: Agent, faq_ids: list[str] | None
) -> list[str]:
    """Write the approved content of these FAQs (all when None) to the repository files.

    Then regenerate the Rasa files from the folder. Returns the ids written.
    """
    changes.require_editor(editor)
    db = await _db_state(session)
    targets = sorted(db if faq_ids is None else faq_ids)
    folder = settings.content_dir
    folder.mkdir(parents=True, exist_ok=True)
    unknown = [faq_id for faq_id in targets if faq_id not in db]
    if unknown:
        raise NotFound(f"There is no FAQ '{unknown[0]}' in the database.")
    now = clock.now()
    for faq_id in targets:
        fingerprint, content = db[faq_id]
        path = folder / f"{faq_id}.yml"
        if content is None:
            path.unlink(missing_ok=True)
        else:
            path.write_text(format_faq(to_faq(faq_id, content)), encoding="utf-8")
        sync = await session.get(ContentRepoSync, faq_id)
        if sync is None:
            sync = ContentRepoSync(faq_id=faq_id)
            session.add(sync)
        sync.repo_digest = sync.db_digest = fingerprint
        sync.synced_at = now
    try:
        render(settings.repo_root, load_faqs(folder))
    except ContentError as exc:  # another file in the folder is broken: say so, keep the export
        session.add(audit.entry(editor, "export_render_failed", "repository", str(exc)))
    session.add(
        audit.entry(editor, "export", "repository",
                    f"{count_of(len(targets), 'FAQ')} written to {folder}: "
                    f"{', '.join(targets)[:3000]}")
    )  # fmt: skip
    await session.commit()
    return targets
