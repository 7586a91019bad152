"""CSV exports: the quality figures (one row per figure) and the disputed handoffs."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.models import HandoffDispute
from handoff.services.clock import as_utc


def _safe(value: object) -> str:
    """A cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def figures_csv(figures: dict[str, Any]) -> str:
    """`figure,value` rows; handoffs and top questions get one row each."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["figure", "value"])
    for key, value in figures.items():
        if key == "handoffs" or key == "disputes":
            for reason, count in sorted(value.items()):
                writer.writerow([f"{key}.{reason}", count])
        elif key == "top_questions":
            for rank, item in enumerate(value, 1):
                writer.writerow([f"top_question.{rank}", _safe(item["faq_key"])])
                writer.writerow([f"top_question.{rank}.count", item["count"]])
        elif key == "alerts":
            for alert in value:
                writer.writerow(["alert", _safe(alert)])
        else:
            writer.writerow([key, "" if value is None else _safe(value)])
    return out.getvalue()


async def disputes_csv(session: AsyncSession) -> str:
    """Every disputed handoff's (masked) messages with the agent's verdict: labelled data."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["handoff_id", "label", "language", "detector", "score", "at", "message"])
    rows = await session.scalars(select(HandoffDispute).order_by(HandoffDispute.created_at))
    for row in rows:
        for message in row.messages or []:
            writer.writerow(
                [
                    row.handoff_id,
                    row.label,
                    row.language or "",
                    _safe(row.detector),
                    "" if row.score is None else row.score,
                    as_utc(row.created_at).isoformat().replace("+00:00", "Z"),
                    _safe(message),
                ]
            )
    return out.getvalue()
