from collections.abc import Iterator
from pathlib import Path

import pytest

from bankbot.local_stack import RunningStack, start_stack
from handoff.migrate import upgrade
from tests.browser.test_widget_faq import (  # noqa: F401
    test_english_page_starts_an_english_conversation,
    test_faq_answered_in_chinese_then_in_english,
)


@pytest.fixture(scope="module")
def stack(core_bank: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    workdir = tmp_path_factory.mktemp("stack")
    upgrade(f"sqlite:///{workdir}/gateway.db")
    running = start_stack(Path("models/fddf94184eb507f0.tar.gz").resolve(), workdir, core_database_url=core_bank)
    yield running
    running.stop()
