"""Benchmark: the same conversations through the gateway and straight to the engine.

`make bench` (BENCH_CONVERSATIONS, BENCH_MESSAGES to change the load). Starts
its own stack on free ports with throw-away databases, so it measures a clean
installation and never touches a running `make run`.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from bankbot.local_stack import LOOPBACK_LOAD_LIMITS, RunningStack, start_stack
from common.paths import LOG_DIR, ROOT
from corebank.db import create_schema, make_engine
from corebank.demo.seed import seed
from handoff.migrate import upgrade
from pipeline.checkout import ensure_model

# Each conversation asks at most this many of the messages below before a new
# one starts, so no question is repeated: a third repetition would (rightly)
# hand the customer to a person, and the two paths would no longer compare.
TURNS_PER_CONVERSATION = 5
MESSAGES = [
    "你们几点开门",
    "what are your opening hours",
    "转账手续费多少",
    "how do I open an account",
    "信用卡怎么还款",
    "谢谢",
]


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile: a value a request really took."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, from /proc."""
    total = 0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next(
                int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")
            )
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
            pids.extend(int(c) for c in children)
        except (OSError, StopIteration):
            continue
    return total / 1024


async def through_gateway(
    base: str, conversations: int, per_conv: int
) -> tuple[list[float], float]:
    """Latencies of customer messages through the public API, and the wall time."""
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=conversations + 10)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:

        async def one(index: int) -> None:
            for turn in range(per_conv):
                if turn % TURNS_PER_CONVERSATION == 0:
                    created = (
                        await client.post("/api/conversations", json={"channel": "web"})
                    ).json()
                    headers = {"Authorization": f"Bearer {created['token']}"}
                    url = f"/api/conversations/{created['conversation_id']}/messages"
                text = MESSAGES[(index + turn) % len(MESSAGES)]
                started = time.perf_counter()
                response = await client.post(
                    url, json={"text": text, "client_message_id": uuid.uuid4().hex}, headers=headers
                )
                latencies.append(time.perf_counter() - started)
                response.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(conversations)))
        return latencies, time.perf_counter() - started


async def straight_to_engine(
    base: str, conversations: int, per_conv: int
) -> tuple[list[float], float]:
    """The same messages on the engine's REST channel, bypassing the gateway."""
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=conversations + 10)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:

        async def one(index: int) -> None:
            for turn in range(per_conv):
                if turn % TURNS_PER_CONVERSATION == 0:
                    sender = uuid.uuid4().hex
                text = MESSAGES[(index + turn) % len(MESSAGES)]
                started = time.perf_counter()
                response = await client.post(
                    "/webhooks/rest/webhook",
                    json={"sender": sender, "message": text, "metadata": {"language": None}},
                )
                latencies.append(time.perf_counter() - started)
                response.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(conversations)))
        return latencies, time.perf_counter() - started


def report(name: str, latencies: list[float], elapsed: float) -> dict[str, float]:
    """Print one line of figures and return them."""
    figures = {
        "p50": percentile(latencies, 50) * 1000,
        "p95": percentile(latencies, 95) * 1000,
        "p99": percentile(latencies, 99) * 1000,
        "mean": statistics.fmean(latencies) * 1000,
        "rate": len(latencies) / elapsed,
    }
    print(
        f"{name:<16} {len(latencies):>5} msgs  p50 {figures['p50']:7.1f} ms  "
        f"p95 {figures['p95']:7.1f} ms  p99 {figures['p99']:7.1f} ms  "
        f"{figures['rate']:6.1f} msg/s"
    )
    return figures


def run_benchmark(running: RunningStack, conversations: int, per_conv: int) -> None:
    """Engine first, then gateway, same load; print the ratios and memory."""
    print(f"\n{conversations} concurrent conversations x {per_conv} messages each")
    # Warm both paths so model loading and first-request costs are not measured.
    asyncio.run(through_gateway(running.gateway_url, 2, 2))
    engine_base = running.config.engine_url
    engine_lat, engine_time = asyncio.run(straight_to_engine(engine_base, conversations, per_conv))
    gateway_lat, gateway_time = asyncio.run(
        through_gateway(running.gateway_url, conversations, per_conv)
    )
    engine = report("engine direct", engine_lat, engine_time)
    gateway = report("through gateway", gateway_lat, gateway_time)
    print(
        f"gateway overhead: p50 x{gateway['p50'] / engine['p50']:.2f}, "
        f"p95 x{gateway['p95'] / engine['p95']:.2f}, "
        f"throughput x{gateway['rate'] / engine['rate']:.2f} of the engine's"
    )
    print("resident memory:")
    for name, service in running.services.items():
        if service.process is not None:
            print(f"  {name:<14} {rss_mb(service.process.pid):8.0f} MB")


def main() -> int:
    """Start a throw-away stack, measure, stop it."""
    conversations = int(os.environ.get("BENCH_CONVERSATIONS", "50"))
    per_conv = int(os.environ.get("BENCH_MESSAGES", "5"))
    model = ensure_model(ROOT / LOG_DIR / "train.log")
    with tempfile.TemporaryDirectory(prefix="bankbot-bench-") as tmp:
        workdir = Path(tmp)
        core = f"sqlite:///{workdir}/corebank.db"
        engine = make_engine(core)
        create_schema(engine)
        seed(engine, customers=200)
        engine.dispose()
        upgrade(f"sqlite:///{workdir}/gateway.db")
        print("starting engine, action server and gateway…")
        running = start_stack(
            model, workdir, core_database_url=core, extra_env=LOOPBACK_LOAD_LIMITS
        )
        try:
            run_benchmark(running, conversations, per_conv)
        finally:
            running.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
