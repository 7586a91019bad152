"""Printing the figures, each next to its target from issue 13."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from bankbot.bench.stats import Summary, ratio

TARGETS = {
    "throughput_share": 0.20,  # full-turn throughput / NLU ceiling, at least
    "growth": 1.2,  # turns 49-64 / turns 1-16 of one conversation, at most
    "overhead": 1.15,  # gateway / engine straight, p50 and p95, at most
    "open_p99_ms": 500.0,  # p99 in the open loop at 50% of capacity, at most
    "actions_mb": 150.0,  # action server resident memory, at most
}


@dataclass
class Figures:
    """What one stack measured (kept to compare one engine with several)."""

    label: str
    values: dict[str, float] = field(default_factory=dict)


def verdict(ok: bool) -> str:
    """How a figure stands against its target."""
    return "ok" if ok else "MISSED"


def line(name: str, summary: Summary) -> str:
    """One run's latencies and rate on one line."""
    errors = f"  errors {summary.errors}" if summary.errors else ""
    return (
        f"  {name:<28} {summary.count:>6} turns  {summary.rate:7.1f}/s  "
        f"p50 {summary.ms(50):7.1f} ms  p95 {summary.ms(95):7.1f} ms  "
        f"p99 {summary.ms(99):7.1f} ms{errors}"
    )


def growth(took: list[float]) -> tuple[float, float]:
    """Last quarter of the turns against the first (median and mean ratio)."""
    quarter = max(1, len(took) // 4)
    first, last = took[:quarter], took[-quarter:]
    return (
        ratio(statistics.median(last), statistics.median(first)),
        ratio(statistics.fmean(last), statistics.fmean(first)),
    )


def growth_line(name: str, took: list[float]) -> str:
    """One long conversation: its first and last quarter and the ratio."""
    quarter = max(1, len(took) // 4)
    by_median, by_mean = growth(took)
    return (
        f"  {name:<10} turns 1-{quarter} median {statistics.median(took[:quarter]) * 1000:6.1f} ms"
        f", turns {len(took) - quarter + 1}-{len(took)} median "
        f"{statistics.median(took[-quarter:]) * 1000:6.1f} ms: x{by_median:.2f}"
        f" (means: x{by_mean:.2f})"
    )


def comparison(base: Figures, other: Figures) -> list[str]:
    """The several-engine figures as ratios to the one-engine figures."""
    names = {
        "nlu_rate": "NLU ceiling",
        "closed_rate": "full-turn throughput",
        "closed_p50": "closed-loop p50",
        "open50_p99": "open loop 50% p99",
        "open80_p99": "open loop 80% p99",
        "memory_total": "memory, all processes",
    }
    lines = [f"{other.label} against {base.label}:"]
    for key, name in names.items():
        if key in base.values and key in other.values:
            lines.append(
                f"  {name:<24} {other.values[key]:9.1f} vs {base.values[key]:9.1f}"
                f"  x{ratio(other.values[key], base.values[key]):.2f}"
            )
    return lines
