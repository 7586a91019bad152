"""Fixtures for the content tool: the gateway in-process on a throw-away database,
with its own copy of the repository's content (exports write there, never to the tree)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from handoff.core.config import ROOT
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


def faq_payload(faq_id: str = "card_activation", **changes: Any) -> dict[str, Any]:
    """A new FAQ that passes every check (both languages, 12 examples each)."""
    body: dict[str, Any] = {
        "id": faq_id,
        "category": "cards",
        "question": {"zh": "新卡怎么激活？", "en": "How do I activate my new card?"},
        "answer": {
            "zh": "您好，新卡可以在手机银行“卡片管理”中激活，也可以到任一网点柜台激活，需要本人身份证。",
            "en": "Hello! You can activate a new card in the mobile app under Card management, "
            "or at any branch counter with your ID card.",
        },
        "examples": {
            "zh": [
                "新卡怎么激活", "银行卡激活流程", "收到新卡要激活吗", "怎样开通新办的卡",
                "卡片激活在哪里操作", "新借记卡怎么启用", "手机上能激活新卡吗", "激活银行卡需要带什么",
                "新卡不激活能用吗", "补办的卡怎么激活", "柜台可以激活卡片吗", "新卡激活要多久",
            ],
            "en": [
                "how do i activate my new card", "card activation steps", "activate debit card",
                "do i need to activate a new card", "where can i activate my card",
                "activate card in the app", "how to switch on my new card",
                "can i use a card before activation", "activating a replacement card",
                "card activation at a branch", "what do i need to activate my card",
                "how long does card activation take",
            ],
        },
        "test": {"zh": ["新卡片如何激活"], "en": ["how can i activate the card i just got"]},
    }
    body.update(changes)
    return body
