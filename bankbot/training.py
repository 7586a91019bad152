"""Train the engine's model only when what it is made from has changed.

The model file is named by a hash of its inputs (config, domain, training
data, our engine-side code and the engine's lock file), so `make run` and the
test fixtures reuse a model as long as nothing it depends on changed.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from handoff.core.config import ROOT

MODELS = ROOT / "models"
ENGINE_PYTHON = ROOT / ".venv" / "engine" / "bin" / "python"
TRAINING_DATA = ("data/nlu", "data/rules", "data/stories")
# Read by the judgement detectors themselves (config.yml's `data_path`), not by --data.
JUDGEMENT_DATA = ("data/judgement",)
# Files that never change the trained model.
_NOT_MODEL_INPUTS = {"bot/faq_content.py"}
_EPOCH = re.compile(r"Epochs:\s+(\d+)%")
_COMPONENT = re.compile(r"Starting to train component '?(\w+)")


def model_inputs(root: Path = ROOT) -> list[Path]:
    """Every file whose content shapes the model, in a stable order."""
    files: list[Path] = [root / "config.yml", root / "requirements" / "engine.lock"]
    for folder in ("domain", *TRAINING_DATA, *JUDGEMENT_DATA, "bot"):
        for path in sorted((root / folder).rglob("*")):
            rel = path.relative_to(root).as_posix()
            if path.is_file() and "__pycache__" not in rel and rel not in _NOT_MODEL_INPUTS:
                files.append(path)
    return files


def content_hash(root: Path = ROOT) -> str:
    """Hash of the model's inputs (names and bytes), short enough for a file name."""
    digest = hashlib.sha256()
    for path in model_inputs(root):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def model_path(root: Path = ROOT) -> Path:
    """Where the model for the current inputs lives (or will)."""
    return MODELS / f"{content_hash(root)}.tar.gz"


def render_faq_content() -> None:
    """Regenerate the FAQ training data and responses from content/faqs."""
    subprocess.run(
        [sys.executable, "-m", "bot.faq_content", "render"], cwd=ROOT, check=True
    )


def ensure_model(log_path: Path, say: Callable[[str], None] = print) -> Path:
    """Return the current model, training it first if its inputs changed."""
    render_faq_content()
    target = model_path()
    if target.exists():
        say(f"model up to date: {target.relative_to(ROOT)}")
        return target
    say(f"training a new model ({target.name}); log: {log_path.relative_to(ROOT)}")
    train(target, log_path, say)
    prune_cache(keep=target)
    return target


def prune_cache(keep: Path, newest: int = 4) -> None:
    """Keep the cache small: the model just made and the few most recent others."""
    cached = sorted(MODELS.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for path in [p for p in cached if p != keep][newest:]:
        path.unlink(missing_ok=True)


def engine_env() -> dict[str, str]:
    """Environment for engine-side commands (no telemetry, our code importable)."""
    env = dict(os.environ)
    env["RASA_TELEMETRY_ENABLED"] = "false"
    env["PYTHONPATH"] = str(ROOT)
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    # Rasa 3.6's dependencies warn about their own deprecations on every start.
    env["PYTHONWARNINGS"] = "ignore::DeprecationWarning"
    return env


def train(target: Path, log_path: Path, say: Callable[[str], None] = print) -> None:
    """Run `rasa train` in the engine environment, showing progress per component."""
    MODELS.mkdir(exist_ok=True)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    command = [
        str(ENGINE_PYTHON), "-m", "rasa", "train",
        "--config", "config.yml", "--domain", "domain",
        "--data", *TRAINING_DATA,
        "--out", str(MODELS), "--fixed-model-name", target.name.removesuffix(".tar.gz"),
    ]  # fmt: skip
    started = time.monotonic()
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=engine_env(), stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, errors="replace",
        )  # fmt: skip
        assert process.stdout is not None
        _show_progress(_pieces(process.stdout), log, say)
        code = process.wait()
    if code != 0 or not target.exists():
        raise RuntimeError(f"training failed (exit {code}); see {log_path}")
    say(f"trained in {time.monotonic() - started:.0f} s")


def _pieces(stream: Iterable[str]) -> Iterable[str]:
    """Split tqdm's carriage-return updates into separate pieces."""
    for line in stream:
        yield from (piece for piece in line.split("\r") if piece.strip())


def _show_progress(pieces: Iterable[str], log: object, say: Callable[[str], None]) -> None:
    component, shown = "", -1
    for piece in pieces:
        log.write(piece if piece.endswith("\n") else piece + "\n")  # type: ignore[attr-defined]
        if match := _COMPONENT.search(piece):
            component, shown = match.group(1), -1
            say(f"  training {component}")
        elif (match := _EPOCH.search(piece)) and component:
            percent = int(match.group(1))
            if percent >= shown + 20 or (percent == 100 and shown != 100):
                shown = percent
                say(f"  {component}: {percent}%")
