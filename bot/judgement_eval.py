"""How well the judgement detectors do, measured honestly (``make eval``).

    python -m bot.judgement_eval [--model models/<hash>.tar.gz] [--sets DIR ...] [--sweep]

For each labelled set folder (default: every folder under
``tests/judgement/sets/``: ``dev``, and the blind test sets ``test`` and
``test-c``), every message is parsed
by the trained model **as the engine parses it** (``judgement`` in the parse
data), and the figures of :mod:`bot.judgement_figures` are printed per
detector and language, with calibration (Brier score, reliability table).
For comparison, the same messages judged by the old word-list detector
(:mod:`bot.emotion`, words alone and combined with the parse's intent, as
``EmotionDetector`` ran) and, for fraud, by the old rule (top intent
``report_fraud``).

Also printed: the cross-validated figures on the training data (kept in the
model at training time, out-of-fold, so nothing is trained here) and, with
``--sweep``, recall and false alarms per threshold to choose the thresholds
in ``config.yml``. Messages of a set that are also training texts are left
out of its figures (and counted). Exit status 1 when a set with floors in
``tests/judgement/floors.yml`` is below them. Runs in the engine environment.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tarfile
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bot import judgement_data
from bot.judgement_borrowed import BORROWED_KIND
from bot.judgement_data import DETECTORS, FRAUD, LANGUAGES, UPSET, Example
from bot.judgement_figures import (
    DETECTOR_OF,
    TARGETS,
    Figures,
    Outcome,
    below_floors,
    best_threshold,
    figures,
    load_floors,
    overlap,
    reliability,
    sweep,
)
from bot.judgement_nlu import NLU_KIND
from bot.judgement_routing import routed_outcomes
from common.text import CJK_RE

ROOT = Path(__file__).resolve().parent.parent
SETS = ROOT / "tests" / "judgement" / "sets"
DEFAULT_SETS = tuple(sorted(p for p in SETS.iterdir() if p.is_dir())) if SETS.is_dir() else ()
TRAINING = ROOT / "data" / "judgement"
MODELS = ROOT / "models"

Parse = dict[str, Any]

ROUTED = {
    "upset": "flag = sent to a person, at once or after an angry complaint is registered",
    "fraud_victim": "flag = the fraud warning and an urgent handoff",
}


def newest_model(folder: Path = MODELS) -> Path | None:
    """The most recently written model archive (``bankbot eval`` has just made it current)."""
    models = sorted(folder.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    return models[0] if models else None


async def _parse_all(model: Path, texts: Sequence[str]) -> list[Parse]:
    from rasa.core.agent import Agent
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    agent = Agent.load(str(model))
    return [await agent.parse_message(text) for text in texts]


def parse_all(model: Path, texts: Sequence[str]) -> list[Parse]:
    """Every text through the model's NLU pipeline."""
    return asyncio.run(_parse_all(model, texts))


# --------------------------------------------------------------------------- judges


def model_outcomes(
    examples: Sequence[Example], parses: Sequence[Parse], name: str
) -> list[Outcome]:
    """What the trained detector said (``judgement[name]`` of each parse)."""
    out = []
    for example, parse in zip(examples, parses, strict=True):
        verdict = (parse.get("judgement") or {}).get(name) or {}
        out.append(
            Outcome(
                example,
                float(verdict.get("score") or 0.0),
                bool(verdict.get("flag")),
                verdict.get("kind"),
            )
        )
    return out


def word_list_outcomes(
    examples: Sequence[Example], parses: Sequence[Parse] | None
) -> list[Outcome]:
    """The old detector: word lists alone, or combined with the parse's intent."""
    from bot.emotion import read_emotion

    out = []
    for number, example in enumerate(examples):
        intent = ((parses[number] if parses else {}).get("intent")) or {}
        reading = read_emotion(
            example.text, intent.get("name"), float(intent.get("confidence") or 0.0)
        )
        score = min(1.0, reading.score)
        kind = {"anger": "anger", "distress": "distress"}.get(reading.emotion or "", None)
        out.append(Outcome(example, score, reading.emotion is not None, kind))
    return out


def intent_outcomes(examples: Sequence[Example], parses: Sequence[Parse]) -> list[Outcome]:
    """The old fraud rule: the top intent is ``report_fraud``."""
    out = []
    for example, parse in zip(examples, parses, strict=True):
        intent = parse.get("intent") or {}
        ranking = {
            i.get("name"): float(i.get("confidence") or 0)
            for i in parse.get("intent_ranking") or []
        }
        out.append(
            Outcome(example, ranking.get("report_fraud", 0.0), intent.get("name") == "report_fraud")
        )
    return out


