"""The checkout's own model: trained from the repository's files, only when they changed.

`make run`, `make train`, `make eval`, the benchmarks and the tests all call
:func:`ensure_model`. It renders the FAQ files from `content/faqs`, and trains
a model named by the hash of its inputs (:mod:`pipeline.inputs`) unless the
cache under `models/` has it already.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from common.paths import CONFIG_PATH, DOMAIN_DIR, MODELS_DIR, ROOT, TRAIN_CACHE_DIR, TRAINING_DATA
from faqs.render import render
from pipeline import rasa
from pipeline.inputs import inputs_hash

MODELS = ROOT / MODELS_DIR


def model_path(root: Path = ROOT) -> Path:
    """Where the model for the current inputs lives (or will)."""
    return MODELS / f"{inputs_hash(root)}.tar.gz"


def ensure_model(log_path: Path, say: Callable[[str], None] = print) -> Path:
    """Return the current model, training it first if its inputs changed."""
    render(ROOT)
    target = model_path()
    if target.exists():
        say(f"model up to date: {target.relative_to(ROOT)}")
        return target
    say(f"training a new model ({target.name}); log: {log_path.relative_to(ROOT)}")
    started = time.monotonic()
    job = rasa.TrainJob(
        config=ROOT / CONFIG_PATH,
        domain=ROOT / DOMAIN_DIR,
        data=tuple(ROOT / folder for folder in TRAINING_DATA),
        out_dir=MODELS,
        name=target.name.removesuffix(".tar.gz"),
        log_path=log_path,
        cache_dir=ROOT / TRAIN_CACHE_DIR,
    )
    try:
        rasa.train(job, _Console(say))
    except rasa.TrainingFailed as exc:
        raise RuntimeError(f"training failed ({exc}); see {log_path}") from exc
    say(f"trained in {time.monotonic() - started:.0f} s")
    prune_cache(keep=target)
    return target


def prune_cache(keep: Path, newest: int = 4) -> None:
    """Keep the cache small: the model just made and the few most recent others."""
    cached = sorted(MODELS.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for path in [p for p in cached if p != keep][newest:]:
        path.unlink(missing_ok=True)


class _Console:
    """Training progress for a person at a terminal: each component, its epochs in fifths."""

    def __init__(self, say: Callable[[str], None]) -> None:
        self.say = say
        self.shown = -1

    def __call__(self, step: rasa.Step) -> None:
        if step.started:
            self.shown = -1
            self.say(f"  training {step.component}")
        elif step.epoch is not None:
            if step.epoch >= self.shown + 20 or (step.epoch == 100 and self.shown != 100):
                self.shown = step.epoch
                self.say(f"  {step.component}: {step.epoch}%")
