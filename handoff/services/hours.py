"""The desk's opening hours (`AGENT_HOURS` in `AGENT_TIMEZONE`) and how times are said."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from handoff.core.config import Settings
from handoff.services.clock import as_utc

# Inside agent hours but nobody online: the bank calls within half an hour.
CALL_SOON = timedelta(minutes=30)


@dataclass(frozen=True)
class AgentHours:
    """Daily opening of the desk in its own time zone (default 08:00-22:00 Beijing time)."""

    opens: time
    closes: time
    zone: ZoneInfo

    @classmethod
    def from_settings(cls, settings: Settings) -> AgentHours:
        """Parse `AGENT_HOURS` ("HH:MM-HH:MM") and `AGENT_TIMEZONE`."""
        start, _, end = settings.agent_hours.partition("-")
        return cls(
            time.fromisoformat(start.strip()),
            time.fromisoformat(end.strip()),
            ZoneInfo(settings.agent_timezone),
        )

    def is_open(self, now: datetime) -> bool:
        """True when agents work at `now` (an overnight span such as 20:00-06:00 works too)."""
        local = as_utc(now).astimezone(self.zone).time()
        if self.opens <= self.closes:
            return self.opens <= local < self.closes
        return local >= self.opens or local < self.closes

    def next_opening(self, now: datetime) -> datetime:
        """The next moment the desk opens, strictly after `now` if it is closed now."""
        local = as_utc(now).astimezone(self.zone)
        candidate = local.replace(
            hour=self.opens.hour, minute=self.opens.minute, second=0, microsecond=0
        )
        if candidate <= local:
            candidate += timedelta(days=1)
        return candidate

    def callback_time(self, now: datetime) -> datetime:
        """When the bank will call: soon if the desk is open, else at the next opening."""
        soon = as_utc(now) + CALL_SOON
        if self.is_open(now) and self.is_open(soon):
            return soon.astimezone(self.zone)
        return self.next_opening(soon)

    def describe(self, moment: datetime, language: str | None) -> str:
        """`moment` in the desk's local time, worded for the customer."""
        local = moment.astimezone(self.zone)
        beijing = self.zone.key == "Asia/Shanghai"
        if language == "zh":
            zone = "北京时间" if beijing else self.zone.key
            return f"{local.month}月{local.day}日 {local:%H:%M}（{zone}）"
        if language == "en":
            zone = "Beijing time" if beijing else self.zone.key
            return f"{local:%H:%M} on {local.day} {local:%b} ({zone})"
        zone = "北京时间 Beijing time" if beijing else self.zone.key
        return f"{local:%Y-%m-%d %H:%M} ({zone})"
