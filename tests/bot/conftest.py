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
