"""The content audit log: one row per change, approval, training, deployment, rollback.

`entry()` only builds the row, so the gateway (async sessions) and the worker
(sync sessions) add it in the same transaction as the thing it records.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.models import Agent, ContentAudit

SYSTEM = "system"


def entry(
    actor: Agent | None,
    action: str,
    subject: str,
    detail: str = "",
    *,
    actor_name: str | None = None,
    at: datetime | None = None,
) -> ContentAudit:
    """An audit row; `actor` None means the system (the worker acting on its own)."""
    row = ContentAudit(
        actor_id=actor.id if actor else None,
        actor_name=actor_name or (who(actor) if actor else SYSTEM),
        action=action,
        subject=subject[:80],
        detail=detail[:4000],
    )
    if at is not None:
        row.at = at
    return row


def who(agent: Agent) -> str:
    """How a staff member is named in the content tables."""
    return f"{agent.display_name} ({agent.username})"


async def recent(
    session: AsyncSession, *, limit: int = 200, subject: str | None = None
) -> list[dict[str, Any]]:
    """The newest entries first (optionally about one FAQ, job or model)."""
    query = select(ContentAudit).order_by(ContentAudit.id.desc()).limit(limit)
    if subject:
        query = query.where(ContentAudit.subject == subject)
    rows = await session.scalars(query)
    return [
        {
            "id": row.id,
            "at": row.at.isoformat(),
            "actor": row.actor_name,
            "action": row.action,
            "subject": row.subject,
            "detail": row.detail,
        }
        for row in rows
    ]
