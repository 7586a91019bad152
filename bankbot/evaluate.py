"""`make eval`: how well the model understands phrasings it never saw.

Prints accuracy per language, the most frequent confusions and every miss;
fails (exit 1) below the CI floor of 92%. Also runs Rasa's own test stories
and, once present, the emotion detector's precision and recall.
"""

from __future__ import annotations

import argparse
import json
import subprocess
from collections import Counter
from pathlib import Path

from bankbot.training import ENGINE_PYTHON, engine_env, ensure_model
from handoff.core.config import ROOT

TESTSETS = sorted((ROOT / "tests" / "nlu").glob("*_testset.yml"))
FLOOR = 0.92
TARGET = 0.96


def score_model(model: Path, testsets: list[Path]) -> list[dict]:
    """One record per held-out phrasing, parsed by the real model."""
    output = subprocess.run(
        [str(ENGINE_PYTHON), "-m", "bankbot.nlu_eval", str(model), *map(str, testsets)],
        cwd=ROOT, env=engine_env(), capture_output=True, text=True, check=True,
    )  # fmt: skip
    return [json.loads(line) for line in output.stdout.splitlines() if line.startswith("{")]


def summarise(records: list[dict]) -> dict[str, float]:
    """Print the report; return accuracy per language and overall."""
    accuracy: dict[str, float] = {}
    for language in ("zh", "en"):
        subset = [r for r in records if r["language"] == language]
        if subset:
            right = sum(r["expected"] == r["predicted"] for r in subset)
            accuracy[language] = right / len(subset)
            print(f"{language}: {right}/{len(subset)} = {accuracy[language]:.2%}")
    right = sum(r["expected"] == r["predicted"] for r in records)
    accuracy["all"] = right / max(len(records), 1)
    print(f"all: {right}/{len(records)} = {accuracy['all']:.2%}  (floor {FLOOR:.0%}, target {TARGET:.0%})")
    misses = [r for r in records if r["expected"] != r["predicted"]]
    confusions = Counter((r["expected"], r["predicted"]) for r in misses)
    if confusions:
        print("\nmost frequent confusions (expected -> predicted):")
        for (expected, predicted), count in confusions.most_common(10):
            print(f"  {count} x {expected} -> {predicted}")
        print("\nmisses:")
        for r in misses:
            print(f"  [{r['language']}] {r['text']!r}: {r['expected']} -> {r['predicted']} ({r['confidence']:.2f})")
    return accuracy


def run_story_tests(model: Path) -> int:
    stories = ROOT / "tests" / "stories"
    if not stories.exists():
        return 0
    print("\nRasa test stories:")
    out = ROOT / "var" / "eval" / "stories"
    result = subprocess.run(
        [str(ENGINE_PYTHON), "-m", "rasa", "test", "core", "--model", str(model),
         "--stories", str(stories), "--out", str(out), "--fail-on-prediction-errors"],
        cwd=ROOT, env=engine_env(), capture_output=True, text=True,
    )  # fmt: skip
    tail = [line for line in result.stdout.splitlines() + result.stderr.splitlines() if "Correct" in line or "Failed" in line]
    print("\n".join(tail[-6:]) or "(no summary printed)")
    print("stories: " + ("all passed" if result.returncode == 0 else f"FAILED, see {out}"))
    return result.returncode


def run_emotion_eval() -> int:
    script = ROOT / "bot" / "emotion_eval.py"
    if not script.exists():
        return 0
    print("\nEmotion detector:")
    result = subprocess.run([str(ENGINE_PYTHON), "-m", "bot.emotion_eval"], cwd=ROOT, env=engine_env())
    return result.returncode


def main(_: argparse.Namespace | None = None) -> int:
    model = ensure_model(ROOT / "var" / "log" / "train.log")
    print(f"model: {model.name}\n\nNLU on held-out phrasings ({', '.join(p.name for p in TESTSETS)}):")
    accuracy = summarise(score_model(model, TESTSETS))
    failed = accuracy["all"] < FLOOR
    failed |= run_story_tests(model) != 0
    failed |= run_emotion_eval() != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
