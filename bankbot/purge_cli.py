"""`python -m bankbot purge [--dry-run]`: delete what is past retention (docs/security.md).

The running stack does the same once a day; this is for operators (and cron)
who want it now, or want to see first what would go.
"""

from __future__ import annotations

import argparse
import asyncio

from handoff.core.config import Settings
from handoff.core.db import make_engine, make_sessionmaker
from handoff.services import retention
from handoff.services.clock import clock


async def _run(dry_run: bool) -> int:
    settings = Settings()
    engine = make_engine(settings.database_url)
    try:
        report = await retention.purge(
            make_sessionmaker(engine), settings, clock.now(), dry_run=dry_run
        )
    finally:
        await engine.dispose()
    print("\n".join(report.lines()))
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `purge [--dry-run]`."""
    purge = sub.add_parser("purge", help="delete transcripts, tickets and events past retention")
    purge.add_argument("--dry-run", action="store_true", help="only count what would go")


def main(args: argparse.Namespace) -> int:
    """Run the purge."""
    return asyncio.run(_run(args.dry_run))
