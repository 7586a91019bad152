"""The three services of one bankbot installation, described once.

`make run` starts them on the configured ports; the integration tests start
the same services on their own ports with their own databases.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from sqlalchemy.engine import make_url

from common import paths
from common.paths import ROOT
from pipeline import rasa
from pipeline.processes import Service

APP_PYTHON = ROOT / paths.APP_PYTHON
# The WebSocket server refuses bigger frames before the app sees them (uvicorn's default is 16 MB).
WS_MAX_BYTES = 16 * 1024


@dataclass(frozen=True)
class StackConfig:
    """Everything the services need to find each other."""

    model: Path
    engine_url: str
    engine_token: str
    otp_digest_key: str
    action_server_url: str
    database_url: str
    core_database_url: str
    tracker_sqlite_path: Path
    run_dir: Path
    log_dir: Path
    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8000
    redis_url: str | None = None
    extra_env: tuple[tuple[str, str], ...] = ()
    # The address the engine and the action server listen on (a host's own address).
    host: str = "127.0.0.1"
    # Engines pull the live model from this host's gateway (Rasa's `models` endpoint).
    engines_pull: bool = False
    pull_every_s: int = 2

    @property
    def gateway_url(self) -> str:
        """The URL of the gateway on this host."""
        return f"http://{self.gateway_host}:{self.gateway_port}"


TRACKER_STORE = "bot.tracker_store.WindowedSQLTrackerStore"
NLG = "bot.nlg.BankNaturalLanguageGenerator"
"""The engine's responses: the domain's, and the FAQ reply it decides itself."""
"""Rasa's SQL tracker store, loading a bounded window of each conversation (bot/)."""


def tracker_store(config: StackConfig) -> dict[str, object]:
    """The engine's SQL tracker store on the same backend as the gateway."""
    url = make_url(config.database_url)
    if url.get_backend_name() == "sqlite":
        return {"type": TRACKER_STORE, "dialect": "sqlite", "db": str(config.tracker_sqlite_path)}
    return {
        "type": TRACKER_STORE,
        "dialect": "postgresql",
        "url": url.host or "127.0.0.1",
        "port": url.port or 5432,
        "db": url.database,
        "username": url.username or "postgres",
        "password": url.password or "",
    }


def render_endpoints(config: StackConfig, *, pulling: bool | None = None) -> Path:
    """Write the endpoints file the engine reads (tracker, lock store, action server, responses).

    With `engines_pull` the stack's engine also pulls the live model from the
    gateway; the worker's own engines (gate, "try it") get a file without that
    (`pulling=False`, `endpoints-worker.yml`): they serve the model they were given.
    """
    pulling = config.engines_pull if pulling is None else pulling
    endpoints: dict[str, object] = {
        "action_endpoint": {"url": config.action_server_url},
        "tracker_store": tracker_store(config),
        "nlg": {"type": NLG},
    }
    if config.redis_url:
        redis = urlsplit(config.redis_url)
        endpoints["lock_store"] = {
            "type": "redis",
            "url": redis.hostname or "127.0.0.1",
            "port": redis.port or 6379,
            "db": int((redis.path or "/0").strip("/") or 0),
            "key_prefix": "bankbot-engine",  # apart from the gateway's own locks
        }
    if pulling:
        endpoints["models"] = {
            "url": f"{config.gateway_url}/api/engine/model",
            "token": config.engine_token,
            "wait_time_between_pulls": config.pull_every_s,
        }
    config.run_dir.mkdir(parents=True, exist_ok=True)
    path = config.run_dir / ("endpoints.yml" if pulling == config.engines_pull else
                             "endpoints-worker.yml")  # fmt: skip
    path.write_text(yaml.safe_dump(endpoints, sort_keys=False), encoding="utf-8")
    path.chmod(0o600)  # may hold a database password
    return path


