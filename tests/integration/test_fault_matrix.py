"""The fault matrix (issue 14, item 6): 20 conversations under load while parts fail.

One installation on loopback: two gateways, an engine, an action server, and a
PostgreSQL and a Redis of the test's own (started from the installed binaries
on free ports, so the shared servers are never touched). For each fault —
kill the engine, kill the action server, stop Redis, kill one of two gateways,
restart PostgreSQL — every message sent while it lasts is answered within 3 s
(the answer, or the polite fallback: the apology with the hotline and a
person; a killed gateway's customers are sent to the other one, as a load
balancer would), service comes back by itself within 10 s of the fault
ending, and at the end every message is stored exactly once. Each fault must
also be felt, or the test would prove nothing: while the engine, the action
server or PostgreSQL is down some customer gets the apology, messages to the
killed gateway find it gone, and `/health` reports the lost Redis. (The load's
customers ask different everyday questions and leave a conversation once it is
handed to a person, so their messages keep needing the engine and the action
server.) The measured times are printed. (On a machine so busy that a normal answer under this load
takes more than 2 s, the 3 s become one and a half normal answers.)
"""

from __future__ import annotations

import dataclasses
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from bankbot.local_stack import RunningStack, production_env, start_stack
from bankbot.stack import services
from handoff.migrate import upgrade
from pipeline.processes import Service, free_port, wait_ready
from tests.support.load import Load, is_apology
from tests.support.servers import PostgresServer, RedisServer, throwaway_postgres, throwaway_redis

# Starting the processes, and restarting the engine, take most of the time.
pytestmark = [pytest.mark.integration, pytest.mark.postgres, pytest.mark.timeout(600)]

FALLBACK_WITHIN_S = 3.0
RECOVERY_WITHIN_S = 10.0
HOLD_S = 3.0


@dataclasses.dataclass
class Installation:
    stack: RunningStack
    second: Service
    postgres: PostgresServer
    redis: RedisServer

    @property
    def gateways(self) -> list[str]:
        return [self.stack.gateway_url, self.second.health_url.removesuffix("/health")]


@pytest.fixture(scope="module")
def installation(
    trained_model: Path, core_bank: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Installation]:
    with throwaway_postgres() as postgres, throwaway_redis() as redis_server:
        database_url = postgres.create_database("bankbot")
        upgrade(database_url)
        workdir = tmp_path_factory.mktemp("faults")
        stack = start_stack(
            trained_model, workdir, database_url=database_url, core_database_url=core_bank,
            redis_url=redis_server.url,
            extra_env={"OTP_MAX_SENDS_PER_HOUR": "1000", **production_env()},
        )  # fmt: skip
        second = services(
            dataclasses.replace(stack.config, gateway_port=free_port(), log_dir=workdir / "log2")
        )[2]
        second.start()
        try:
            wait_ready([second], timeout_s=60, say=lambda _: None)
            yield Installation(stack, second, postgres, redis_server)
        finally:
            second.stop()
            stack.stop()


def _normal_answer(gateway: str, conversation: dict[str, str]) -> bool:
    try:
        response = httpx.post(
            f"{gateway}/api/conversations/{conversation['conversation_id']}/messages",
            json={"text": "hello", "client_message_id": f"probe-{time.monotonic_ns()}"},
            headers={"Authorization": f"Bearer {conversation['token']}"}, timeout=10,
        )  # fmt: skip
        replies = response.json().get("replies", []) if response.status_code == 200 else []
    except (httpx.HTTPError, ValueError):
        return False
    return bool(replies) and not any(is_apology(r["text"]) for r in replies)


def _events_ok(gateway: str) -> bool:
    try:
        return httpx.get(f"{gateway}/health", timeout=2).json().get("events") == "ok"
    except (httpx.HTTPError, ValueError):
        return False