def cv_outcomes(model: Path, name: str, nlu: bool = False) -> list[Outcome]:
    """Out-of-fold outcomes of the labelled sets (or, with ``nlu``, of the NLU examples)."""
    from bot.judgement import JudgementDetector

    trained, thresholds = _stored_model(model)
    head = trained.heads.get(name)
    if head is None:
        return []
    limits = thresholds or JudgementDetector.get_default_config()["thresholds"]
    detector = DETECTOR_OF[name]
    out = []
    for row in head.cv:
        kind = str(row.get("kind") or "")
        if kind.startswith(NLU_KIND) != nlu or kind.startswith(BORROWED_KIND):
            continue
        example = Example("", row["language"], row["label"], row.get("kind"), detector)
        p = float(row["p"])
        out.append(Outcome(example, p, p >= float(limits[name][row["language"]])))
    return out


def _stored_model(model: Path) -> tuple[Any, dict[str, Any] | None]:
    """The judgement model inside an archive, and the thresholds it was trained with."""
    from bot.judgement_model import ARRAYS, JudgementModel

    with tarfile.open(model) as archive, tempfile.TemporaryDirectory() as tmp:
        members = [m for m in archive.getmembers() if m.name.endswith("/" + ARRAYS)]
        if not members:
            raise SystemExit(f"{model}: no judgement model inside")
        folder = str(Path(members[0].name).parent)
        wanted = [m for m in archive.getmembers() if m.name.startswith(folder + "/")]
        archive.extractall(tmp, members=wanted)  # noqa: S202 - our own model archive
        trained = JudgementModel.load(Path(tmp) / folder)
    return trained, trained.info.get("thresholds")


# --------------------------------------------------------------------------- printing


def print_block(
    title: str,
    name: str,
    outcomes: Sequence[Outcome],
    calibration: bool,
    out: Any = None,
) -> list[Figures]:
    """One judge's figures per language (and its calibration)."""
    out = out or sys.stdout
    print(f"  {title}", file=out)
    found = []
    for language in LANGUAGES:
        if not any(o.example.language == language for o in outcomes):
            continue
        f = figures(outcomes, name, language)
        found.append(f)
        print(f"    {f.line()}", file=out)
        if calibration:
            rows = reliability([o for o in outcomes if o.example.language == language])
            cells = ", ".join(
                f"{b}: {n} msgs, mean {m:.2f} -> {s:.0%} positive" for b, n, m, s in rows
            )
            print(f"      reliability {cells}", file=out)
    return found


def print_sweep(name: str, outcomes: Sequence[Outcome], out: Any = None) -> None:
    """Recall and false alarms per threshold, and the threshold meeting the targets."""
    out = out or sys.stdout
    grid = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
    negative = "false alarms" if name == "upset" else "prevention flagged"
    for language in LANGUAGES:
        rows = sweep(outcomes, name, language, grid)
        if not rows:
            continue
        cells = "  ".join(f"{t:.1f}: {r:.0%}/{a:.0%}" for t, r, a in rows)
        best = best_threshold(outcomes, name, language)
        target = TARGETS[name]
        pick = (
            f"threshold {best[0]:.2f} -> recall {best[1]:.1%}, {negative} {best[2]:.1%}"
            if best
            else "no threshold meets the first target"
        )
        print(f"      {language} sweep (recall/{negative}): {cells}", file=out)
        print(f"      {language} targets {target}: {pick}", file=out)


def nlu_heldout(model: Path, out: Any = None) -> list[Figures]:
    """The detectors on the held-out NLU phrasings (``tests/nlu``): plain questions stay calm.

    Phrasings of the calm intents count as calm / other, the fraud-prevention
    FAQ's as prevention, ``report_fraud``'s as victims; others are left out.
    """
    from bot.evaluate import DEFAULT_TEST_FILES, read_test_set
    from bot.judgement import JudgementDetector
    from bot.judgement_nlu import _matches

    out = out or sys.stdout
    config = JudgementDetector.get_default_config()
    pairs = read_test_set(DEFAULT_TEST_FILES)
    parses = parse_all(model, [t for t, _ in pairs])
    upset, fraud = [], []
    for (text, intent), parse in zip(pairs, parses, strict=True):
        language = "zh" if CJK_RE.search(text) else "en"
        judgement = parse.get("judgement") or {}
        if _matches(intent, config["prevention_intents"]):
            label = "prevention"
        elif _matches(intent, config["victim_intents"]):
            label = "victim"
        elif _matches(intent, config["calm_intents"]):
            label = "other"
        else:
            continue
        verdict = judgement.get("fraud_victim") or {}
        example = Example(text, language, label, intent, FRAUD)
        fraud.append(Outcome(example, float(verdict.get("score") or 0), bool(verdict.get("flag"))))
        if label != "victim":
            verdict = judgement.get("upset") or {}
            example = Example(text, language, "calm", intent, UPSET)
            upset.append(
                Outcome(example, float(verdict.get("score") or 0), bool(verdict.get("flag")))
            )
    print(f"\n[held-out NLU phrasings] {len(pairs)} phrasings of tests/nlu", file=out)
    found = []
    for language in LANGUAGES:
        f = figures(upset, "upset", language)
        found.append(f)
        print(
            f"  upset flagged on calm phrasings ({language}): {f.false_alarm:.1%} "
            f"({f.negatives_flagged}/{f.negatives})",
            file=out,
        )
    found += print_block("fraud_victim:", "fraud_victim", fraud, calibration=False, out=out)
    return found


