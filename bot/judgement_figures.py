"""Figures of the judgement detectors on a labelled set: rates, calibration, floors.

Pure Python and NumPy: ``bot.judgement_eval`` prints them for ``make eval``
and the engine-environment tests check them against the floors in
``tests/judgement/floors.yml`` (one place for every floor).

Per detector and language:

* ``upset``: precision, recall (upset messages flagged), false-alarm rate
  (calm messages flagged), and kind agreement;
* ``fraud_victim``: precision, recall (victim reports flagged),
  prevention-kept rate (prevention questions *not* flagged: they still get the
  FAQ), other-flagged rate;
* calibration: Brier score and a reliability table (mean score against the
  share of positives, per score bin).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.judgement_data import FRAUD, LANGUAGES, UPSET, Example
from bot.normalise import normalise

DETECTOR_OF = {"upset": UPSET, "fraud_victim": FRAUD}
"""Output name -> labelled sets."""
NEGATIVE = {"upset": "calm", "fraud_victim": "prevention"}
"""The hard negative whose rate is a target: calm messages, prevention questions."""

TARGETS: dict[str, dict[str, float]] = {
    "upset": {"recall": 0.90, "false_alarm": 0.02},
    "fraud_victim": {"recall": 0.95, "prevention_kept": 0.90},
}
"""Issue 11's targets, per language (the floors file may be lower or equal)."""


@dataclass(frozen=True)
class Outcome:
    """One labelled message and what a detector made of it."""

    example: Example
    score: float
    flag: bool
    kind: str | None = None


