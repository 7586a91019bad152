"""Reading the period of the quality figures from a request: ISO 8601, UTC by default."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handoff.core.errors import BadRequest
from handoff.services.quality.metrics import Period

DEFAULT_DAYS = 30
MAX_DAYS = 3700


def parse_moment(raw: str, name: str) -> datetime:
    """An ISO 8601 date or date-time; a date means its midnight, no zone means UTC."""
    text = raw.strip()
    try:
        moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise BadRequest(
            f"'{name}' is not an ISO 8601 date or time (e.g. 2026-12-01 or 2026-12-01T08:00:00Z).",
            code="invalid_period",
        ) from None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def period_from(
    since: str | None, until: str | None, language: str | None, now: datetime
) -> Period:
    """The period asked for; the last 30 days by default; 400 when it makes no sense."""
    end = parse_moment(until, "until") if until else now
    start = parse_moment(since, "since") if since else end - timedelta(days=DEFAULT_DAYS)
    if start >= end:
        raise BadRequest("'since' must be before 'until'.", code="invalid_period")
    if end - start > timedelta(days=MAX_DAYS):
        raise BadRequest("The period is longer than ten years.", code="invalid_period")
    return Period(since=start, until=end, language=language)
