"""The stacks the benchmark measures.

One engine on the embedded default (SQLite), or one or more engines on
PostgreSQL (tracker store) and Redis (lock store).

Everything runs on free loopback ports with throw-away databases: a PostgreSQL
database of its own, dropped afterwards, and a Redis database number the tests
do not use. Several engines share the action server; the gateway spreads
conversations over them (`ENGINE_URLS`).
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from bankbot.local_stack import LOOPBACK_LOAD_LIMITS, RunningStack, production_env
from bankbot.stack import StackConfig, services
from common import paths
from common.paths import ROOT
from handoff.migrate import upgrade
from pipeline import rasa
from pipeline.processes import Service, ServiceFailed, free_port, stop_all, wait_ready

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/11"


@dataclass
class BenchStack:
    """A running stack and where its engines listen."""

    running: RunningStack
    engine_urls: list[str]
    backend: str

    @property
    def gateway_url(self) -> str:
        """Where the customers go."""
        return self.running.gateway_url

    @property
    def token(self) -> str:
        """The engines' API token (for `/model/parse`)."""
        return self.running.config.engine_token

    def processes(self) -> dict[str, int]:
        """Service name -> pid, for the memory figures."""
        return {
            name: service.process.pid
            for name, service in self.running.services.items()
            if service.process is not None
        }


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database on 127.0.0.1:5432, dropped on exit."""
    name = f"bankbot_bench_{secrets.token_hex(4)}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _extra_engine(config: StackConfig, template: Service, number: int) -> Service:
    """Another engine on the same model, endpoints and token, on a port of its own."""
    port = free_port()
    return dataclasses.replace(
        template,
        name=f"engine {number}",
        argv=rasa.serve_argv(config.model, port, config.engine_token,
                             config.run_dir / "endpoints.yml", ROOT / paths.CREDENTIALS_PATH),
        health_url=f"http://127.0.0.1:{port}/status?token={config.engine_token}",
        log_path=config.log_dir / f"engine{number}.log",
        process=None,
    )  # fmt: skip


@contextmanager
def bench_stack(
    model: Path, workdir: Path, core_database_url: str, *, engines: int, backend: str
) -> Iterator[BenchStack]:
    """Start the stack, yield it, stop it (and drop its database)."""
    with _database(workdir, backend) as database_url:
        upgrade(database_url)
        config = StackConfig(
            model=model,
            engine_url=f"http://127.0.0.1:{free_port()}",
            engine_token=secrets.token_urlsafe(32),
            otp_digest_key=secrets.token_urlsafe(32),
            action_server_url=f"http://127.0.0.1:{free_port()}/webhook",
            database_url=database_url,
            core_database_url=core_database_url,
            tracker_sqlite_path=workdir / "tracker.db",
            run_dir=workdir / "run",
            log_dir=workdir / "log",
            gateway_port=free_port(),
            redis_url=REDIS_URL if backend == "postgres" else None,
            extra_env=tuple({**LOOPBACK_LOAD_LIMITS, **_mode(backend)}.items()),
        )
        actions, engine, gateway = services(config)
        more = [_extra_engine(config, engine, n) for n in range(2, engines + 1)]
        urls = [config.engine_url] + [s.health_url.split("/status")[0] for s in more]
        if more:
            gateway.env = {**gateway.env, "ENGINE_URLS": ",".join(urls)}
        started = [actions, engine, *more, gateway]
        running = RunningStack(config, {s.name: s for s in started})
        try:
            for service in started:
                service.start()
            wait_ready(started, timeout_s=300, say=lambda _: None)
            yield BenchStack(running, urls, backend)
        except ServiceFailed:
            print(f"a service failed to start; logs are in {config.log_dir}")
            raise
        finally:
            stop_all(started)


def _mode(backend: str) -> dict[str, str]:
    """Development mode refuses PostgreSQL: that stack runs in production mode."""
    return production_env() if backend == "postgres" else {}


@contextmanager
def _database(workdir: Path, backend: str) -> Iterator[str]:
    if backend == "postgres":
        with postgres_database() as url:
            yield url
    else:
        yield f"sqlite:///{workdir}/gateway.db"
