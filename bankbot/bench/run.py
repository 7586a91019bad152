"""One measured stack: every figure of `make bench`, printed as it is measured."""

from __future__ import annotations

import asyncio
import statistics
from dataclasses import dataclass

from bankbot.bench import load, report
from bankbot.bench.clients import EnginePath, GatewayPath, http_client
from bankbot.bench.memory import rss_mb
from bankbot.bench.report import TARGETS, Figures, line, verdict
from bankbot.bench.script import Script, long_script, short_scripts
from bankbot.bench.stacks import BenchStack
from bankbot.bench.stats import ratio

SECTIONS = ("nlu", "growth", "overhead", "closed", "open", "memory")
"""What one run measures, in order (`--only` picks some; `open` runs `closed` first)."""


@dataclass(frozen=True)
class Plan:
    """How long and how hard (every run is bounded)."""

    users: int = 50
    seconds: float = 30.0
    nlu_seconds: float = 10.0
    long_turns: int = 64
    overhead_turns: int = 60
    overhead_rounds: int = 5
    sections: tuple[str, ...] = SECTIONS


async def measure(stack: BenchStack, plan: Plan, label: str) -> Figures:
    """Run the plan's load shapes against `stack`, print the figures, return them."""
    figures = Figures(label)
    values = figures.values
    scripts = short_scripts(200)
    wanted = set(plan.sections) | ({"closed"} if "open" in plan.sections else set())
    print(f"\n== {label}")
    async with http_client(plan.users * 2 + 20) as client:
        gateway = GatewayPath(client, stack.gateway_url)
        engine = EnginePath(client, stack.engine_urls)
        await load.interleaved([gateway, engine], scripts[:4], 8)  # warm both paths

        if "nlu" in wanted:
            nlu = await load.nlu_ceiling(client, stack.engine_urls, stack.token, plan.nlu_seconds)
            values["nlu_rate"] = nlu.rate
            print("NLU ceiling (/model/parse, 8 concurrent callers):")
            print(line("parse", nlu))
        if "growth" in wanted:
            await _growth(gateway, engine, plan, values)
        if "overhead" in wanted:
            await _overhead(gateway, engine, scripts, plan, values)
        if "closed" in wanted:
            await _closed_and_open(gateway, engine, scripts, plan, values, "open" in wanted)
        handoffs = gateway.handoffs + engine.handoffs
        if handoffs:
            print(f"  note: {handoffs} turns handed the customer to a person")
    if "memory" in wanted:
        _memory(stack, values)
    return figures


async def _growth(
    gateway: GatewayPath, engine: EnginePath, plan: Plan, values: dict[str, float]
) -> None:
    print(f"growth: one {plan.long_turns}-turn conversation, one turn at a time:")
    script = long_script(plan.long_turns)
    for path in (gateway, engine):
        took, control = await load.one_long_conversation(path, script)
        lines, corrected = report.growth_lines(path.name, took, control)
        print("\n".join(lines))
        values[f"growth_{path.name}"] = corrected
    values["growth"] = values["growth_gateway"]
    ok = values["growth"] <= TARGETS["growth"]
    limit = TARGETS["growth"]
    print(f"  growth through the gateway (load-corrected) <= x{limit}: {verdict(ok)}")


async def _overhead(
    gateway: GatewayPath,
    engine: EnginePath,
    scripts: list[Script],
    plan: Plan,
    values: dict[str, float],
) -> None:
    """Interleaved single turns; with several rounds, each round's ratios and their median."""
    print(f"gateway overhead ({plan.overhead_turns} single turns each way, interleaved):")
    rounds: list[tuple[float, float]] = []
    for number in range(plan.overhead_rounds):
        offset = number * 7  # each round starts from other conversations
        via, direct = await load.interleaved(
            [gateway, engine], scripts[offset:] + scripts[:offset], plan.overhead_turns
        )
        if plan.overhead_rounds > 1:
            print(f"  round {number + 1}:")
        print(line("through the gateway", via))
        print(line("straight to the engine", direct))
        rounds.append((ratio(via.ms(50), direct.ms(50)), ratio(via.ms(95), direct.ms(95))))
    p50 = statistics.median(r[0] for r in rounds)
    p95 = statistics.median(r[1] for r in rounds)
    values["overhead_p50"], values["overhead_p95"] = p50, p95
    ok = p50 <= TARGETS["overhead"] and p95 <= TARGETS["overhead"]
    across = f" (median of {len(rounds)} rounds)" if len(rounds) > 1 else ""
    print(
        f"  overhead p50 x{p50:.2f}, p95 x{p95:.2f}{across} "
        f"(target <= x{TARGETS['overhead']}): {verdict(ok)}"
    )


async def _closed_and_open(
    gateway: GatewayPath,
    engine: EnginePath,
    scripts: list[Script],
    plan: Plan,
    values: dict[str, float],
    open_loop: bool,
) -> None:
    """Closed loop through the gateway, then straight to the engine; then the open loop.

    The engine's own closed loop tells whose queue an overload tail is: the
    gateway's, or the engine's that the gateway only passes on.
    """
    print(f"closed loop: {plan.users} concurrent conversations for {plan.seconds:.0f} s:")
    closed = await load.closed_loop(gateway, scripts, plan.users, plan.seconds)
    print(line("through the gateway", closed))
    direct = await load.closed_loop(engine, scripts, plan.users, plan.seconds)
    print(line("straight to the engine", direct))
    print(
        f"  through the gateway / straight: throughput x{ratio(closed.rate, direct.rate):.2f}, "
        f"p50 x{ratio(closed.ms(50), direct.ms(50)):.2f}, "
        f"p99 x{ratio(closed.ms(99), direct.ms(99)):.2f}"
    )
    values["closed_rate"], values["closed_p50"] = closed.rate, closed.ms(50)
    if "nlu_rate" in values:
        share = ratio(closed.rate, values["nlu_rate"])
        print(
            f"  full-turn throughput {closed.rate:.1f}/s = {share:.0%} of the NLU ceiling "
            f"(target >= {TARGETS['throughput_share']:.0%}): "
            f"{verdict(share >= TARGETS['throughput_share'])}"
        )
    if not open_loop:
        return
    print(f"open loop: Poisson arrivals for {plan.seconds:.0f} s each:")
    for share_of_capacity in (0.5, 0.8):
        rate = closed.rate * share_of_capacity
        run, dropped = await load.open_loop(gateway, scripts, rate, plan.seconds)
        name = f"{share_of_capacity:.0%} = {rate:.1f} arrivals/s"
        print(line(name, run) + (f"  dropped {dropped}" if dropped else ""))
        values[f"open{share_of_capacity * 100:.0f}_p99"] = run.ms(99)
    p99 = values["open50_p99"]
    print(
        f"  p99 at 50% {p99:.0f} ms (target <= {TARGETS['open_p99_ms']:.0f} ms): "
        f"{verdict(p99 <= TARGETS['open_p99_ms'])}"
    )


def _memory(stack: BenchStack, values: dict[str, float]) -> None:
    print("resident memory:")
    total = 0.0
    for name, pid in stack.processes().items():
        mb = rss_mb(pid)
        total += mb
        target = ""
        if name == "action server":
            values["actions_mb"] = mb
            target = f"  (target <= {TARGETS['actions_mb']:.0f} MB): "
            target += verdict(mb <= TARGETS["actions_mb"])
        print(f"  {name:<16} {mb:7.0f} MB{target}")
    values["memory_total"] = total


def measure_sync(stack: BenchStack, plan: Plan, label: str) -> Figures:
    """`measure` from synchronous code."""
    return asyncio.run(measure(stack, plan, label))
