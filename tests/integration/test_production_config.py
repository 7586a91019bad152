"""The production configuration: PostgreSQL for the gateway and Rasa's tracker
store, Redis for Rasa's lock store and the gateway's fan-out and locks, and two
gateways behind no sticky routing. Runs against the servers on 127.0.0.1, and
fails (never skips) without them."""

from __future__ import annotations

import dataclasses
import json
import secrets
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
import redis
from websockets.sync.client import connect

from bankbot.local_stack import LOOPBACK_LOAD_LIMITS, RunningStack, production_env, start_stack
from bankbot.stack import services
from handoff.migrate import upgrade
from pipeline.processes import Service, free_port, wait_ready
from tests.support.customer import Customer, reply_text

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/7"


def _servers_reachable() -> str | None:
    try:
        psycopg.connect(ADMIN_URL, connect_timeout=3).close()
    except psycopg.Error as exc:
        return f"PostgreSQL on 127.0.0.1:5432 unreachable: {exc}"
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        return f"Redis on 127.0.0.1:6379 unreachable: {exc}"
    return None


@dataclasses.dataclass
class ScaledOut:
    stack: RunningStack
    second_gateway: Service
    second_url: str
    database_url: str


@pytest.fixture(scope="module")
def scaled_out(
    trained_model: Path, core_bank: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ScaledOut]:
    reason = _servers_reachable()
    if reason:  # never a silent skip: `make test` starts them (scripts/ensure-servers)
        pytest.fail(f"production-configuration tests need the servers: {reason}")
    name = f"bankbot_it_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    database_url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    upgrade(database_url)
    workdir = tmp_path_factory.mktemp("pgstack")
    stack = start_stack(
        trained_model, workdir, database_url=database_url, core_database_url=core_bank,
        redis_url=REDIS_URL,
        extra_env={**LOOPBACK_LOAD_LIMITS, "OTP_MAX_SENDS_PER_HOUR": "1000", **production_env()},
    )  # fmt: skip
    second_config = dataclasses.replace(
        stack.config, gateway_port=free_port(), log_dir=workdir / "log2"
    )
    second = services(second_config)[2]
    second.start()
    try:
        wait_ready([second], timeout_s=60, say=lambda _: None)
        yield ScaledOut(
            stack, second, f"http://127.0.0.1:{second_config.gateway_port}", database_url
        )
    finally:
        second.stop()
        stack.stop()
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_answers_with_everything_on_postgres_and_redis(scaled_out: ScaledOut) -> None:
    with httpx.Client(base_url=scaled_out.stack.gateway_url, timeout=30) as client:
        customer = Customer(client, language="zh")
        assert "09:00" in reply_text(customer.say("你们几点开门"))
    # The bot's reply is stored just after the answer went out (services/after_reply.py).
    deadline = time.monotonic() + 5
    with psycopg.connect(scaled_out.database_url, autocommit=True) as conn:
        while True:
            stored = conn.execute(
                "SELECT count(*) FROM messages WHERE conversation_id = %s", (customer.id,)
            ).fetchone()
            if (stored and stored[0] >= 3) or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        tracked = conn.execute(
            "SELECT count(*) FROM events WHERE sender_id = %s", (customer.id,)
        ).fetchone()
    assert stored and stored[0] >= 3  # greeting, question, answer: the gateway's tables
    assert tracked and tracked[0] > 0  # Rasa's SQL tracker store on the same server


def test_a_customer_can_switch_gateways_and_events_reach_the_other_one(
    scaled_out: ScaledOut,
) -> None:
    with httpx.Client(base_url=scaled_out.stack.gateway_url, timeout=30) as first:
        customer = Customer(first, language="en")
        ws_url = scaled_out.second_url.replace("http", "ws") + f"/ws/conversations/{customer.id}"
        with connect(ws_url) as ws:
            ws.send(json.dumps({"type": "auth", "token": customer.token}))
            assert json.loads(ws.recv(timeout=10))["type"] == "ready"
            customer.say("what are your opening hours")  # posted to the first gateway
            events = []
            while len([e for e in events if e.get("type") == "message"]) < 2:
                events.append(json.loads(ws.recv(timeout=15)))
    messages = [e["message"] for e in events if e.get("type") == "message"]
    assert [m["sender"] for m in messages[:2]] == ["customer", "bot"]
    # The second gateway serves the same conversation's history.
    with httpx.Client(base_url=scaled_out.second_url, timeout=30) as second:
        history = second.get(
            f"/api/conversations/{customer.id}/messages", headers=customer.auth
        ).json()["messages"]
    assert any("09:00" in m["text"] for m in history)


def test_simultaneous_messages_through_two_gateways_are_serialised(scaled_out: ScaledOut) -> None:
    urls = [scaled_out.stack.gateway_url, scaled_out.second_url]
    with httpx.Client(base_url=urls[0], timeout=60) as first:
        customer = Customer(first, language="zh")
    texts = ["你好", "你们几点开门", "转账手续费多少", "谢谢"]

    def send(index: int) -> None:
        with httpx.Client(base_url=urls[index % 2], timeout=60) as client:
            other = Customer.__new__(Customer)
            other.client, other.id, other.token = client, customer.id, customer.token
            other.say(texts[index])

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(texts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with httpx.Client(base_url=urls[1], timeout=30) as client:
        customer.client = client
        history = customer.history()
    assert [m["seq"] for m in history] == list(range(1, len(history) + 1))
    assert sum(m["sender"] == "customer" for m in history) == len(texts)
    # Every customer message got its own answer right after it.
    for index, message in enumerate(history):
        if message["sender"] == "customer":
            assert history[index + 1]["sender"] == "bot"