def _recovery(gateways: list[str], probes: list[dict[str, str]], ended: float) -> float:
    """Seconds from the fault's end until every gateway answers normally and hears events.

    Each gateway is probed on its own thread; a gateway counts as back from the
    moment a probe that got a normal answer was sent (its answer then takes
    the time any answer takes on this machine).
    """
    back: dict[int, float] = {}

    def probe(index: int) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            sent = time.monotonic()
            if _events_ok(gateways[index]) and _normal_answer(gateways[index], probes[index]):
                back[index] = sent - ended
                return
            time.sleep(0.2)

    threads = [threading.Thread(target=probe, args=(i,)) for i in range(len(gateways))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(back) == len(gateways), "service did not come back within 60 s"
    return max(0.0, *back.values())


def test_the_fault_matrix(installation: Installation) -> None:
    gateways = installation.gateways
    probes = [httpx.post(f"{g}/api/conversations", json={"channel": "web", "language": "en"},
                         timeout=10).json() for g in gateways]  # fmt: skip
    engine = installation.stack.services["engine"]
    actions = installation.stack.services["action server"]

    def restart(service: Service) -> Callable[[], None]:
        def heal() -> None:
            service.start()
            wait_ready([service], timeout_s=240, say=lambda _: None)

        return heal

    faults: list[tuple[str, Callable[[], None], Callable[[], None]]] = [
        ("kill the engine", engine.kill, restart(engine)),
        ("kill the action server", actions.kill, restart(actions)),
        ("stop Redis", installation.redis.stop, installation.redis.start),
        ("kill one of two gateways", installation.second.kill, restart(installation.second)),
        ("restart PostgreSQL", lambda: installation.postgres.stop("fast"),
         installation.postgres.start),
    ]  # fmt: skip
    load = Load(gateways, customers=20, pause_s=2.0)
    load.start()
    report: list[str] = []
    problems: list[str] = []
    try:
        time.sleep(8)  # the load settles; its normal latency is the baseline
        baseline = [o.seconds for o in load.since(0) if o.status == 200]
        # 3 s, the rule; on a machine so busy that even normal answers take longer
        # (a shared CI box), no slower than one and a half normal answers.
        fallback_limit = max(FALLBACK_WITHIN_S, 1.5 * statistics.median(baseline))
        report.append(
            f"no fault: {len(baseline)} answers, median {statistics.median(baseline):.1f} s, "
            f"slowest {max(baseline):.1f} s; fallback limit {fallback_limit:.1f} s"
        )
        for name, inject, heal in faults:
            began = time.monotonic()
            inject()
            time.sleep(HOLD_S / 2)
            redis_reported = not _events_ok(gateways[0])
            time.sleep(HOLD_S / 2)
            healing = time.monotonic()
            heal()
            ended = time.monotonic()
            recovered_in = _recovery(gateways, probes, ended)
            during = [o for o in load.since(began) if o.sent_at < healing]
            slowest = max((o.seconds for o in during), default=0.0)
            polite = sum(1 for o in during if o.status in (200, 503) and is_apology(o.reply))
            report.append(
                f"{name:26} {len(during):4} messages during it, {polite:3} polite fallbacks, "
                f"slowest {slowest:4.1f} s; back {recovered_in:4.1f} s after it ended "
                f"(healing took {ended - healing:4.1f} s)"
            )
            felt = {
                "kill the engine": polite > 0,
                "kill the action server": polite > 0,
                "stop Redis": redis_reported,
                "kill one of two gateways": any(
                    o.status == 0 and o.gateway == gateways[1] for o in during
                ),
                "restart PostgreSQL": polite > 0,
            }[name]
            if not felt:
                problems.append(f"{name}: no message during it needed what failed")
            if slowest > fallback_limit:
                problems.append(f"{name}: a customer waited {slowest:.1f} s")
            if any(o.status not in (0, 200, 503) for o in during):
                problems.append(f"{name}: {sorted({o.status for o in during})}")
            if recovered_in > RECOVERY_WITHIN_S:
                problems.append(f"{name}: recovered after {recovered_in:.1f} s")
            time.sleep(2)
    finally:
        load.stop()
        print("\nfault matrix (20 conversations):\n  " + "\n  ".join(report))

    # Nothing stored is lost or duplicated: every delivered message exactly once, in order.
    with httpx.Client(base_url=gateways[0], timeout=30) as client:
        for cid, state in load.conversations.items():
            history = client.get(
                f"/api/conversations/{cid}/messages", headers=state["headers"]
            ).json()["messages"]
            assert [m["seq"] for m in history] == list(range(1, len(history) + 1))
            said = Counter(m["text"] for m in history if m["sender"] == "customer")
            for text in state["delivered"]:
                if said[text] != 1:
                    problems.append(f"{cid}: {text!r} stored {said[text]} times")
    assert len(load.conversations) >= 20
    assert not problems, "; ".join(problems)
