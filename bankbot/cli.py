"""bankbot's operator commands: `python -m bankbot run|seed|train|eval|migrate|staff|purge`.

`make run` is `run`: it prepares everything a fresh checkout needs (secrets,
database schema, demo bank, model) and then supervises the services, restarting
a crashed one with backoff (`bankbot/supervisor.py`).
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from types import FrameType

from actions.config import get_action_settings
from bankbot import purge_cli, staff_cli
from bankbot.dotenv import ensure_secrets
from bankbot.stack import StackConfig, services, worker_service
from bankbot.supervisor import Supervisor
from common.paths import LOG_DIR, ROOT, VAR_DIR
from handoff.core.config import Settings, development_refusal
from handoff.services.content.settings import get_content_settings
from pipeline.checkout import ensure_model
from pipeline.processes import ServiceFailed, free_port, stop_all, wait_ready

VAR = ROOT / VAR_DIR


def say(message: str) -> None:
    """Progress for the operator, unbuffered."""
    print(message, flush=True)


def cmd_migrate(_: argparse.Namespace) -> int:
    """Bring the gateway database to the newest schema."""
    from handoff.migrate import upgrade

    upgrade(Settings().database_url)
    say("gateway database: schema up to date")
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    """Build the demo core bank once (again with --reset), showing progress."""
    from corebank.db import create_schema, make_engine
    from corebank.demo.seed import seed

    url = get_action_settings().core_database_url
    engine = make_engine(url)
    create_schema(engine)
    last: dict[str, int] = {}

    def progress(stage: str, done: int, total: int) -> None:
        percent = 100 * done // max(total, 1)
        if percent >= last.get(stage, -10) + 10 or done == total:
            last[stage] = percent
            say(f"  seeding {stage}: {done:,}/{total:,} ({percent}%)")

    stats = seed(engine, progress=progress, reset=getattr(args, "reset", False))
    engine.dispose()
    if stats.skipped:
        say(f"  {stats.message or 'already seeded'}")
    else:
        say(
            f"  {stats.customers:,} customers, {stats.accounts:,} accounts, {stats.cards:,} cards, "
            f"{stats.transactions:,} transactions in {stats.seconds:.1f} s"
        )
    return 0


def cmd_train(_: argparse.Namespace) -> int:
    """Train only if the model's inputs changed."""
    ensure_model(ROOT / LOG_DIR / "train.log", say)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """NLU, stories and emotion figures (bankbot.evaluate)."""
    from bankbot.evaluate import main as evaluate

    return evaluate(args)


def cmd_run(_: argparse.Namespace) -> int:
    """Prepare a checkout, then supervise the services until Ctrl-C (crashes restart)."""
    written = ensure_secrets()
    if written:
        say(f"created .env with random {', '.join(written)}")
    settings = Settings()
    refusal = development_refusal(settings)
    if refusal is not None:
        say(f"bankbot will not start: {refusal}")
        return 1
    cmd_migrate(_)
    say("demo bank:")
    cmd_seed(argparse.Namespace(reset=False))
    model = ensure_model(ROOT / LOG_DIR / "train.log", say)
    config = StackConfig(
        model=model,
        engine_url=settings.engine_url,
        engine_token=settings.engine_token.get_secret_value(),
        otp_digest_key=settings.otp_digest_key.get_secret_value(),
        action_server_url=settings.action_server_url,
        database_url=settings.database_url,
        core_database_url=get_action_settings().core_database_url,
        tracker_sqlite_path=VAR / "tracker.db",
        run_dir=VAR / "run",
        log_dir=settings.log_dir,
        gateway_host=settings.gateway_host,
        gateway_port=settings.gateway_port,
        redis_url=settings.redis_url,
        engines_pull=get_content_settings().engines_pull,
    )
    stack = services(config) + [worker_service(config, free_port())]
    stopping = False

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    say(f"starting the services (logs in {settings.log_dir.relative_to(ROOT)}/)")
    try:
        for service in stack:
            service.start()
        wait_ready(stack, timeout_s=240, say=say)
    except ServiceFailed as failure:
        say(f"bankbot could not start: {failure}")
        stop_all(stack)
        return 1
    base = f"http://{settings.gateway_host}:{settings.gateway_port}"
    say(
        "\nbankbot is running:\n"
        f"  customer widget demo   {base}/\n"
        f"  app chat (full screen) {base}/chat?channel=app\n"
        f"  agent console          {base}/console\n"
        f"  content pages          {base}/content\n"
        f"  API documentation      {base}/docs\n"
        "Press Ctrl-C to stop."
    )
    supervisor = Supervisor(stack, say)
    while not stopping:
        supervisor.check()
        time.sleep(0.5)
    say("stopping bankbot…")
    stop_all(stack)
    say("stopped.")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Dispatch a subcommand."""
    parser = argparse.ArgumentParser(prog="bankbot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="prepare and run engine, action server and gateway")
    seed = sub.add_parser("seed", help="build the demo core bank")
    seed.add_argument("--reset", action="store_true", help="drop and rebuild it")
    sub.add_parser("train", help="train the model if its inputs changed")
    sub.add_parser("migrate", help="upgrade the gateway database schema")
    sub.add_parser("eval", help="evaluate the model on the held-out test set")
    staff_cli.add_parser(sub)
    purge_cli.add_parser(sub)
    args = parser.parse_args(argv)
    handler = {
        "run": cmd_run,
        "seed": cmd_seed,
        "train": cmd_train,
        "migrate": cmd_migrate,
        "eval": cmd_eval,
        "staff": staff_cli.main,
        "purge": purge_cli.main,
    }[args.command]
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
