"""A throw-away local stack on free ports: for the integration tests and the benchmark."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from bankbot.stack import StackConfig, services
from pipeline.processes import Service, ServiceFailed, free_port, stop_all, wait_ready

# Tests and benchmarks send every request from 127.0.0.1, as one "client":
# the per-client limits of docs/security.md are lifted for them (and tested apart).
LOOPBACK_LOAD_LIMITS = {
    "CONVERSATIONS_PER_CLIENT": "100000",
    "MESSAGES_PER_CLIENT": "1000000",
    "MESSAGES_PER_CONVERSATION": "10000",
    "HANDOFFS_PER_CLIENT": "100000",
    "OPEN_HANDOFFS_PER_CLIENT": "100000",
    "LOGIN_FAILURES_PER_CLIENT": "10000",
}


def production_env() -> dict[str, str]:
    """A loopback stack in production mode: development mode refuses PostgreSQL.

    Random secrets, and an SMS service that is never reached (tests and the
    benchmark send no codes through it). The engine token and the sealing key
    come from the stack's own configuration.
    """
    return {
        "BANKBOT_ENV": "production",
        "SESSION_SECRET": secrets.token_urlsafe(32),
        "SMS_BACKEND": "http",
        "SMS_GATEWAY_URL": "https://127.0.0.1:9/sms",
        "SMS_API_KEY": secrets.token_urlsafe(24),
    }


@dataclass
class RunningStack:
    """Handles on the running services, for tests that stop and restart them."""

    config: StackConfig
    services: dict[str, Service] = field(default_factory=dict)

    @property
    def gateway_url(self) -> str:
        """Where customers reach this stack."""
        return f"http://127.0.0.1:{self.config.gateway_port}"

    def restart(self, name: str, timeout_s: float = 180) -> None:
        """Start a stopped service again and wait until it is healthy."""
        service = self.services[name]
        service.stop()
        service.start()
        wait_ready([service], timeout_s, say=lambda _: None)

    def stop(self) -> None:
        """Stop every service of the stack."""
        stop_all(list(self.services.values()))


def start_stack(
    model: Path,
    workdir: Path,
    *,
    database_url: str | None = None,
    core_database_url: str,
    redis_url: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> RunningStack:
    """Start all three services on free ports with databases under `workdir`.

    Every request comes from loopback, so the per-client limits are lifted
    unless `extra_env` sets them.
    """
    config = StackConfig(
        model=model,
        engine_url=f"http://127.0.0.1:{free_port()}",
        engine_token=secrets.token_urlsafe(32),
        otp_digest_key=secrets.token_urlsafe(32),
        action_server_url=f"http://127.0.0.1:{free_port()}/webhook",
        database_url=database_url or f"sqlite:///{workdir}/gateway.db",
        core_database_url=core_database_url,
        tracker_sqlite_path=workdir / "tracker.db",
        run_dir=workdir / "run",
        log_dir=workdir / "log",
        gateway_port=free_port(),
        redis_url=redis_url,
        extra_env=tuple({**LOOPBACK_LOAD_LIMITS, **(extra_env or {})}.items()),
    )
    running = RunningStack(config)
    started = services(config)
    running.services = {s.name: s for s in started}
    try:
        for service in started:
            service.start()
        wait_ready(started, timeout_s=240, say=lambda _: None)
    except ServiceFailed:
        stop_all(started)
        raise
    return running