def _port(url: str) -> int:
    port = urlsplit(url).port
    if port is None:
        raise ValueError(f"{url} needs an explicit port")
    return port


def worker_service(config: StackConfig, port: int) -> Service:
    """The content team's training worker (`pipeline/worker.py`).

    It trains, judges and deploys models in engines of its own on free ports, with
    the same endpoints file and token. Started after the other three; `GET /health`
    answers once the live model is served.
    """
    endpoints = render_endpoints(config, pulling=False)
    return Service(
        name="training worker",
        argv=[str(APP_PYTHON), "-m", "pipeline.worker", "--port", str(port),
              "--endpoints", str(endpoints)],
        health_url=f"http://127.0.0.1:{port}/health",
        log_path=config.log_dir / "worker.log",
        env={
            "BANKBOT_STACK": "1",
            "DATABASE_URL": config.database_url,
            "ENGINE_URL": config.engine_url,
            "ENGINE_TOKEN": config.engine_token,
            "ACTION_SERVER_URL": config.action_server_url,
            "OTP_DIGEST_KEY": config.otp_digest_key,
            "LOG_DIR": str(config.log_dir),
            **_pull_env(config),
            **dict(config.extra_env),
        },
        cwd=ROOT,
    )  # fmt: skip


def _pull_env(config: StackConfig) -> dict[str, str]:
    if not config.engines_pull:
        return {}
    return {"CONTENT_ENGINES_PULL": "1", "CONTENT_DEFAULT_MODEL": str(config.model)}


def services(config: StackConfig) -> list[Service]:
    """Action server, engine, gateway: in the order they must start."""
    common = {
        "BANKBOT_STACK": "1",
        "DATABASE_URL": config.database_url,
        "CORE_DATABASE_URL": config.core_database_url,
        "ENGINE_URL": config.engine_url,
        "ENGINE_TOKEN": config.engine_token,
        "ACTION_SERVER_URL": config.action_server_url,
        "OTP_DIGEST_KEY": config.otp_digest_key,
        "GATEWAY_URL": config.gateway_url,
        **_pull_env(config),
        **dict(config.extra_env),
    }
    if config.redis_url:
        common["REDIS_URL"] = config.redis_url
    if make_url(config.database_url).get_backend_name() == "sqlite":
        # The gateway's daily purge reaches Rasa's tracker store here.
        common["TRACKER_DATABASE_URL"] = f"sqlite:///{config.tracker_sqlite_path}"
    endpoints = render_endpoints(config)
    actions = Service(
        name="action server",
        argv=[str(APP_PYTHON), "-m", "actions.server", "--actions", "actions",
              "--port", str(_port(config.action_server_url))],
        health_url=config.action_server_url.rsplit("/", 1)[0] + "/health",
        log_path=config.log_dir / "actions.log",
        env={**common, "SANIC_HOST": config.host},  # only the engine calls it
        cwd=ROOT,
    )  # fmt: skip
    engine = Service(
        name="engine",
        argv=rasa.serve_argv(config.model, _port(config.engine_url), config.engine_token,
                             endpoints, ROOT / paths.CREDENTIALS_PATH, host=config.host),
        health_url=f"{config.engine_url}/status?token={config.engine_token}",
        log_path=config.log_dir / "engine.log",
        env={**rasa.engine_env(), **common},
        cwd=ROOT,
        ready=lambda r: r.status_code == 200 and bool(r.json().get("model_file")),
    )  # fmt: skip
    gateway = Service(
        name="gateway",
        argv=[str(APP_PYTHON), "-m", "uvicorn", "--factory", "handoff.main:app",
              "--host", config.gateway_host, "--port", str(config.gateway_port),
              "--no-access-log", "--ws-max-size", str(WS_MAX_BYTES)],
        health_url=f"{config.gateway_url}/health",
        log_path=config.log_dir / "gateway.log",
        env=common,
        cwd=ROOT,
    )  # fmt: skip
    return [actions, engine, gateway]
