"""Settings of the content tool and its worker (environment variables `CONTENT_*`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from common.paths import (
    CATALOG_PATH,
    CONTENT_DIR,
    ENV_FILE,
    MODELS_DIR,
    ROOT,
    TRAIN_CACHE_DIR,
    VAR_DIR,
)


class ContentSettings(BaseSettings):
    """Where content lives, how models are judged, how long things are kept."""

    model_config = SettingsConfigDict(
        env_prefix="CONTENT_", env_file=ROOT / ENV_FILE, env_file_encoding="utf-8", extra="ignore"
    )

    # The repository whose content/faqs seeds the database and receives exports.
    repo_root: Path = ROOT
    # Trained models (the same folder `make train` uses) and the worker's scratch space.
    models_dir: Path = ROOT / MODELS_DIR
    work_dir: Path = ROOT / VAR_DIR / "content"
    # Rasa's training cache: by default the one `make train` fills, so a retrain after
    # an edit restores what the edit did not touch (the judgement detectors above all).
    train_cache_dir: Path = ROOT / TRAIN_CACHE_DIR

    min_examples: int = 10
    # Share of each edited FAQ's training examples held out for the evaluation gate.
    holdout_share: Annotated[float, Field(ge=0.0, le=0.5)] = 0.2
    gate_floor: float = 0.92
    gate_margin: float = 0.01  # the candidate may be at most 1 point below the live model

    rollback_depth: int = 5
    keep_models: int = 8

    max_upload_bytes: int = 2 * 1024 * 1024
    upload_part_bytes: int = 48 * 1024  # below the gateway's 64 KB body limit
    max_rows: int = 5000

    live_poll_s: float = 1.0
    # An unused candidate engine (kept for "try it") is stopped after this long.
    candidate_ttl_s: float = 900.0
    engine_start_timeout_s: float = 300.0

    # Engines pull the live model from the gateways (`GET /api/engine/model`, Rasa's
    # `models` endpoint) instead of the worker starting engines of its own: how a
    # deploy reaches every engine on every host (docs/architecture.md).
    engines_pull: bool = False
    # What a gateway serves before any model went live: the repository's model.
    default_model: Path | None = None
    # How long a deploy waits for every gateway's engine to report the new model.
    engine_reload_timeout_s: float = 180.0

    @property
    def content_dir(self) -> Path:
        """The repository's FAQ files."""
        return self.repo_root / CONTENT_DIR

    @property
    def catalog_path(self) -> Path:
        """The bank's policy sheet."""
        return self.repo_root / CATALOG_PATH


@lru_cache
def get_content_settings() -> ContentSettings:
    """The process-wide content settings (tests build their own)."""
    return ContentSettings()
