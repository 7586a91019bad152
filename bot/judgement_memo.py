"""Trained detectors kept between trainings, keyed by everything that shapes them.

Fitting the detectors is most of a training (about a minute of two minutes on
two cores), and the content team retrains after every FAQ edit. Rasa's own
cache cannot spare that minute: in the default recipe a trainable NLU
component's training step takes the training data of the components before it,
so an edited FAQ changes the step's fingerprint, although the detectors never
read that data (``bot/judgement.py``). This memo keys a trained model by what
does shape it: the component's whole configuration, its labelled sets and
feature code (``fingerprint_addon``), and the versions of the libraries that
fit it. It lives in Rasa's cache folder (``RASA_CACHE_DIRECTORY``), so a
training that is given a cache shares it and one that is not keeps its own.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy
import sklearn

logger = logging.getLogger(__name__)

CACHE_LOCATION_ENV = "RASA_CACHE_DIRECTORY"
DEFAULT_CACHE_LOCATION = Path(".rasa", "cache")
"""Where Rasa 3.6 keeps its training cache (``rasa.engine.caching``, not imported here:
importing it declares its SQLAlchemy tables and warns about the 2.0 API)."""

FOLDER = "bankbot-judgement"
KEEP = 4
"""Trained models kept: the current data's and a few before it (each about 10 MB)."""


def memo_dir() -> Path:
    """The memo folder inside the Rasa cache folder this training uses."""
    return Path(os.environ.get(CACHE_LOCATION_ENV, DEFAULT_CACHE_LOCATION)) / FOLDER


def memo_key(config: dict[str, Any], addon: str) -> str:
    """One key per configuration, data and code: any change trains afresh."""
    digest = hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode())
    digest.update(f"\0{addon}\0{sklearn.__version__}\0{numpy.__version__}".encode())
    digest.update(Path(__file__).with_name("judgement.py").read_bytes())
    return digest.hexdigest()[:24]


def has(key: str) -> bool:
    """Whether a model is kept under ``key``."""
    return (memo_dir() / key).is_dir()


def restore(key: str, directory: Path) -> bool:
    """Copy the model kept under ``key`` into ``directory``; False when there is none."""
    kept = memo_dir() / key
    if not kept.is_dir():
        return False
    try:
        shutil.copytree(kept, directory, dirs_exist_ok=True)
    except OSError:  # a half-pruned entry: train instead
        logger.warning(f"Judgement memo entry '{kept}' could not be read; training afresh.")
        return False
    os.utime(kept)  # recently used: pruned last
    return True


def keep(key: str, directory: Path) -> None:
    """Keep the model just saved in ``directory`` under ``key``, then prune old ones.

    Written beside its place and renamed into it, so a training running at the
    same time never reads half a model. A memo that cannot be written only
    costs the next training its minute.
    """
    folder = memo_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=folder))
        shutil.copytree(directory, staging, dirs_exist_ok=True)
        try:
            staging.rename(folder / key)
        except OSError:  # another training kept the same model first
            shutil.rmtree(staging, ignore_errors=True)
        entries = sorted(
            (p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for old in entries[KEEP:]:
            shutil.rmtree(old, ignore_errors=True)
    except OSError:
        logger.warning(f"Could not keep the trained detectors in '{folder}'.", exc_info=True)
