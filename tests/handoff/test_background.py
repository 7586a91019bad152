"""Background loops stop for sure, even when a cancel is swallowed mid-call."""

from __future__ import annotations

import asyncio
import time

import pytest

from handoff.services.background import stop_task

pytestmark = pytest.mark.asyncio


async def test_a_loop_that_turns_a_cancel_into_an_error_still_stops() -> None:
    ticks = 0
    in_call = asyncio.Event()

    async def loop() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.05)
            try:  # a client call that reports a cancel as an ordinary error
                in_call.set()
                try:
                    await asyncio.sleep(0.02)
                except asyncio.CancelledError:
                    raise ConnectionError("cancelled mid-call") from None
            except Exception:  # noqa: BLE001 - as the gateway's loops do
                ticks += 1

    task = asyncio.create_task(loop())
    await in_call.wait()
    assert await stop_task(task, within_s=2.0)
    assert task.done() and ticks >= 1  # the first cancel was swallowed, a later one ended it


async def test_a_task_that_never_ends_is_given_up_in_bounded_time(
    caplog: pytest.LogCaptureFixture,
) -> None:
    release = asyncio.Event()

    async def stubborn() -> None:
        while not release.is_set():
            try:
                await asyncio.sleep(1)
            except asyncio.CancelledError:
                continue

    task = asyncio.create_task(stubborn(), name="stubborn")
    await asyncio.sleep(0)
    began = time.monotonic()
    assert not await stop_task(task, within_s=0.5)
    assert time.monotonic() - began < 1.5
    assert "stubborn did not stop" in caplog.text
    release.set()
    await asyncio.wait_for(task, timeout=2)


async def test_nothing_to_stop() -> None:
    assert await stop_task(None)
