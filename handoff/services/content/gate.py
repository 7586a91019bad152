"""The evaluation gate: a candidate goes live only if it understands customers as well.

Both models are asked about the same held-out phrasings — the build's test sets
(FAQ test phrasings, core test set, the held-out share of edited FAQs) — through
their engines' `/model/parse`, the code path that serves customers, and scored
as `bankbot.nlu_eval` scores (a FAQ counts by the answer the ResponseSelector
picks, not by the intent `faq`). The candidate passes when its accuracy is at
least the floor (92%) and at most one point below the live model's; otherwise
the page lists the phrasings the live model got right and the candidate gets wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bankbot.nlu_eval import language_of, predicted_key
from faqs.files import read_nlu_examples
from faqs.phrases import strip_annotations

Parse = Callable[[str], dict[str, Any]]


@dataclass(frozen=True)
class Case:
    """One held-out phrasing and the answer it should get."""

    text: str
    expected: str
    source: str  # the test set file


def load_cases(paths: Iterable[Path]) -> list[Case]:
    """(text, expected key) from Rasa NLU YAML test sets, entity markup removed."""
    cases = []
    for path in paths:
        for intent, examples in read_nlu_examples(path).items():
            for example in examples:
                cases.append(Case(strip_annotations(example), intent, path.stem))
    return cases


def score(parse: Parse, cases: list[Case]) -> list[dict[str, Any]]:
    """One record per phrasing: what the model picked and how sure it was."""
    records = []
    for case in cases:
        predicted, confidence = predicted_key(parse(case.text))
        records.append(
            {
                "text": case.text,
                "expected": case.expected,
                "predicted": predicted,
                "confidence": round(confidence, 4),
                "language": language_of(case.text),
                "source": case.source,
            }
        )
    return records


def accuracy(records: list[dict[str, Any]]) -> dict[str, float]:
    """Share right, per language and overall."""
    out = {}
    for language in ("zh", "en", None):
        subset = [r for r in records if language is None or r["language"] == language]
        if subset:
            right = sum(r["expected"] == r["predicted"] for r in subset)
            out[language or "all"] = right / len(subset)
    return out


def judge(
    candidate: list[dict[str, Any]],
    live: list[dict[str, Any]] | None,
    *,
    floor: float,
    margin: float,
) -> dict[str, Any]:
    """The gate's verdict, with reasons and the phrasings that got worse."""
    cand = accuracy(candidate)
    report: dict[str, Any] = {
        "cases": len(candidate),
        "candidate": cand,
        "live": accuracy(live) if live else None,
        "floor": floor,
        "margin": margin,
        "worse": [],
        "better": 0,
        "reasons": [],
    }
    if cand.get("all", 0.0) < floor:
        report["reasons"].append(
            f"the candidate understands {cand.get('all', 0.0):.1%} of the test phrasings; "
            f"at least {floor:.0%} is required"
        )
    if live:
        live_acc = report["live"]["all"]
        if cand.get("all", 0.0) < live_acc - margin:
            report["reasons"].append(
                f"the candidate ({cand['all']:.1%}) is more than {margin:.0%} point below the "
                f"live model ({live_acc:.1%})"
            )
        before = {(r["text"], r["expected"]): r for r in live}
        for record in candidate:
            old = before.get((record["text"], record["expected"]))
            if old is None:
                continue
            was_right = old["predicted"] == old["expected"]
            is_right = record["predicted"] == record["expected"]
            if was_right and not is_right:
                report["worse"].append(
                    {
                        "text": record["text"],
                        "expected": record["expected"],
                        "candidate": record["predicted"],
                        "confidence": record["confidence"],
                    }
                )
            elif is_right and not was_right:
                report["better"] += 1
    report["misses"] = [
        {k: r[k] for k in ("text", "expected", "predicted", "confidence")}
        for r in candidate
        if r["expected"] != r["predicted"]
    ][:200]
    report["passed"] = not report["reasons"]
    return report
