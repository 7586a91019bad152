"""Where things live in a checkout, relative to its root.

Every process finds the repository's files through these names, so moving a
folder is a change in one place. ``ROOT`` is the checkout this code runs from;
the rest are relative paths, to be joined to ``ROOT`` or to a copy of the
repository (the content tool and the training worker work on copies).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
"""The checkout this code was loaded from."""

# --- the content team's FAQ sources ------------------------------------------------
CONTENT_DIR = Path("content/faqs")
CATALOG_PATH = Path("content/faq-catalog.yml")

# --- what the engine is trained on ------------------------------------------------
CONFIG_PATH = Path("config.yml")
DOMAIN_DIR = Path("domain")
TRAINING_DATA = (Path("data/nlu"), Path("data/rules"), Path("data/stories"))
FAQ_NLU_PATH = Path("data/nlu/faq.yml")
FAQ_DOMAIN_PATH = Path("domain/faq.yml")
CORE_NLU_PATH = Path("data/nlu/core.yml")
ENGINE_LOCK = Path("requirements/engine.lock")
ENGINE_CODE = (Path("bot"), Path("common"))
"""Python packages the engine loads while training and serving (config.yml's components)."""
JUDGEMENT_DATA = Path("data/judgement")
"""The judgement detectors' labelled sets, read by their component (config.yml's `data_path`)."""
COMPLAINT_DATA = Path("data/complaints")
"""Complaints labelled with their category, read by the complaint reader (config.yml)."""
CREDENTIALS_PATH = Path("credentials.yml")

# --- held-out test sets -------------------------------------------------------------
FAQ_TESTSET_PATH = Path("tests/nlu/faq_testset.yml")
CORE_TESTSET_PATH = Path("tests/nlu/core_testset.yml")
TEST_STORIES_PATH = Path("tests/bot/test_stories.yml")

# --- made at run time ---------------------------------------------------------------
MODELS_DIR = Path("models")
VAR_DIR = Path("var")
LOG_DIR = Path("var/log")
TRAIN_CACHE_DIR = Path("var/rasa-cache")
"""Rasa's training cache, shared by `make train` and the content worker: a retrain
restores what did not change (the judgement detectors keep theirs there too)."""
ENV_FILE = Path(".env")

# --- the two Python environments ------------------------------------------------------
ENGINE_PYTHON = Path(".venv/engine/bin/python")
APP_PYTHON = Path(".venv/app/bin/python")
