"""Parse speed with and without the judgement detectors (a benchmark, not a test).

    python -m bot.parse_bench --model models/<hash>.tar.gz [--messages 400] [--rounds 3]

Trains (once, cached in ``var/bench/``) a baseline model from ``config.yml``
with ``JudgementDetector`` replaced by the word-list ``EmotionDetector`` (the
pipeline before the learned detectors), then parses the same messages (the
held-out NLU phrasings, cycled) with both models in this process, one after
the other, and prints median and 95th-percentile latency per parse,
throughput, and the ratio. Rounds alternate the two models so a busy machine
hurts both alike.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import logging
import os
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "var" / "bench"
NLU_TESTS = (
    ROOT / "tests" / "nlu" / "faq_testset.yml",
    ROOT / "tests" / "nlu" / "core_testset.yml",
)


def baseline_config() -> dict[str, Any]:
    """``config.yml`` with the learned detectors swapped for the word-list detector."""
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    config["pipeline"] = [
        {"name": "bot.emotion.EmotionDetector"} if c["name"].endswith("JudgementDetector") else c
        for c in config["pipeline"]
    ]
    return config


def baseline_model() -> Path:
    """The baseline model for the current config and data (trained if missing)."""
    text = yaml.safe_dump(baseline_config(), allow_unicode=True, sort_keys=False)
    name = "baseline-" + hashlib.sha256(text.encode()).hexdigest()[:12]
    target = BENCH / f"{name}.tar.gz"
    if target.exists():
        return target
    BENCH.mkdir(parents=True, exist_ok=True)
    config = BENCH / f"{name}.yml"
    config.write_text(text, encoding="utf-8")
    print(f"training the baseline model {target.relative_to(ROOT)} ...", flush=True)
    subprocess.run(
        [sys.executable, "-m", "rasa", "train", "--config", str(config), "--domain", "domain",
         "--data", "data/nlu", "data/rules", "data/stories", "--out", str(BENCH),
         "--fixed-model-name", name],
        cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    return target


def messages(count: int) -> list[str]:
    """Held-out phrasings of both languages, cycled to ``count``."""
    from bot.evaluate import read_test_set

    texts = [text for text, _intent in read_test_set(NLU_TESTS)]
    return [texts[i % len(texts)] for i in range(count)]


async def _time_parses(agent: Any, texts: Sequence[str]) -> list[float]:
    timings = []
    for text in texts:
        started = time.perf_counter()
        await agent.parse_message(text)
        timings.append(time.perf_counter() - started)
    return timings


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: time both models, print the figures and the ratio."""
    parser = argparse.ArgumentParser(prog="python -m bot.parse_bench", description=__doc__)
    parser.add_argument("--model", type=Path, required=True, help="model with the detectors")
    parser.add_argument("--baseline", type=Path, help="model without (default: trained here)")
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)

    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    warnings.showwarning = lambda *a, **k: None
    from rasa.core.agent import Agent
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    baseline = args.baseline or baseline_model()
    agents = {"without": Agent.load(str(baseline)), "with": Agent.load(str(args.model))}
    texts = messages(args.messages)
    timings: dict[str, list[float]] = {name: [] for name in agents}
    for agent in agents.values():
        asyncio.run(_time_parses(agent, texts[:20]))  # warm-up
    for _ in range(args.rounds):
        for name, agent in agents.items():
            timings[name] += asyncio.run(_time_parses(agent, texts))
    print(f"{len(texts)} messages x {args.rounds} rounds, one parse at a time, in-process")
    medians = {}
    for name, values in timings.items():
        medians[name] = statistics.median(values)
        p95 = sorted(values)[int(0.95 * len(values)) - 1]
        print(
            f"  {name:7} the judgement detectors: median {medians[name] * 1000:.1f} ms, "
            f"p95 {p95 * 1000:.1f} ms, throughput {len(values) / sum(values):.0f} parses/s"
        )
    ratio = medians["with"] / medians["without"]
    through = (len(timings["without"]) / sum(timings["without"])) / (
        len(timings["with"]) / sum(timings["with"])
    )
    print(f"  ratio with/without: median latency x{ratio:.2f}, time per parse x{through:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
