"""Tests of the ``bot/`` NLU components.

Most of them need Rasa and spaCy and so run in the *engine* environment
(Python 3.10)::

    /path/to/engine/bin/python -m pytest tests/bot --confcutdir=tests/bot -p no:cacheprovider

(``--confcutdir`` keeps pytest from loading ``tests/conftest.py``, which
imports the gateway's app-environment packages.) In the app environment the
Rasa-dependent modules are skipped with a reason; the wording test runs in both.
"""

from __future__ import annotations

import datetime as dt
import os
import warnings

import pytest

from common.paths import TRAIN_CACHE_DIR

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

FIXED_TODAY = dt.date(2026, 2, 15)


def import_engine_module(name: str):
    """Import a ``bot`` module that needs Rasa, or skip the test module.

    Rasa 3.6, TensorFlow and their dependencies raise DeprecationWarnings at
    import time that are not ours; the project runs tests with warnings as
    errors, so the import itself is done with those silenced."""
    pytest.importorskip("rasa", reason="needs the engine environment (Rasa 3.6)")
    import importlib

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        return importlib.import_module(name)


@pytest.fixture(scope="session")
def judgement_detector(tmp_path_factory: pytest.TempPathFactory):
    """``JudgementDetector`` trained as ``rasa train`` trains it, from ``data/judgement``.

    Trained once per session (about half a minute) in a local model storage,
    then loaded back from it, so the tests judge with what a model archive holds.
    """
    judgement = import_engine_module("bot.judgement")
    storage_module = import_engine_module("rasa.engine.storage.local_model_storage")
    resource_module = import_engine_module("rasa.engine.storage.resource")
    graph = import_engine_module("rasa.engine.graph")
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    # the pipeline's tokenizer loads the bank's jieba dictionary before the
    # detector trains or judges (word features), so the tests do too
    tokenizer = import_engine_module("bot.tokenizer")
    tokenizer.BankJiebaTokenizer._load_custom_dictionary(str(root / "bot" / "jieba_dict"))
    config = _configured_judgement(root)
    storage = storage_module.LocalModelStorage(tmp_path_factory.mktemp("judgement-model"))
    resource = resource_module.Resource("judgement")
    context = graph.ExecutionContext(graph.GraphSchema({}), "test")
    detector = judgement.JudgementDetector.create(config, storage, resource, context)
    training_data = import_engine_module("rasa.shared.nlu.training_data.training_data")
    # no NLU data: the detector trains on its own folder only (labelled sets and
    # the snapshot of plain questions), so what the tests see is what rasa trains.
    # config.yml's settings (paths relative to the checkout, as `rasa train`
    # reads them) and the checkout's training cache: the model `make train`
    # trains next restores these detectors (bot/judgement_memo.py).
    cache = import_engine_module("bot.judgement_memo").CACHE_LOCATION_ENV
    before = os.environ.get(cache)
    os.environ[cache] = str(root / TRAIN_CACHE_DIR)
    try:
        detector.train(training_data.TrainingData())
    finally:
        if before is None:
            os.environ.pop(cache)
        else:
            os.environ[cache] = before
    return judgement.JudgementDetector.load(config, storage, resource, context)


def _configured_judgement(root) -> dict:
    """The detector's settings in config.yml (thresholds as served)."""
    import yaml

    config = yaml.safe_load((root / "config.yml").read_text(encoding="utf-8"))
    entry = next(c for c in config["pipeline"] if c["name"].endswith("JudgementDetector"))
    judgement = import_engine_module("bot.judgement")
    settings = {**judgement.JudgementDetector.get_default_config()}
    settings.update({k: v for k, v in entry.items() if k != "name"})
    return settings
