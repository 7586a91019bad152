"""Session fixtures: one trained model (cached by content hash) and the real stack."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bankbot.training import ensure_model
from corebank.db import create_schema, make_engine
from corebank.seed import seed
from handoff.core.config import ROOT
from handoff.migrate import upgrade
from bankbot.local_stack import RunningStack, start_stack


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The model for the repository's current data; trained only if its inputs changed."""
    return ensure_model(ROOT / "var" / "log" / "test-train.log", say=print)


@pytest.fixture(scope="session")
def core_bank(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A small deterministic demo bank (the two named customers plus a few hundred)."""
    path = tmp_path_factory.mktemp("corebank") / "corebank.db"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    create_schema(engine)
    seed(engine, customers=200)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def stack(
    trained_model: Path, core_bank: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningStack]:
    """Engine, action server and gateway, real processes, for the whole session."""
    workdir = tmp_path_factory.mktemp("stack")
    upgrade(f"sqlite:///{workdir}/gateway.db")
    running = start_stack(trained_model, workdir, core_database_url=core_bank)
    yield running
    running.stop()


@pytest.fixture
def gateway(stack: RunningStack) -> Iterator[httpx.Client]:
    """An HTTP client on the running gateway."""
    with httpx.Client(base_url=stack.gateway_url, timeout=30) as client:
        yield client
