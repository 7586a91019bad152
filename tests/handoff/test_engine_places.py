"""An engine works on a few turns at once; the others wait their turn in the gateway, in order.

The scripted engine holds its answers, the one fault a real engine cannot be
made to show on demand: a turn still running while others arrive.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import pytest

from handoff.core.config import Settings
from handoff.main import build_context
from handoff.services.engine import EngineClient, EngineUnavailable
from tests.support.scripted_engine import Script, scripted_engine


@pytest.fixture
def held_engine() -> Iterator[tuple[str, Script]]:
    with scripted_engine() as (url, script):
        script.hold = threading.Event()
        yield url, script
        script.hold.set()


async def _received(script: Script, count: int) -> None:
    deadline = time.monotonic() + 5
    while len(script.received) < count and time.monotonic() < deadline:
        await asyncio.sleep(0.02)


@pytest.mark.asyncio
@pytest.mark.parametrize("places", [1, 2])
async def test_turns_past_the_places_wait_and_are_served_in_order(
    held_engine: tuple[str, Script], places: int
) -> None:
    url, script = held_engine
    client = EngineClient([url], "token", connect_timeout=1, read_timeout=5, max_in_flight=places)
    try:
        turns = []
        for n in range(4):
            turns.append(asyncio.create_task(client.send(f"c{n}", f"message {n}", {})))
            await asyncio.sleep(0.05)  # they arrive one after another
        await _received(script, places)
        await asyncio.sleep(0.3)
        assert script.received == [f"message {n}" for n in range(places)]  # the others wait here
        assert script.hold is not None
        script.hold.set()
        answers = await asyncio.wait_for(asyncio.gather(*turns), 10)
        assert [[r.text for r in replies] for replies in answers] == [["ok"]] * 4
        if places == 1:  # one at a time: the engine sees them in the order they came
            assert script.received == ["message 0", "message 1", "message 2", "message 3"]
        else:
            assert sorted(script.received) == [f"message {n}" for n in range(4)]
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_a_turn_without_a_place_in_time_is_answered_as_engine_down_and_loses_no_place(
    held_engine: tuple[str, Script],
) -> None:
    url, script = held_engine
    client = EngineClient(
        [url], "token", connect_timeout=1, read_timeout=5, max_in_flight=1, queue_timeout=0.3
    )
    try:
        first = asyncio.create_task(client.send("c1", "first", {}))
        await _received(script, 1)
        began = time.monotonic()
        with pytest.raises(EngineUnavailable, match="busy"):
            await client.send("c2", "second", {})
        assert time.monotonic() - began < 2
        assert script.received == ["first"]  # the busy turn never reached the engine
        assert script.hold is not None
        script.hold.set()
        assert [r.text for r in await asyncio.wait_for(first, 10)] == ["ok"]
        # the place the busy turn waited for was not lost: the next turn gets it
        assert [r.text for r in await client.send("c3", "third", {})] == ["ok"]
    finally:
        await client.aclose()


def test_the_places_per_engine_come_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENGINE_MAX_IN_FLIGHT", "3")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.engine_max_in_flight == 3
    engine = build_context(settings).engine
    assert engine._max_in_flight == 3
    monkeypatch.setenv("ENGINE_MAX_IN_FLIGHT", "0")
    with pytest.raises(ValueError, match="engine_max_in_flight"):
        Settings(_env_file=None)  # type: ignore[call-arg]
