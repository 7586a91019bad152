"""Rasa in the engine environment: the one `rasa train` runner and the serving command line.

Both the checkout's model (`make train`, `make run`, the tests) and the
content team's models (the worker) are trained by :func:`train`, and every
engine, the stack's and a deployment's, is started with :func:`serve_argv`.
Rasa runs in `.venv/engine` (Python 3.10) with the repository importable, so
config.yml's components in `bot/` load.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from common.paths import ENGINE_PYTHON, ROOT

PYTHON = ROOT / ENGINE_PYTHON
"""The engine environment's interpreter (always this checkout's)."""

_VALIDATING = re.compile(r"Started validating domain and training data")
_STARTED = re.compile(r"Starting to train component '?(\w+)")
_DONE = re.compile(r"(?:Finished training|Restored) component '?(\w+)")
_EPOCH = re.compile(r"Epochs:\s+(\d+)%")


class TrainingCancelled(Exception):
    """Whoever asked for the training no longer wants it."""


class TrainingFailed(Exception):
    """Rasa exited with an error; `log_tail` holds the end of its output."""

    def __init__(self, message: str, log_tail: str) -> None:
        super().__init__(message)
        self.log_tail = log_tail


@dataclass(frozen=True)
class Step:
    """Where a training is: overall percent, the component at work, its epochs (if any).

    ``started`` marks the moment a component begins (consoles print it once).
    """

    percent: int
    component: str
    epoch: int | None = None
    started: bool = False


@dataclass(frozen=True)
class TrainJob:
    """What one `rasa train` needs: the files to train on and where the model goes."""

    config: Path
    domain: Path
    data: tuple[Path, ...]
    out_dir: Path
    name: str
    log_path: Path
    cwd: Path = ROOT
    cache_dir: Path | None = None  # Rasa's graph cache: unchanged components are restored

    @property
    def target(self) -> Path:
        """The model file this training writes."""
        return self.out_dir / f"{self.name}.tar.gz"


def engine_env(repo_root: Path = ROOT) -> dict[str, str]:
    """Environment for engine-side commands (no telemetry, our code importable)."""
    env = dict(os.environ)
    env["RASA_TELEMETRY_ENABLED"] = "false"
    env["PYTHONPATH"] = str(repo_root)
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    # Rasa 3.6's dependencies warn about their own deprecations on every start.
    env["PYTHONWARNINGS"] = "ignore::DeprecationWarning"
    return env


def serve_argv(
    model: Path | str, port: int, token: str, endpoints: Path, credentials: Path,
    host: str = "127.0.0.1",
) -> list[str]:
    """`rasa run` for one model on `host` (a loopback address), token-protected."""
    return [
        str(PYTHON), "-m", "rasa", "run", "--enable-api",
        f"--auth-token={token}",  # '=' form: tokens may start with '-'
        "-i", host, "-p", str(port), "-m", str(model),
        "--endpoints", str(endpoints), "--credentials", str(credentials),
    ]  # fmt: skip


def component_count(config_path: Path) -> int:
    """How many components training goes through (pipeline and policies)."""
    config = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    return max(1, len(config.get("pipeline") or []) + len(config.get("policies") or []))


def pieces(stream: Iterable[str]) -> Iterator[str]:
    """Rasa's output split at tqdm's carriage returns too."""
    for line in stream:
        yield from (piece for piece in line.split("\r") if piece.strip())


def train(
    job: TrainJob,
    progress: Callable[[Step], None] = lambda _: None,
    cancelled: Callable[[], bool] = lambda: False,
) -> Path:
    """Run `rasa train` on `job`, reporting progress; returns the model file.

    Progress follows Rasa's log: components finished or restored from the
    cache, and the epochs of the components that have them. `cancelled` is
    asked every second; when it says so the training is killed and
    :class:`TrainingCancelled` raised. A failed training raises
    :class:`TrainingFailed` with the end of the log.
    """
    job.out_dir.mkdir(parents=True, exist_ok=True)
    job.log_path.parent.mkdir(parents=True, exist_ok=True)
    command = [
        str(PYTHON), "-m", "rasa", "train",
        "--config", str(job.config), "--domain", str(job.domain),
        "--data", *map(str, job.data),
        "--out", str(job.out_dir), "--fixed-model-name", job.name,
    ]  # fmt: skip
    env = engine_env(job.cwd)
    if job.cache_dir is not None:
        env["RASA_CACHE_DIRECTORY"] = str(job.cache_dir)
    total, done, step = component_count(job.config), 0, Step(0, "starting Rasa")
    lines: queue.Queue[str | None] = queue.Queue()
    with job.log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            command, cwd=job.cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, errors="replace", start_new_session=True,
        )  # fmt: skip
        assert process.stdout is not None
        stdout = process.stdout

        def pump() -> None:
            for piece in pieces(stdout):
                lines.put(piece)
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        try:
            progress(step)
            while True:
                if cancelled():
                    raise TrainingCancelled()
                try:
                    piece = lines.get(timeout=1.0)
                except queue.Empty:
                    progress(step)
                    continue
                if piece is None:
                    break
                log.write(piece if piece.endswith("\n") else piece + "\n")
                if _VALIDATING.search(piece):
                    step = Step(5, "checking the training data")
                elif match := _DONE.search(piece):
                    done = min(done + 1, total)
                    step = Step(10 + 85 * done // total, f"{match.group(1)} done")
                elif match := _STARTED.search(piece):
                    step = Step(step.percent, match.group(1), started=True)
                elif match := _EPOCH.search(piece):
                    epoch = int(match.group(1))
                    percent = 10 + int(85 * (done + epoch / 100) / total)
                    step = Step(percent, step.component, epoch)
                else:
                    continue
                progress(step)
                step = replace(step, started=False)  # reported once; idle repeats are no start
        except BaseException:  # cancelled, Ctrl-C, a failing progress callback: no orphan
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise
        code = process.wait()
    if code != 0 or not job.target.exists():
        raise TrainingFailed(f"rasa train exited with code {code}", log_tail(job.log_path))
    return job.target


def log_tail(path: Path, lines: int = 30) -> str:
    """The last lines of a log file ("" if it cannot be read)."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


_ERROR_LINE = re.compile(r"(Exception|Error)\b.*", re.IGNORECASE)


def plain_failure(tail: str) -> str:
    """The most telling line of a failed training's output, for the page."""
    for line in reversed(tail.splitlines()):
        if _ERROR_LINE.search(line):
            return line.strip()[:300]
    return "see the training log"
