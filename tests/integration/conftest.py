"""Integration tests talk to the real stack (tests/conftest.py) over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from bankbot.local_stack import RunningStack


@pytest.fixture
def gateway(stack: RunningStack) -> Iterator[httpx.Client]:
    """An HTTP client on the running gateway."""
    with httpx.Client(base_url=stack.gateway_url, timeout=30) as client:
        yield client
