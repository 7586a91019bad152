"""Spreadsheet import: the file arrives in parts, then every row is validated at once.

Why parts: the gateway refuses any request body over 64 KB (it protects the
customer API), and a whole FAQ set is larger. The page sends the file in
48 KB parts; the total is capped (2 MB) when the upload is opened and again
as parts arrive. Parts live in the database, so any gateway behind the load
balancer can take the next one.

The import is all or nothing: if any row is invalid the answer lists every
rejected row with its reasons and nothing changes; otherwise each new or
changed FAQ becomes a pending change (one batch, approved by a second person).
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from common.plural import count_of
from faqs.content import digest
from faqs.review import introduced
from handoff.core.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge
from handoff.models import (
    Agent,
    ChangeKind,
    ChangeStatus,
    ContentChange,
    ContentFaq,
    ContentUpload,
    ContentUploadPart,
)
from handoff.services.clock import clock
from handoff.services.content import audit, changes, store
from handoff.services.content.faqdata import ContentInvalid, check_id, make_content
from handoff.services.content.settings import ContentSettings
from handoff.services.content.spreadsheet import Row, SheetRejected, read

UPLOAD_TTL = timedelta(hours=1)


class ImportRejected(InvalidInput):
    """Some rows are invalid; `rows` lists each with its reasons. Nothing was changed."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        super().__init__(
            f"{count_of(len(rows), 'row')} rejected; nothing was imported. "
            "Fix them and import again.",
            code="rows_rejected",
        )
        self.rows = rows


async def open_upload(
    session: AsyncSession, settings: ContentSettings, editor: Agent, filename: str, size: int
) -> dict[str, Any]:
    """Start an upload of `size` bytes; refuse files over the cap before any byte is sent."""
    changes.require_editor(editor)
    if not filename.lower().endswith((".xlsx", ".csv")):
        raise InvalidInput("Only .xlsx and .csv files can be imported.", code="bad_file_type")
    if size > settings.max_upload_bytes:
        raise PayloadTooLarge(
            f"The file is {size / 1024 / 1024:.1f} MB; at most "
            f"{settings.max_upload_bytes / 1024 / 1024:.0f} MB can be imported.",
            code="file_too_large",
        )
    if size <= 0:
        raise InvalidInput("The file is empty.", code="empty_file")
    await session.execute(
        delete(ContentUpload).where(ContentUpload.created_at < clock.now() - UPLOAD_TTL)
    )
    upload = ContentUpload(
        id=secrets.token_hex(16), owner_id=editor.id, filename=filename[:200], size=size,
        created_at=clock.now(),
    )  # fmt: skip
    session.add(upload)
    await session.commit()
    return {"id": upload.id, "part_bytes": settings.upload_part_bytes}


async def _own_upload(session: AsyncSession, editor: Agent, upload_id: str) -> ContentUpload:
    upload = await session.get(ContentUpload, upload_id)
    if upload is None or upload.owner_id != editor.id:
        raise NotFound("No such upload (uploads expire after an hour).")
    return upload


async def add_part(
    session: AsyncSession, editor: Agent, upload_id: str, number: int, data: bytes
) -> dict[str, Any]:
    """Store part `number` (0, 1, 2, ... in order); more bytes than announced is refused."""
    upload = await _own_upload(session, editor, upload_id)
    expected = await session.scalar(
        select(func.count())
        .select_from(ContentUploadPart)
        .where(ContentUploadPart.upload_id == upload_id)
    )
    if number != expected:
        raise Conflict(f"Part {expected} is expected next, not part {number}.", code="part_order")
    if upload.received + len(data) > upload.size:
        raise PayloadTooLarge("More data arrived than the upload announced.", code="too_much_data")
    session.add(ContentUploadPart(upload_id=upload_id, number=number, data=data))
    upload.received += len(data)
    await session.commit()
    return {"received": upload.received, "size": upload.size}


