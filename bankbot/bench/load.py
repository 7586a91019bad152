"""The load shapes the benchmark drives.

Closed loop, open loop (Poisson arrivals), one long conversation, interleaved
single turns, and the NLU ceiling.

Every run is bounded in time and in requests in flight, and stops by itself.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections.abc import Iterator
from typing import Protocol

import httpx

from bankbot.bench.clients import Conversation, TurnFailed
from bankbot.bench.script import Script, faq_questions
from bankbot.bench.stats import Summary, summarise

MAX_IN_FLIGHT = 400
"""An open-loop run never has more turns waiting than this (later arrivals are dropped)."""


class Path(Protocol):
    """A way into the stack (`clients.GatewayPath` or `clients.EnginePath`)."""

    name: str
    handoffs: int

    async def turn(self, conversation: Conversation) -> float:
        """Send the conversation's next message; return how long the answer took."""


def _conversations(scripts: list[Script]) -> Iterator[Conversation]:
    """Fresh conversations from the scripts, round and round."""
    for script in itertools.cycle(scripts):
        yield Conversation(script.language, script.messages)


async def closed_loop(path: Path, scripts: list[Script], users: int, seconds: float) -> Summary:
    """`users` customers each send their next message as soon as the last is answered."""
    fresh = _conversations(scripts)
    latencies: list[float] = []
    errors = 0
    started = time.perf_counter()
    deadline = started + seconds

    async def customer() -> None:
        nonlocal errors
        conversation = next(fresh)
        while time.perf_counter() < deadline:
            if conversation.done:
                conversation = next(fresh)
            try:
                latencies.append(await path.turn(conversation))
            except (TurnFailed, httpx.HTTPError):
                errors += 1
                conversation = next(fresh)

    await asyncio.gather(*(customer() for _ in range(users)))
    return summarise(latencies, time.perf_counter() - started, errors)


async def open_loop(
    path: Path, scripts: list[Script], rate: float, seconds: float, seed: int = 7
) -> tuple[Summary, int]:
    """Turns arrive as a Poisson process at `rate` per second whatever the answers do.

    An arrival continues a conversation that is not waiting for an answer, or
    starts a new one. Returns the figures and how many arrivals were dropped
    because MAX_IN_FLIGHT turns were already waiting.
    """
    rng = random.Random(seed)
    fresh = _conversations(scripts)
    idle: list[Conversation] = []
    latencies: list[float] = []
    errors = dropped = 0
    in_flight: set[asyncio.Task[None]] = set()

    async def arrival() -> None:
        nonlocal errors
        conversation = idle.pop() if idle else next(fresh)
        try:
            latencies.append(await path.turn(conversation))
        except (TurnFailed, httpx.HTTPError):
            errors += 1
            return
        if not conversation.done:
            idle.append(conversation)

    started = time.perf_counter()
    at = started
    while True:
        at += rng.expovariate(rate)
        if at >= started + seconds:
            break
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        if len(in_flight) >= MAX_IN_FLIGHT:
            dropped += 1
            continue
        task = asyncio.create_task(arrival())
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
    if in_flight:
        await asyncio.wait(in_flight, timeout=90)
    return summarise(latencies, time.perf_counter() - started, errors), dropped


async def one_long_conversation(
    path: Path, script: Script, control_length: int = 8
) -> tuple[list[float], list[float]]:
    """Every turn of one conversation, each followed by the same message in a short one.

    The short conversations (a new one every `control_length` turns, carrying
    the same messages) are the control: the machine is shared and its load
    drifts while the long one runs, and messages differ in what they cost;
    dividing each long turn by its control turn takes both out.
    Returns the long conversation's turn times and the control's.
    """
    conversation = Conversation(script.language, script.messages)
    took: list[float] = []
    beside: list[float] = []
    control = Conversation(script.language, ())
    while not conversation.done:
        index = conversation.turn
        if control.done:
            chunk = script.messages[index : index + control_length]
            control = Conversation(script.language, chunk)
        took.append(await path.turn(conversation))
        beside.append(await path.turn(control))
    return took, beside


async def interleaved(paths: list[Path], scripts: list[Script], turns: int) -> list[Summary]:
    """The same single turns through each path in turn, one at a time.

    Both paths see the same machine load; conversations stay short so none grows long.
    """
    per_path: list[list[float]] = [[] for _ in paths]
    current: list[Conversation] = []
    fresh = [_conversations(scripts) for _ in paths]
    started = time.perf_counter()
    for _ in range(turns):
        if not current or current[0].done:
            current = [next(f) for f in fresh]
        for index, path in enumerate(paths):
            per_path[index].append(await path.turn(current[index]))
    elapsed = time.perf_counter() - started
    return [summarise(values, elapsed) for values in per_path]


async def nlu_ceiling(
    client: httpx.AsyncClient, engine_urls: list[str], token: str, seconds: float, clients: int = 8
) -> Summary:
    """`/model/parse` as fast as `clients` concurrent callers can go, spread over the engines."""
    texts = faq_questions("zh") + faq_questions("en")
    latencies: list[float] = []
    errors = 0
    started = time.perf_counter()
    deadline = started + seconds

    async def caller(index: int) -> None:
        nonlocal errors
        url = f"{engine_urls[index % len(engine_urls)].rstrip('/')}/model/parse"
        for text in itertools.cycle(texts[index:] + texts[:index]):
            if time.perf_counter() >= deadline:
                return
            begun = time.perf_counter()
            try:
                response = await client.post(url, params={"token": token}, json={"text": text})
                response.raise_for_status()
            except httpx.HTTPError:
                errors += 1
                continue
            latencies.append(time.perf_counter() - begun)

    await asyncio.gather(*(caller(i) for i in range(clients)))
    return summarise(latencies, time.perf_counter() - started, errors)
