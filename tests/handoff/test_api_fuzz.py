"""Property-based fuzzing of the gateway's whole API from its own `/openapi.json`.

Schemathesis generates valid and invalid requests for every operation; each is
sent by a customer, an agent, a supervisor or an editor, to a real gateway
(uvicorn, fresh SQLite database, engine down). Two properties must hold:

- no answer is a 5xx, whatever the request;
- no request that names another principal's object (another customer's
  conversation, another agent's chat, any chat for an editor) succeeds.

The budget is bounded: `FUZZ_EXAMPLES` examples per operation and mode
(default 12), no shrinking past the first failure's report.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.support.desk import LiveGateway, start_live_gateway

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
# Ending one's own session makes every later request a 401, which tests nothing.
SKIP = {("POST", "/api/agent/logout"), ("POST", "/api/agent/me/password")}


@dataclass
class Principal:
    """Who sends a request, and which foreign objects they must never reach."""

    name: str
    headers: dict[str, str]
    foreign: dict[str, str]


@dataclass
class World:
    gateway: LiveGateway
    principals: list[Principal]


def _login(url: str, username: str) -> dict[str, str]:
    response = requests.post(
        f"{url}/api/agent/login",
        json={"username": username, "password": f"{username}-demo-password"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def _chat(url: str) -> tuple[str, dict[str, str]]:
    response = requests.post(
        f"{url}/api/conversations", json={"channel": "web", "language": "zh"}, timeout=30
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return body["conversation_id"], {"Authorization": f"Bearer {body['token']}"}


def _queued_handoff(url: str, agent: dict[str, str]) -> int:
    conversation_id, auth = _chat(url)
    for text in ("我要转人工", "/request_human"):
        turn = requests.post(
            f"{url}/api/conversations/{conversation_id}/messages",
            json={"text": text, "client_message_id": os.urandom(8).hex()},
            headers=auth,
            timeout=30,
        )
        assert turn.status_code == 200, turn.text
    queue = requests.get(f"{url}/api/agent/queue", headers=agent, timeout=30).json()["items"]
    handoff_id = next(i["id"] for i in queue if i["conversation_id"] == conversation_id)
    claimed = requests.post(
        f"{url}/api/agent/handoffs/{handoff_id}/claim", headers=agent, timeout=30
    )
    assert claimed.status_code == 200, claimed.text
    return int(handoff_id)


@contextlib.contextmanager
def _world(path: Path) -> Iterator[World]:
    with start_live_gateway(path) as gateway:
        url = gateway.url
        agent1, agent2 = _login(url, "agent1"), _login(url, "agent2")
        mine, theirs = _queued_handoff(url, agent1), _queued_handoff(url, agent2)
        own_chat, own_auth = _chat(url)
        other_chat, _ = _chat(url)
        principals = [
            Principal("customer", own_auth, {"conversation_id": other_chat}),
            Principal("agent", agent1, {"handoff_id": str(theirs)}),
            Principal("supervisor", _login(url, "supervisor1"), {"conversation_id": own_chat}),
            Principal("editor", _login(url, "editor1"), {"handoff_id": str(mine)}),
        ]
        yield World(gateway, principals)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """A gateway the fuzzing may change as it likes (reassign, close, claim...)."""
    with _world(tmp_path_factory.mktemp("fuzz")) as made:
        yield made


@pytest.fixture
def untouched_world(tmp_path: Path) -> Iterator[World]:
    """A fresh gateway: the objects' owners are as set up, nothing reassigned."""
    with _world(tmp_path) as made:
        yield made


def _operations(url: str) -> list[Any]:
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    operations = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) not in SKIP:
            operations.append(operation)
    return operations


def _send(world: World, case: Any, principal: Principal) -> requests.Response:
    headers = dict(case.headers or {})
    headers.update(principal.headers)
    return case.call(base_url=world.gateway.url, headers=headers, timeout=30)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_request_gets_a_server_error(world: World, mode: GenerationMode) -> None:
    failures: list[str] = []
    exercised = 0
    operations = _operations(world.gateway.url)
    assert len(operations) > 30  # the walk really saw the API

    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode), who=st.integers(0, 3))
        def run(case: Any, who: int) -> None:
            response = _send(world, case, world.principals[who])
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path} as {world.principals[who].name}: "
                    f"{response.status_code} {response.text[:200]}"
                )

        try:
            run()
        except Unsatisfiable:
            # Nothing of this operation can be made invalid (no parameters, no body).
            assert mode is GenerationMode.NEGATIVE, operation.path
            continue
        exercised += 1
    assert exercised > 20
    assert failures == []


def _foreign_check(
    world: World, operation: Any, principal: Principal, fixed: dict[str, str], reached: list[str]
) -> None:
    """Requests of `principal` naming a foreign object: each must be refused."""

    @settings(
        max_examples=max(3, EXAMPLES // 3),
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(path_parameters=fixed))
    def run(case: Any) -> None:
        response = _send(world, case, principal)
        if 200 <= response.status_code < 300 or response.status_code >= 500:
            reached.append(
                f"{case.method} {case.formatted_path} as {principal.name}: "
                f"{response.status_code} {response.text[:200]}"
            )

    run()


def test_no_principal_reaches_another_principals_objects(untouched_world: World) -> None:
    world = untouched_world
    reached: list[str] = []
    checked = 0
    for operation in _operations(world.gateway.url):
        names = {p.name for p in operation.path_parameters}
        for principal in world.principals:
            fixed = {k: v for k, v in principal.foreign.items() if k in names}
            if fixed:
                checked += 1
                _foreign_check(world, operation, principal, fixed, reached)
    assert checked >= 10
    assert reached == []
