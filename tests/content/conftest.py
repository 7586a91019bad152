"""Fixtures for the content tool: the gateway in-process on a throw-away database,
with its own copy of the repository's content (exports write there, never to the tree)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from common.paths import ROOT
from handoff.services.content.settings import get_content_settings
from tests.support.desk import login

REPO_FILES = (
    "content",
    "config.yml",
    "data/nlu/core.yml",
    "tests/nlu/core_testset.yml",
)


def copy_repository(target: Path) -> Path:
    """The parts of the repository the content tool reads (and may write)."""
    for rel in REPO_FILES:
        source, dest = ROOT / rel, target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, dest)
        elif source.exists():
            shutil.copy2(source, dest)
    return target


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private copy of the repository's content, used as CONTENT_REPO_ROOT."""
    root = copy_repository(tmp_path / "repo")
    monkeypatch.setenv("CONTENT_REPO_ROOT", str(root))
    monkeypatch.setenv("CONTENT_WORK_DIR", str(tmp_path / "work"))
    monkeypatch.setenv("CONTENT_MODELS_DIR", str(tmp_path / "models"))
    get_content_settings.cache_clear()
    yield root
    get_content_settings.cache_clear()


@pytest.fixture
async def content_api(repo: Path, api: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway with the FAQ store seeded from the private repository copy."""
    await api.app.state.desk.stop_background()  # type: ignore[attr-defined]
    yield api


@pytest.fixture
async def staff(content_api: httpx.AsyncClient) -> dict[str, dict[str, str]]:
    """Bearer headers for the demo staff accounts."""
    names = ("editor1", "editor2", "supervisor1", "agent1")
    return {name: await login(content_api, name) for name in names}
