"""The security audit table: who tried what, when, from where (metadata only).

Rows carry no message text, password or token: an event kind, the staff
member's username when known, a keyed digest of the client's address, the
request path and a few facts (the error code, the handoff read).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from handoff.models.base import Base, utcnow


class SecurityEvent(Base):
    """One security-relevant event (docs/security.md lists the kinds)."""

    __tablename__ = "security_events"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    actor: Mapped[str | None] = mapped_column(String(40))
    client: Mapped[str | None] = mapped_column(String(64))
    path: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
