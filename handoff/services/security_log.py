"""The security event log: one structured line per event, and a row in `security_events`.

Kinds: `login_failed`, `login_limited`, `lockout`, `forbidden` (a 403),
`csrf_rejected`, `rate_limited`, `transcript_read`, `password_changed`,
`totp_enrolled`. Lines go to the `bankbot.security` logger as JSON (one
object per line, for a SIEM); rows keep metadata only, never message text,
passwords, tokens or the client's address (a keyed digest instead).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff.models import SecurityEvent
from handoff.services.clock import clock

log = logging.getLogger("bankbot.security")


def event(
    kind: str,
    *,
    actor: str | None = None,
    client: str | None = None,
    path: str | None = None,
    **detail: Any,
) -> SecurityEvent:
    """Log the line now and return the row to store."""
    now = clock.now()
    line = {"event": kind, "at": now.isoformat(), "actor": actor, "client": client,
            "path": path, **detail}  # fmt: skip
    log.warning(json.dumps(line, ensure_ascii=False, sort_keys=True, default=str))
    return SecurityEvent(
        at=now, kind=kind, actor=actor, client=client, path=(path or "")[:200] or None,
        detail=detail,
    )  # fmt: skip


def add(session: AsyncSession, kind: str, **fields: Any) -> None:
    """Record an event in the caller's transaction (committed with it)."""
    session.add(event(kind, **fields))


async def store(sessions: async_sessionmaker[AsyncSession], row: SecurityEvent) -> None:
    """Store a row in a transaction of its own (after an error response went out)."""
    try:
        async with sessions() as session:
            session.add(row)
            await session.commit()
    except Exception:  # noqa: BLE001 - the line is logged already; never fail a request
        log.exception("could not store a security event")
