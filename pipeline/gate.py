"""The evaluation gate: a candidate goes live only if it understands customers as well.

Both models are asked about the same held-out phrasings — the build's test sets
(FAQ test phrasings, core test set, the held-out share of edited FAQs) — through
their engines' `/model/parse`, the code path that serves customers, and scored
as `make eval` scores them (`bot.evaluate.predicted_label`: a FAQ counts by the
answer the ResponseSelector picks, not by the intent `faq`, because the intent
can be confident while the answer is not). The candidate passes when its
accuracy is at least the floor (92%) and at most one point below the live
model's; otherwise the page lists the phrasings the live model got right and
the candidate gets wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bot.evaluate import predicted_label
from common.text import has_cjk
from faqs.files import read_nlu_examples
from faqs.phrases import strip_annotations
from pipeline.build import Build

Parse = Callable[[str], dict[str, Any]]


def language_of(text: str) -> str:
    """A phrasing with Chinese characters counts as Chinese (mixed ones too)."""
    return "zh" if has_cjk(text) else "en"


def predicted_key(parse: dict[str, Any]) -> tuple[str, float]:
    """(label, confidence): `faq/<key>` with the answer's confidence, or the intent's."""
    label, intent_confidence, faq_confidence = predicted_label(parse)
    if label.startswith("faq/") and faq_confidence is not None:
        return label, faq_confidence
    return label, intent_confidence


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


def evaluate(
    build: Build,
    candidate_url: str,
    live_url: str | None,
    *,
    token: str,
    floor: float,
    margin: float,
) -> dict[str, Any]:
    """Score both engines on the build's test sets (in parallel) and :func:`judge`."""
    cases = load_cases(build.testsets)

    def parser(url: str) -> Parse:
        client = httpx.Client(base_url=url, timeout=30)

        def parse(text: str) -> dict[str, Any]:
            response = client.post("/model/parse", params={"token": token}, json={"text": text})
            response.raise_for_status()
            return dict(response.json())

        return parse

    with ThreadPoolExecutor(max_workers=2) as pool:
        candidate = pool.submit(score, parser(candidate_url), cases)
        live = pool.submit(score, parser(live_url), cases) if live_url else None
        candidate_records = candidate.result()
        try:
            live_records = live.result() if live else None
        except httpx.HTTPError:
            live_records = None  # the live engine is down: judged against the floor only
    return judge(candidate_records, live_records, floor=floor, margin=margin)
