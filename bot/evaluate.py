"""Evaluate a trained model on the held-out NLU test sets, per language.

    python -m bot.evaluate --model models/x.tar.gz [--threshold 0.55] [--json out.json]

Reads ``tests/nlu/*.yml`` (phrasings never in the training data; a phrasing
with Chinese characters counts as Chinese), parses each through the real
model and prints, per language:

* **accuracy**: the predicted intent (and, for ``faq/<key>``, the answer the
  ResponseSelector picked) is the expected one; ``nlu_fallback`` counts as a
  miss;
* what the assistant would *do* with the FAQ phrasings at the answer
  threshold of ``common/faq.py``: answer correctly, ask (clarification) or
  answer wrongly with confidence (the number that must stay near zero);
* the confusion pairs and every miss, and the threshold sweep used to choose
  the threshold.

Exit status 1 when any language is below ``--min-accuracy`` (CI's floor).
Runs in the engine environment.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from common.paths import CORE_TESTSET_PATH, FAQ_TESTSET_PATH, ROOT
from common.text import has_cjk
from faqs.files import read_nlu_examples
from faqs.phrases import strip_annotations

DEFAULT_TEST_FILES = (ROOT / FAQ_TESTSET_PATH, ROOT / CORE_TESTSET_PATH)
DEFAULT_THRESHOLD = 0.55


@dataclass
class Result:
    """One test phrasing and what the model made of it."""

    text: str
    language: str
    expected: str
    predicted: str
    intent_confidence: float
    faq_confidence: float | None
    ranking: list[tuple[str, float]]
    """intent ranking without nlu_fallback: what the classifier itself said"""
    selector_key: str | None
    """the answer the ResponseSelector chose, whatever the intent"""

    @property
    def correct(self) -> bool:
        """The predicted label is the expected one."""
        return self.predicted == self.expected

    @property
    def is_faq(self) -> bool:
        """The phrasing is an FAQ question."""
        return self.expected.startswith("faq/")


def read_test_set(paths: Iterable[Path]) -> list[tuple[str, str]]:
    """(text, expected full intent) pairs from Rasa NLU YAML files."""
    pairs: list[tuple[str, str]] = []
    for path in paths:
        if not path.exists():
            continue
        for intent, examples in read_nlu_examples(path).items():
            pairs += [(strip_annotations(text), intent) for text in examples]
    return pairs


def predicted_label(parse: dict[str, Any]) -> tuple[str, float, float | None]:
    """(full predicted label, intent confidence, FAQ answer confidence)."""
    intent = parse.get("intent") or {}
    name = str(intent.get("name"))
    confidence = float(intent.get("confidence") or 0.0)
    selector = (parse.get("response_selector") or {}).get("faq") or {}
    response = selector.get("response") or {}
    faq_confidence = response.get("confidence")
    if name == "faq":
        key = response.get("intent_response_key") or "faq/?"
        return str(key), confidence, float(faq_confidence or 0.0)
    return name, confidence, (float(faq_confidence) if faq_confidence is not None else None)


async def _parse_all(model: str, texts: Sequence[str]) -> list[dict[str, Any]]:
    from rasa.core.agent import Agent
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)

    agent = Agent.load(model)
    return [await agent.parse_message(text) for text in texts]


def evaluate(model: str, test_files: Sequence[Path]) -> list[Result]:
    """Parses every test phrasing with the model."""
    pairs = read_test_set(test_files)
    parses = asyncio.run(_parse_all(model, [t for t, _ in pairs]))
    results = []
    for (text, expected), parse in zip(pairs, parses, strict=True):
        label, confidence, faq_confidence = predicted_label(parse)
        ranking = [
            (str(item.get("name")), float(item.get("confidence") or 0.0))
            for item in parse.get("intent_ranking") or []
            if item.get("name") != "nlu_fallback"
        ]
        results.append(
            Result(
                text,
                "zh" if has_cjk(text) else "en",
                expected,
                label,
                confidence,
                faq_confidence,
                ranking,
                (parse.get("response_selector") or {})
                .get("faq", {})
                .get("response", {})
                .get("intent_response_key"),
            )
        )
    return results


def behaviour(results: Sequence[Result], threshold: float) -> Counter:
    """What the assistant does with the FAQ phrasings at ``threshold``."""
    out: Counter = Counter()
    for r in results:
        if not r.is_faq:
            continue
        if not r.predicted.startswith("faq/") or (r.faq_confidence or 0.0) < threshold:
            out["clarify"] += 1
        elif r.correct:
            out["answer_right"] += 1
        else:
            out["answer_wrong"] += 1
    return out


def report(results: Sequence[Result], threshold: float, out=sys.stdout) -> dict[str, float]:
    """Print the figures; return accuracy per language."""
    accuracy: dict[str, float] = {}
    for language in ("zh", "en"):
        subset = [r for r in results if r.language == language]
        if not subset:
            continue
        right = sum(r.correct for r in subset)
        accuracy[language] = right / len(subset)
        faq = [r for r in subset if r.is_faq]
        core = [r for r in subset if not r.is_faq]
        acts = behaviour(subset, threshold)
        print(
            f"{language}: accuracy {accuracy[language]:.2%} ({right}/{len(subset)}); "
            f"FAQ {sum(r.correct for r in faq)}/{len(faq)}, "
            f"core {sum(r.correct for r in core)}/{len(core)}",
            file=out,
        )
        print(
            f"    at threshold {threshold}: answered right {acts['answer_right']}, "
            f"clarified {acts['clarify']}, answered WRONG {acts['answer_wrong']}",
            file=out,
        )
    total = sum(r.correct for r in results)
    print(f"all: accuracy {total / max(1, len(results)):.2%} ({total}/{len(results)})", file=out)

    pairs = Counter((r.expected, r.predicted) for r in results if not r.correct)
    if pairs:
        print("\nconfusion pairs (expected -> predicted: count):", file=out)
        for (expected, predicted), n in pairs.most_common(15):
            print(f"    {expected} -> {predicted}: {n}", file=out)
        print("\nmisses:", file=out)
        for r in results:
            if not r.correct:
                conf = f"{r.faq_confidence:.2f}" if r.faq_confidence is not None else "-"
                print(
                    f"    [{r.language}] {r.text!r}: expected {r.expected}, got {r.predicted} "
                    f"(intent {r.intent_confidence:.2f}, answer {conf})",
                    file=out,
                )

    print(
        "\nthreshold sweep on FAQ phrasings (answered right / clarified / answered wrong):",
        file=out,
    )
    for t in (0.3, 0.4, 0.5, 0.55, 0.6, 0.7, 0.8, 0.9):
        acts = behaviour(results, t)
        print(
            f"    {t:.2f}: {acts['answer_right']} / {acts['clarify']} / {acts['answer_wrong']}",
            file=out,
        )
    print("\nFallbackClassifier sweep (threshold, ambiguity: accuracy zh / en):", file=out)
    for threshold_f in (0.3, 0.4, 0.5, 0.6):
        for ambiguity in (0.0, 0.05, 0.1):
            by_language = []
            for language in ("zh", "en"):
                subset = [r for r in results if r.language == language]
                right = sum(_correct_with_fallback(r, threshold_f, ambiguity) for r in subset)
                by_language.append(f"{right / max(1, len(subset)):.2%}")
            print(f"    {threshold_f:.2f}, {ambiguity:.2f}: {' / '.join(by_language)}", file=out)
    return accuracy


def _correct_with_fallback(r: Result, threshold: float, ambiguity: float) -> bool:
    """Whether ``r`` would be right with another FallbackClassifier setting."""
    if not r.ranking:
        return r.correct
    (top, conf), second = r.ranking[0], (r.ranking[1][1] if len(r.ranking) > 1 else 0.0)
    if conf < threshold or conf - second < ambiguity:
        return False
    if top == "faq":
        if not r.expected.startswith("faq/"):
            return False
        # the answer the selector chose does not depend on the fallback
        return r.selector_key == r.expected
    return top == r.expected


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: evaluate, print, exit 1 below the floor."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.evaluate", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--model", required=True, help="trained model archive (.tar.gz)")
    parser.add_argument("--tests", nargs="*", type=Path, default=list(DEFAULT_TEST_FILES))
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--min-accuracy", type=float, default=0.92)
    parser.add_argument("--json", type=Path, help="also write every result here")
    args = parser.parse_args(argv)

    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    started = time.monotonic()
    results = evaluate(args.model, args.tests)
    accuracy = report(results, args.threshold)
    print(f"\n{len(results)} phrasings in {time.monotonic() - started:.1f} s", file=sys.stdout)
    if args.json:
        args.json.write_text(
            json.dumps(
                [{**asdict(r), "correct": r.correct} for r in results], ensure_ascii=False, indent=1
            ),
            encoding="utf-8",
        )
    low = {lang: acc for lang, acc in accuracy.items() if acc < args.min_accuracy}
    if low:
        print(f"FAIL: below {args.min_accuracy:.0%}: {low}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
