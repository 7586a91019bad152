"""Deploys reach every engine on every host (issue 14, item 1).

Two "hosts" on two loopback addresses, 127.0.0.2 and 127.0.0.3, each with its
own gateway, engine and action server, sharing PostgreSQL and Redis; one
training worker. Engines pull the live model from their host's gateway (Rasa's
`models` endpoint). Customers keep talking through both gateways while an
editor deploys a model and a supervisor rolls it back; every message is
answered (never the apology), and both engines end up serving each model.
"""

from __future__ import annotations

import dataclasses
import secrets
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from bankbot.local_stack import LOOPBACK_LOAD_LIMITS, production_env
from bankbot.stack import StackConfig, services, worker_service
from handoff.migrate import upgrade
from handoff.models import Agent, StaffRole
from handoff.services import staff
from pipeline.processes import Service, free_port, stop_all, wait_ready
from tests.support.customer import Customer, reply_text
from tests.support.databases import sync_url

# Starting the processes (two engines) takes most of the time.
pytestmark = [pytest.mark.integration, pytest.mark.postgres, pytest.mark.timeout(600)]

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/6"
HOSTS = ("127.0.0.2", "127.0.0.3")
CANDIDATE = "rollout-candidate"


@dataclasses.dataclass
class Installation:
    hosts: list[StackConfig]
    processes: list[Service]
    database_url: str
    repository_model: str


@pytest.fixture(scope="module")
def installation(
    trained_model: Path, core_bank: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Installation]:
    name = f"bankbot_hosts_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    database_url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    upgrade(database_url)
    _add_staff(database_url, {"editor1": StaffRole.editor, "supervisor1": StaffRole.supervisor})
    workdir = tmp_path_factory.mktemp("hosts")
    token, otp_key = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    models_dir = workdir / "models"
    models_dir.mkdir()
    # One session secret for both hosts; the load comes from one loopback client.
    production = {**production_env(), "REQUIRE_TOTP": "0", **LOOPBACK_LOAD_LIMITS}
    hosts = [
        StackConfig(
            model=trained_model,
            engine_url=f"http://{host}:{free_port()}",
            engine_token=token,
            otp_digest_key=otp_key,
            action_server_url=f"http://{host}:{free_port()}/webhook",
            database_url=database_url,
            core_database_url=core_bank,
            tracker_sqlite_path=workdir / f"tracker-{host}.db",
            run_dir=workdir / host / "run",
            log_dir=workdir / host / "log",
            gateway_host=host,
            gateway_port=free_port(),
            redis_url=REDIS_URL,
            host=host,
            engines_pull=True,
            extra_env=(("CONTENT_MODELS_DIR", str(models_dir)),
                       ("OTP_MAX_SENDS_PER_HOUR", "1000"), *production.items()),
        )  # fmt: skip
        for host in HOSTS
    ]
    processes = [s for config in hosts for s in services(config)]
    try:
        for service in processes:
            service.start()
        wait_ready(processes, timeout_s=300, say=lambda _: None)
        worker = worker_service(hosts[0], free_port())
        processes.append(worker)
        worker.start()
        wait_ready([worker], timeout_s=180, say=lambda _: None)
        # A second model, as if the content team had trained and judged it.
        shutil.copy(trained_model, models_dir / f"{CANDIDATE}.tar.gz")
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(
                "INSERT INTO content_models (id, path, status, snapshot, from_repository, mode,"
                " created_at) VALUES (%s, %s, 'candidate', '{}', false, 'full', now())",
                (CANDIDATE, str(models_dir / f"{CANDIDATE}.tar.gz")),
            )
        yield Installation(hosts, processes, database_url, trained_model.name[: -len(".tar.gz")])
    finally:
        stop_all(processes)
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


STAFF_PASSWORD = secrets.token_urlsafe(18)


def _add_staff(database_url: str, roles: dict[str, StaffRole]) -> None:
    """Production seeds no demo staff (and refuses demo passwords): the test's own accounts."""
    engine = create_engine(sync_url(database_url))
    try:
        with Session(engine) as session:
            for name, role in roles.items():
                session.add(Agent(username=name, display_name=name, role=role,
                                  password_hash=staff._hasher.hash(STAFF_PASSWORD)))  # fmt: skip
            session.commit()
    finally:
        engine.dispose()


def _served(config: StackConfig) -> str:
    status = httpx.get(
        f"{config.engine_url}/status", params={"token": config.engine_token}, timeout=5
    ).json()
    return str(status.get("model_file") or "")


def _staff(base: str, username: str) -> dict[str, str]:
    response = httpx.post(
        f"{base}/api/agent/login",
        json={"username": username, "password": STAFF_PASSWORD},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def _run_job(base: str, headers: dict[str, str], path: str) -> tuple[dict, float]:
    started = time.monotonic()
    job = httpx.post(f"{base}{path}", headers=headers, timeout=30)
    assert job.status_code == 202, job.text
    job_id = job.json()["id"]
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        view = httpx.get(f"{base}/api/content/jobs/{job_id}", headers=headers, timeout=30).json()
        if view["status"] not in ("queued", "running"):
            return view, time.monotonic() - started
        time.sleep(1)
    raise AssertionError(f"job {job_id} did not finish")


def test_customers_keep_talking_while_a_deploy_and_a_rollback_reach_both_engines(
    installation: Installation,
) -> None:
    hosts = installation.hosts
    repository = installation.repository_model
    assert [_served(c) for c in hosts] == [f"{repository}.tar.gz"] * 2  # pulled at start

    stop = threading.Event()
    answers: list[tuple[str, float, str]] = []
    problems: list[str] = []

    def customer(base: str) -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            while not stop.is_set():
                talker = Customer(client, language="en")
                for text in ("what are your opening hours", "what are the transfer fees?"):
                    started = time.monotonic()
                    try:
                        said = reply_text(talker.say(text, uuid.uuid4().hex))
                    except Exception as exc:  # noqa: BLE001 - every failure is a finding
                        problems.append(f"{base}: {type(exc).__name__}: {exc}")
                        continue
                    answers.append((base, time.monotonic() - started, said))
                    if "sorry" in said.lower() and "upgraded" in said.lower():
                        problems.append(f"{base}: the apology during a deploy")

    bases = [c.gateway_url for c in hosts]
    threads = [threading.Thread(target=customer, args=(b,)) for b in bases for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(3)
        deployed, deploy_s = _run_job(
            bases[0], _staff(bases[0], "editor1"), f"/api/content/models/{CANDIDATE}/deploy"
        )
        assert deployed["status"] == "succeeded", deployed
        assert [_served(c) for c in hosts] == [f"{CANDIDATE}.tar.gz"] * 2  # both hosts
        time.sleep(3)
        rolled, rollback_s = _run_job(  # asked on the other host's gateway
            bases[1], _staff(bases[1], "supervisor1"), f"/api/content/models/{repository}/rollback"
        )
        assert rolled["status"] == "succeeded", rolled
        assert [_served(c) for c in hosts] == [f"{repository}.tar.gz"] * 2
        time.sleep(3)
    finally:
        stop.set()
        for thread in threads:
            thread.join(120)
    slowest = max(seconds for _, seconds, _ in answers)
    print(
        f"\ndeploy reached both engines in {deploy_s:.1f} s, rollback in {rollback_s:.1f} s; "
        f"{len(answers)} answers, slowest {slowest:.1f} s"
    )
    assert not problems, problems[:5]
    assert {base for base, _, _ in answers} == set(bases)
    assert all("09:00" in said or "fee" in said.lower() for _, _, said in answers)
