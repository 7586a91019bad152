"""Latency figures from a list of measured durations."""

from __future__ import annotations

import statistics
from dataclasses import dataclass


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile: a value a request really took (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


@dataclass(frozen=True)
class Summary:
    """Latencies (seconds) of one measured run and how long it lasted."""

    latencies: tuple[float, ...]
    elapsed_s: float
    errors: int = 0

    @property
    def count(self) -> int:
        """Turns answered."""
        return len(self.latencies)

    @property
    def rate(self) -> float:
        """Turns answered per second of the run."""
        return self.count / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def ms(self, pct: float) -> float:
        """The `pct` percentile in milliseconds."""
        return percentile(list(self.latencies), pct) * 1000

    @property
    def mean_ms(self) -> float:
        """Mean latency in milliseconds."""
        return statistics.fmean(self.latencies) * 1000 if self.latencies else 0.0


def summarise(latencies: list[float], elapsed_s: float, errors: int = 0) -> Summary:
    """Freeze one run's measurements."""
    return Summary(tuple(latencies), elapsed_s, errors)


def ratio(numerator: float, denominator: float) -> float:
    """`numerator / denominator`, 0 when there is nothing to divide by."""
    return numerator / denominator if denominator else 0.0
