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


def growth(took: list[float]) -> float:
    """Median of the last quarter of the turns against the median of the first."""
    quarter = max(1, len(took) // 4)
    return ratio(statistics.median(took[-quarter:]), statistics.median(took[:quarter]))


def growth_lines(name: str, took: list[float], control: list[float]) -> tuple[list[str], float]:
    """One long conversation: raw first and last quarter, and the load-corrected ratio."""
    quarter = max(1, len(took) // 4)
    corrected = growth([ratio(t, c) for t, c in zip(took, control, strict=True)])
    first = statistics.median(took[:quarter]) * 1000
    last = statistics.median(took[-quarter:]) * 1000
    lines = [
        f"  {name:<8} turns 1-{quarter}: median {first:6.1f} ms; turns "
        f"{len(took) - quarter + 1}-{len(took)}: median {last:6.1f} ms; raw x{growth(took):.2f}",
        f"  {'':<8} control turns alongside: x{growth(control):.2f}; "
        f"load-corrected growth x{corrected:.2f}",
    ]
    return lines, corrected


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
    return lines if len(lines) > 1 else []  # nothing both measured: nothing to compare
