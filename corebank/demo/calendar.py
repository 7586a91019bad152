"""The demo year: day indexes, local midnights in UTC, months, and a few date helpers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Final

from corebank.models import BANK_TZ

# Lunar New Year's day, when red packets fly.
SPRING_FESTIVAL: Final = {
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
}


def month_start(day: date, back: int) -> date:
    """First day of the month ``back`` months before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def years_before(day: date, years: int) -> date:
    """Same day ``years`` earlier (later if negative); 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def end_of_month(day: date) -> date:
    """Last day of ``day``'s month (cards expire at the end of a month)."""
    return month_start(day, -1) - timedelta(days=1)


class Calendar:
    """The demo year as day indexes, with each local midnight precomputed in UTC."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.start = years_before(today, 1)
        self.days = (today - self.start).days
        self.midnight_utc = [
            datetime.combine(
                self.start + timedelta(days=i), datetime.min.time(), BANK_TZ
            ).astimezone(UTC)
            for i in range(self.days + 1)
        ]
        # (year, month, first day index, days in window) for every month touched.
        self.months: list[tuple[int, int, int, int]] = []
        day = self.start
        while day < today:
            nxt = min(month_start(day, -1), today)
            self.months.append((day.year, day.month, (day - self.start).days, (nxt - day).days))
            day = nxt

    def index(self, day: date) -> int:
        """Day index of ``day`` (negative before the window)."""
        return (day - self.start).days

    def at(self, index: int, seconds: int) -> datetime:
        """UTC instant ``seconds`` after local midnight of day ``index``."""
        return self.midnight_utc[index] + timedelta(seconds=seconds)


# --------------------------------------------------------------------------- profiles