async def finish_import(
    session: AsyncSession, settings: ContentSettings, editor: Agent, upload_id: str
) -> dict[str, Any]:
    """Validate every row; all good -> one batch of pending changes; else ImportRejected."""
    upload = await _own_upload(session, editor, upload_id)
    if upload.received != upload.size:
        raise Conflict(
            f"Only {upload.received} of {upload.size} bytes have arrived.", code="incomplete"
        )
    parts = await session.scalars(
        select(ContentUploadPart.data)
        .where(ContentUploadPart.upload_id == upload_id)
        .order_by(ContentUploadPart.number)
    )
    data = b"".join(parts)
    filename = upload.filename
    await session.delete(upload)
    await session.commit()
    return await import_sheet(session, settings, editor, data, filename)


async def import_sheet(
    session: AsyncSession, settings: ContentSettings, editor: Agent, data: bytes, filename: str
) -> dict[str, Any]:
    """The import itself (also used directly by tests and scripts)."""
    changes.require_editor(editor)
    try:
        # Parsing a large workbook takes seconds of CPU: never on the event loop.
        rows = await asyncio.to_thread(
            read, data, filename, max_bytes=settings.max_upload_bytes, max_rows=settings.max_rows
        )
    except SheetRejected as exc:
        raise InvalidInput(str(exc), code="bad_sheet") from exc

    approved = await store.approved_set(session)
    known = {faq.id: faq for faq in await session.scalars(select(ContentFaq))}
    pending = {
        c.faq_id: c
        for c in await session.scalars(
            select(ContentChange).where(ContentChange.status == ChangeStatus.pending)
        )
    }
    planned: list[tuple[Row, ChangeKind, dict[str, Any] | None]] = []
    seen: dict[str, int] = {}
    unchanged = 0
    for row in rows:
        faq_id = row.faq_id
        try:
            check_id(faq_id)
        except ContentInvalid as exc:
            row.reasons.extend(exc.reasons)
        if faq_id in seen:
            row.reasons.append(f"the id '{faq_id}' is already used in row {seen[faq_id]}")
        seen.setdefault(faq_id, row.number)
        other = pending.get(faq_id)
        if other is not None and other.author_id != editor.id:
            row.reasons.append(f"{other.author_name} has a change to it waiting for approval")
        exists = faq_id in known and not known[faq_id].retired
        if row.retire:
            if not exists:
                row.reasons.append("it is marked retire but there is no such active FAQ")
            else:
                planned.append((row, ChangeKind.retire, None))
            continue
        try:
            content = make_content(row.content())
        except ContentInvalid as exc:
            row.reasons.extend(exc.reasons)
            continue
        if exists and digest(content) == digest(approved.get(faq_id)):
            unchanged += 1
            continue
        planned.append((row, ChangeKind.edit if exists else ChangeKind.add, content))

    # The service rules, on the whole set as it would be after the import.
    after = dict(approved)
    for row, kind, proposed in planned:
        if kind == ChangeKind.retire:
            after.pop(row.faq_id, None)
        elif not row.reasons and proposed is not None:
            after[row.faq_id] = proposed
    before_findings = await changes.findings_for(settings, approved)
    after_findings = await changes.findings_for(settings, after)
    by_faq: dict[str, list[str]] = {}
    for finding in introduced(before_findings, after_findings):
        if finding.blocking and finding.faq_id:
            by_faq.setdefault(finding.faq_id, []).append(finding.message)
    for row, _, _ in planned:
        row.reasons.extend(by_faq.get(row.faq_id, []))

    rejected = [
        {"row": row.number, "faq_id": row.faq_id, "reasons": row.reasons}
        for row in rows
        if row.reasons
    ]
    if rejected:
        raise ImportRejected(rejected)
    if not planned:
        return {"batch": None, "changes": 0, "unchanged": unchanged, "rows": len(rows)}
    batch = changes.new_batch_id()
    for row, kind, proposed in planned:
        await changes.propose(
            session, settings, editor, row.faq_id, kind, proposed,
            source="import", batch=batch, commit=False,
        )  # fmt: skip
    session.add(
        audit.entry(editor, "import", f"import {batch}",
                    f"{filename}: {count_of(len(planned), 'change')} proposed, "
                    f"{unchanged} unchanged")
    )  # fmt: skip
    await session.commit()
    return {"batch": batch, "changes": len(planned), "unchanged": unchanged, "rows": len(rows)}
