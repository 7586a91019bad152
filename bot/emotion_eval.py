"""Precision and recall of the emotion detector, per language (``make eval``).

    python -m bot.emotion_eval [--model models/<hash>.tar.gz | --lexical] [--set FILE]

Reads the labelled set ``tests/bot/data/emotion_testset.yml`` (upset: anger /
distress; calm: mostly polite questions that mention a problem) and runs every
message through the detector **as the engine runs it**: the trained model's
NLU pipeline (default: the newest model under ``models/``, which ``bankbot
eval`` has just made current), so the intent classifier's part
(:func:`bot.emotion.combine`) is measured too. ``--lexical`` (or no model at
all) judges the words alone. Both figures are printed when a model is used.

Prints, per language: precision (of the messages flagged upset, how many
are), recall (of the upset messages, how many were flagged), the kind
(anger / distress) agreement, and every miss and false alarm. Exits 1 when a
language is below the floors (:data:`MIN_PRECISION`, :data:`MIN_RECALL`), or
when a labelled message is also a training example (a test set must be unseen).
Runs in the engine environment.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.normalise import normalise
from common.languages import LANGUAGES
from common.paths import MODELS_DIR, ROOT
from faqs.files import read_nlu_examples
from faqs.phrases import strip_annotations

TEST_SET = ROOT / "tests" / "bot" / "data" / "emotion_testset.yml"
TRAINING_DATA = ROOT / "data" / "nlu"
MODELS = ROOT / MODELS_DIR
KINDS = ("anger", "distress")

MIN_PRECISION = 0.9
"""A false alarm sends a calm customer to the queue (and an agent's time with it)."""
MIN_RECALL = 0.8
"""A miss leaves an upset customer with the bot; the next messages get another chance."""


@dataclass(frozen=True)
class Labelled:
    """One message of the set and what it should be."""

    text: str
    language: str
    expected: str | None  # anger / distress, or None when calm


@dataclass(frozen=True)
class Outcome:
    """What the detector made of one message."""

    item: Labelled
    found: str | None
    score: float
    intent: str | None

    @property
    def upset(self) -> bool:
        """The message is labelled upset."""
        return self.item.expected is not None

    @property
    def flagged(self) -> bool:
        """The detector flagged it."""
        return self.found is not None


@dataclass(frozen=True)
class Figures:
    """Precision and recall of one language."""

    language: str
    tp: int
    fp: int
    fn: int
    tn: int
    kind_right: int

    @property
    def precision(self) -> float:
        """Flagged messages that are upset."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Upset messages that were flagged."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


# --------------------------------------------------------------------------- data


def load_set(path: Path = TEST_SET) -> list[Labelled]:
    """The labelled messages, in file order."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    items: list[Labelled] = []
    for language in LANGUAGES:
        groups = data.get(language) or {}
        for label, texts in groups.items():
            if label not in (*KINDS, "calm"):
                raise ValueError(f"{path}: unknown label {label!r} under {language}")
            expected = None if label == "calm" else label
            items += [Labelled(str(t), language, expected) for t in texts or []]
    return items


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", normalise(text).lower())


def training_overlap(items: Sequence[Labelled], folder: Path = TRAINING_DATA) -> list[str]:
    """Labelled messages that are also training examples (ignoring case and punctuation)."""
    seen: set[str] = set()
    for path in sorted(folder.glob("*.yml")):
        for examples in read_nlu_examples(path).values():
            seen.update(_key(strip_annotations(e)) for e in examples)
    return [i.text for i in items if _key(i.text) in seen]


# --------------------------------------------------------------------------- running


Judge = Callable[[Sequence[str]], list[tuple[str | None, float, str | None]]]
"""texts -> (emotion or None, score, intent) per text"""


def lexical_judge(texts: Sequence[str]) -> list[tuple[str | None, float, str | None]]:
    """The words alone (no intent)."""
    from bot.emotion import read_emotion  # needs Rasa: only where the engine runs

    out: list[tuple[str | None, float, str | None]] = []
    for text in texts:
        reading = read_emotion(text)
        out.append((reading.emotion, reading.score, None))
    return out


def model_judge(model: Path) -> Judge:
    """The trained model's NLU pipeline, as the engine parses a message."""

    def judge(texts: Sequence[str]) -> list[tuple[str | None, float, str | None]]:
        parses = asyncio.run(_parse_all(str(model), texts))
        out: list[tuple[str | None, float, str | None]] = []
        for parse in parses:
            emotion = next(
                (e for e in parse.get("entities") or [] if e.get("entity") == "emotion"), None
            )
            intent = (parse.get("intent") or {}).get("name")
            if emotion is None:
                out.append((None, 0.0, intent))
            else:
                out.append(
                    (str(emotion["value"]), float(emotion.get("confidence_entity") or 0), intent)
                )
        return out

    return judge


async def _parse_all(model: str, texts: Sequence[str]) -> list[dict[str, Any]]:
    from rasa.core.agent import Agent
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    agent = Agent.load(model)
    return [await agent.parse_message(text) for text in texts]


def run(items: Sequence[Labelled], judge: Judge) -> list[Outcome]:
    """Every labelled message through ``judge``."""
    verdicts = judge([i.text for i in items])
    return [
        Outcome(item, found, score, intent)
        for item, (found, score, intent) in zip(items, verdicts, strict=True)
    ]


def figures(outcomes: Sequence[Outcome], language: str) -> Figures:
    """Counts and rates of one language."""
    subset = [o for o in outcomes if o.item.language == language]
    return Figures(
        language,
        tp=sum(o.upset and o.flagged for o in subset),
        fp=sum(not o.upset and o.flagged for o in subset),
        fn=sum(o.upset and not o.flagged for o in subset),
        tn=sum(not o.upset and not o.flagged for o in subset),
        kind_right=sum(o.upset and o.found == o.item.expected for o in subset),
    )


def report(title: str, outcomes: Sequence[Outcome], out: Any = None) -> list[Figures]:
    """Print the figures and the mistakes; return the figures per language."""
    out = out or sys.stdout
    print(title, file=out)
    result = []
    for language in LANGUAGES:
        f = figures(outcomes, language)
        result.append(f)
        total = f.tp + f.fp + f.fn + f.tn
        print(
            f"  {language}: precision {f.precision:.1%} ({f.tp}/{f.tp + f.fp}), "
            f"recall {f.recall:.1%} ({f.tp}/{f.tp + f.fn}), F1 {f.f1:.2f}; "
            f"kind right {f.kind_right}/{f.tp}; {total} messages "
            f"({f.tp + f.fn} upset, {f.fp + f.tn} calm)",
            file=out,
        )
    misses = [o for o in outcomes if o.upset and not o.flagged]
    alarms = [o for o in outcomes if not o.upset and o.flagged]
    for name, group in (("missed (upset, not flagged)", misses), ("false alarms", alarms)):
        if group:
            print(f"  {name}:", file=out)
            for o in group:
                intent = f", intent {o.intent}" if o.intent else ""
                print(
                    f"    [{o.item.language}] {o.item.text!r} (score {o.score:.2f}{intent})",
                    file=out,
                )
    return result


def newest_model(folder: Path = MODELS) -> Path | None:
    """The most recently written model archive (``bankbot eval`` has just made it current)."""
    models = sorted(folder.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    return models[0] if models else None


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: measure, print, exit 1 below the floors."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.emotion_eval", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--model", type=Path, help="trained model (default: the newest one)")
    parser.add_argument("--lexical", action="store_true", help="the words alone, no model")
    parser.add_argument("--set", type=Path, default=TEST_SET, help="labelled set (YAML)")
    args = parser.parse_args(argv)

    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # Rasa's dependencies warn about their own deprecations at import (and add
    # filters of their own): not part of this report
    warnings.showwarning = lambda *args, **kwargs: None
    items = load_set(args.set)
    overlap = training_overlap(items)
    print(
        f"labelled set: {args.set.relative_to(ROOT) if args.set.is_relative_to(ROOT) else args.set}"
    )
    started = time.monotonic()
    lexical = report(
        "words alone (lexicons, intensifiers, negation, punctuation, capitals):",
        run(items, lexical_judge),
    )
    final = lexical
    model = None if args.lexical else (args.model or newest_model())
    if model is not None:
        final = report(
            f"as the engine runs it (model {model.name}, words and intent classifier combined):",
            run(items, model_judge(model)),
        )
    else:
        print("(no trained model: the figures above are the detector's)")
    print(
        f"floors: precision {MIN_PRECISION:.0%}, recall {MIN_RECALL:.0%} per language; "
        f"{len(items)} messages in {time.monotonic() - started:.1f} s"
    )
    failed = False
    for f in final:
        if f.precision < MIN_PRECISION or f.recall < MIN_RECALL:
            print(f"FAIL: {f.language} below the floor", file=sys.stderr)
            failed = True
    if overlap:
        print(
            f"FAIL: {len(overlap)} labelled message(s) are training examples: {overlap}",
            file=sys.stderr,
        )
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