def evaluate_set(
    folder: Path,
    model: Path,
    training: dict[str, list[Example]],
    show_sweep: bool,
    parse: Callable[[Path, Sequence[str]], list[Parse]] = parse_all,
) -> list[Figures]:
    """Print every figure of one set folder; return the model's figures."""
    found: list[Figures] = []
    for detector in DETECTORS:
        examples = judgement_data.load(folder, detector)
        if not examples:
            continue
        seen = overlap(examples, training[detector])
        kept = [e for e in examples if e.text not in seen]
        name = next(n for n, d in DETECTOR_OF.items() if d == detector)
        left = f"; {len(seen)} also in the training data, left out" if seen else ""
        print(f"\n[{folder.name}] {name}: {len(kept)} messages{left}", flush=True)
        parses = parse(model, [e.text for e in kept])
        found += print_block("learned detector (as the engine parses):", name,
                             model_outcomes(kept, parses, name), calibration=True)  # fmt: skip
        print_block(
            "as the engine routes it (each message the first of a conversation; "
            + ROUTED[name]
            + "):",
            name,
            routed_outcomes(kept, parses, name),
            False,
        )
        if show_sweep:
            print_sweep(name, model_outcomes(kept, parses, name))
        if name == "upset":
            print_block("old word lists alone:", name, word_list_outcomes(kept, None), False)
            print_block("old word lists + intent (EmotionDetector):", name,
                        word_list_outcomes(kept, parses), False)  # fmt: skip
        else:
            print_block("old rule (top intent report_fraud):", name,
                        intent_outcomes(kept, parses), False)  # fmt: skip
            print_upset_on_prevention(kept, parses)
    return found


def print_upset_on_prevention(
    examples: Sequence[Example], parses: Sequence[Parse], out: Any = None
) -> None:
    """How many prevention questions the upset detector flags: each would go to a person."""
    out = out or sys.stdout
    print("  the upset detector on the prevention questions (a flag sends them to a person):",
          file=out)  # fmt: skip
    for language in LANGUAGES:
        asked = [
            p for e, p in zip(examples, parses, strict=True)
            if e.label == "prevention" and e.language == language
        ]  # fmt: skip
        if asked:
            flagged = sum(bool(((p.get("judgement") or {}).get("upset") or {}).get("flag"))
                          for p in asked)  # fmt: skip
            share = f"{flagged / len(asked):.1%} ({flagged}/{len(asked)})"
            print(f"    {language}: {share} flagged upset", file=out)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the figures, exit 1 below a floor."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.judgement_eval", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--model", type=Path, help="trained model (default: the newest one)")
    parser.add_argument("--sets", type=Path, nargs="*", default=list(DEFAULT_SETS))
    parser.add_argument("--sweep", action="store_true", help="recall / false alarms per threshold")
    args = parser.parse_args(argv)

    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    warnings.showwarning = lambda *a, **k: None  # Rasa's dependencies' own deprecations
    model = args.model or newest_model()
    if model is None:
        print("no trained model: run `make train` first", file=sys.stderr)
        return 1
    started = time.monotonic()
    print(f"model: {model.name}")
    print("\n[cross-validation on the training data] out-of-fold scores, thresholds of the model")
    for name in DETECTOR_OF:
        outcomes = cv_outcomes(model, name)
        print_block(f"{name}:", name, outcomes, calibration=True)
        if args.sweep:
            print_sweep(name, outcomes)
        plain = cv_outcomes(model, name, nlu=True)
        if plain:
            print_block(f"{name} on the NLU examples trained with it:", name, plain, False)
    training = {d: judgement_data.load(TRAINING, d) for d in DETECTORS}
    floors = load_floors()
    failed = False
    for folder in args.sets:
        if not folder.is_dir():
            continue
        found = evaluate_set(folder, model, training, args.sweep)
        if folder.name in floors:
            problems = below_floors(found, floors[folder.name])
            for problem in problems:
                print(f"FAIL [{folder.name}] {problem}", file=sys.stderr)
            failed |= bool(problems)
            print(f"\n[{folder.name}] floors: " + ("below" if problems else "all met"))
    found = nlu_heldout(model)
    if "nlu" in floors:
        problems = below_floors(found, floors["nlu"])
        for problem in problems:
            print(f"FAIL [nlu] {problem}", file=sys.stderr)
        failed |= bool(problems)
        print("[held-out NLU phrasings] floors: " + ("below" if problems else "all met"))
    print(f"\njudgement eval done in {time.monotonic() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
