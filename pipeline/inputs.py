"""What a model is made from: one definition, for the checkout's model and the content team's.

A model's name is a hash of every file that shapes it, so the same inputs are
never trained twice and a changed input is never served by a stale model:

* the training files — `config.yml`, the domain and the training data
  (`data/nlu`, `data/rules`, `data/stories`), read from the checkout or from a
  training build;
* the engine's code — the packages Rasa loads (`bot/`, `common/`) and the
  engine environment's lock file — and the labelled sets components read
  (`data/judgement`, `data/complaints`), always the checkout's.

Anything else (docs, other data under `data/`, tests) never changes the model.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from common.paths import (
    COMPLAINT_DATA,
    CONFIG_PATH,
    DOMAIN_DIR,
    ENGINE_CODE,
    ENGINE_LOCK,
    JUDGEMENT_DATA,
    ROOT,
    TRAINING_DATA,
)


def _files_under(base: Path, folders: tuple[Path, ...]) -> list[Path]:
    found = []
    for folder in folders:
        for path in sorted((base / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.relative_to(base).parts:
                found.append(path)
    return found


def training_files(root: Path) -> list[Path]:
    """Config, domain and training data under `root` (a checkout or a build), in a stable order."""
    return [root / CONFIG_PATH, *_files_under(root, (DOMAIN_DIR, *TRAINING_DATA))]


def engine_code(repo_root: Path = ROOT) -> list[Path]:
    """The engine's lock file, its code and its components' labelled sets, in order."""
    lock = repo_root / ENGINE_LOCK
    folders = (*ENGINE_CODE, JUDGEMENT_DATA, COMPLAINT_DATA)
    return ([lock] if lock.exists() else []) + _files_under(repo_root, folders)


def model_inputs(repo_root: Path = ROOT, training_root: Path | None = None) -> list[Path]:
    """Every file whose content shapes the model."""
    return training_files(training_root or repo_root) + engine_code(repo_root)


def inputs_hash(repo_root: Path = ROOT, training_root: Path | None = None) -> str:
    """Hash of the model's inputs (names relative to their root, and bytes), 16 hex digits."""
    digest = hashlib.sha256()
    training = training_root or repo_root
    for path in model_inputs(repo_root, training_root):
        base = training if path.is_relative_to(training) else repo_root
        digest.update(path.relative_to(base).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]