@dataclass(frozen=True)
class Figures:
    """One detector in one language."""

    detector: str
    language: str
    tp: int
    fp: int
    fn: int
    tn: int
    negatives: int
    negatives_flagged: int
    others: int
    others_flagged: int
    kind_right: int
    brier: float

    @property
    def precision(self) -> float:
        """Flagged messages that should be."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Positive messages that were flagged."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def false_alarm(self) -> float:
        """Calm (upset) or prevention (fraud) messages flagged."""
        return self.negatives_flagged / self.negatives if self.negatives else 0.0

    @property
    def prevention_kept(self) -> float:
        """Prevention questions not flagged (fraud)."""
        return 1.0 - self.false_alarm

    def value(self, name: str) -> float:
        """A figure by name (for floors)."""
        return float(getattr(self, name))

    def line(self) -> str:
        """One printed line."""
        n = self.tp + self.fp + self.fn + self.tn
        base = (
            f"{self.detector:12} {self.language}: precision {self.precision:6.1%} "
            f"({self.tp}/{self.tp + self.fp}), recall {self.recall:6.1%} "
            f"({self.tp}/{self.tp + self.fn}), "
        )
        if self.detector == "upset":
            kinds = f", kind right {self.kind_right}/{self.tp}" if self.kind_right >= 0 else ""
            rest = (
                f"false alarms on calm {self.false_alarm:5.1%} "
                f"({self.negatives_flagged}/{self.negatives}){kinds}"
            )
        else:
            rest = (
                f"prevention kept {self.prevention_kept:6.1%} "
                f"({self.negatives - self.negatives_flagged}/{self.negatives}), other flagged "
                f"{self.others_flagged}/{self.others}"
            )
        return base + rest + f"; Brier {self.brier:.3f}; {n} messages"


def figures(outcomes: Sequence[Outcome], detector: str, language: str) -> Figures:
    """Counts and rates of one detector in one language."""
    subset = [o for o in outcomes if o.example.language == language]
    negative = NEGATIVE[detector]
    positive = [o for o in subset if o.example.positive]
    rest = [o for o in subset if not o.example.positive]
    kinds_known = all(o.kind is not None for o in positive if o.flag) and detector == "upset"
    brier = sum((o.score - o.example.positive) ** 2 for o in subset) / max(1, len(subset))
    return Figures(
        detector,
        language,
        tp=sum(o.flag for o in positive),
        fp=sum(o.flag for o in rest),
        fn=sum(not o.flag for o in positive),
        tn=sum(not o.flag for o in rest),
        negatives=sum(o.example.label == negative for o in rest),
        negatives_flagged=sum(o.flag and o.example.label == negative for o in rest),
        others=sum(o.example.label != negative for o in rest),
        others_flagged=sum(o.flag and o.example.label != negative for o in rest),
        kind_right=(
            sum(o.flag and o.kind == o.example.kind for o in positive) if kinds_known else -1
        ),
        brier=brier,
    )


def reliability(outcomes: Sequence[Outcome], bins: int = 5) -> list[tuple[str, int, float, float]]:
    """(score bin, messages, mean score, share positive) per bin with messages."""
    rows = []
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        inside = [o for o in outcomes if low <= o.score < high or (b == bins - 1 and o.score == 1)]
        if inside:
            mean = sum(o.score for o in inside) / len(inside)
            share = sum(o.example.positive for o in inside) / len(inside)
            rows.append((f"{low:.1f}-{high:.1f}", len(inside), mean, share))
    return rows


def sweep(
    outcomes: Sequence[Outcome], detector: str, language: str, thresholds: Iterable[float]
) -> list[tuple[float, float, float]]:
    """(threshold, recall, false-alarm rate on the hard negative) at each threshold."""
    subset = [o for o in outcomes if o.example.language == language]
    positive = [o.score for o in subset if o.example.positive]
    negative = [o.score for o in subset if o.example.label == NEGATIVE[detector]]
    out = []
    for t in thresholds:
        recall = sum(s >= t for s in positive) / max(1, len(positive))
        alarm = sum(s >= t for s in negative) / max(1, len(negative))
        out.append((t, recall, alarm))
    return out


def best_threshold(
    outcomes: Sequence[Outcome], detector: str, language: str
) -> tuple[float, float, float] | None:
    """The threshold meeting the targets with the most margin, or ``None``.

    Upset: the lowest threshold whose false-alarm rate is within the target
    (false alarms come first); fraud: the highest whose recall is within it
    (victims come first).
    """
    grid = [round(0.05 + 0.01 * i, 2) for i in range(91)]
    rows = sweep(outcomes, detector, language, grid)
    target = TARGETS[detector]
    if detector == "upset":
        ok = [r for r in rows if r[2] <= target["false_alarm"]]
        return min(ok, key=lambda r: r[0]) if ok else None
    ok = [r for r in rows if r[1] >= target["recall"]]
    return max(ok, key=lambda r: r[0]) if ok else None


# --------------------------------------------------------------------------- floors and overlap


FLOORS_FILE = Path(__file__).resolve().parent.parent / "tests" / "judgement" / "floors.yml"


def load_floors(path: Path = FLOORS_FILE) -> dict[str, Any]:
    """``{set name: {detector: {language: {figure: minimum or maximum}}}}``."""
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def below_floors(
    found: Sequence[Figures], floors: dict[str, dict[str, dict[str, float]]]
) -> list[str]:
    """What misses a floor (``false_alarm`` is a ceiling, the others minimums)."""
    problems = []
    for f in found:
        for name, limit in (floors.get(f.detector, {}).get(f.language) or {}).items():
            value = f.value(name)
            bad = value > limit if name == "false_alarm" else value < limit
            if bad:
                sign = ">" if name == "false_alarm" else "<"
                problems.append(f"{f.detector} {f.language}: {name} {value:.1%} {sign} {limit:.1%}")
    return problems


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", normalise(text).lower())


def overlap(items: Sequence[Example], training: Sequence[Example]) -> set[str]:
    """Texts of ``items`` that are also training texts (ignoring case and punctuation)."""
    seen = {_key(e.text) for e in training}
    return {e.text for e in items if _key(e.text) in seen}


__all__ = [
    "LANGUAGES",
    "Figures",
    "Outcome",
    "best_threshold",
    "below_floors",
    "figures",
    "load_floors",
    "overlap",
    "reliability",
    "sweep",
]
