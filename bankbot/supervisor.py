"""`make run` keeps the services up: a crashed one is restarted with backoff, and says so.

A bank running the embedded default must not lose every service because one
died. Each crash is reported with the end of the service's log; the restart
waits 1 s, then 2 s, 4 s … at most 30 s while the service keeps crashing,
and starts again from 1 s once it has stayed up for a minute. Customers get
the polite fallback (the apology, the hotline, a person) while the engine or
the action server is away.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.processes import Service


@dataclass(frozen=True)
class Backoff:
    """How long to wait before restarting a service that keeps crashing."""

    first_s: float = 1.0
    max_s: float = 30.0
    stable_after_s: float = 60.0

    def delay(self, crashes_in_a_row: int) -> float:
        """The wait before restart number `crashes_in_a_row` (1-based)."""
        return float(min(self.max_s, self.first_s * 2 ** (crashes_in_a_row - 1)))


@dataclass
class _Watch:
    started_at: float
    crashes_in_a_row: int = 0
    restart_at: float | None = None
    awaiting_health: bool = False


@dataclass
class Supervisor:
    """Watches running services; call `check()` every half second or so."""

    services: list[Service]
    say: Callable[[str], None]
    backoff: Backoff = field(default_factory=Backoff)
    now: Callable[[], float] = time.monotonic
    _watches: dict[str, _Watch] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for service in self.services:
            self._watches[service.name] = _Watch(started_at=self.now())

    def check(self) -> None:
        """One pass: report new crashes, restart services whose wait is over, greet recoveries."""
        for service in self.services:
            watch = self._watches[service.name]
            if watch.restart_at is not None:
                if self.now() >= watch.restart_at:
                    self._restart(service, watch)
                continue
            code = service.exited()
            if code is not None:
                self._crashed(service, watch, code)
            elif watch.awaiting_health and service.is_ready():
                watch.awaiting_health = False
                self.say(f"{service.name} is back")

    def _crashed(self, service: Service, watch: _Watch, code: int) -> None:
        ran_for = self.now() - watch.started_at
        watch.crashes_in_a_row = (
            1 if ran_for >= self.backoff.stable_after_s else watch.crashes_in_a_row + 1
        )
        delay = self.backoff.delay(watch.crashes_in_a_row)
        watch.restart_at = self.now() + delay
        watch.awaiting_health = False
        self.say(
            f"\n{service.name} stopped unexpectedly (exit {code}) after {ran_for:.0f} s; "
            f"restarting it in {delay:g} s (crash {watch.crashes_in_a_row} in a row). "
            f"Last lines of {service.log_path}:\n{service.log_tail()}"
        )

    def _restart(self, service: Service, watch: _Watch) -> None:
        watch.restart_at = None
        watch.started_at = self.now()
        watch.awaiting_health = True
        self.say(f"restarting {service.name}…")
        service.start()

    @property
    def restarting(self) -> list[str]:
        """Names of services waiting for their restart."""
        return [name for name, watch in self._watches.items() if watch.restart_at is not None]
