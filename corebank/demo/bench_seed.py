"""Time a full demo seed: ``python -m corebank.demo.bench_seed [--url URL] [--customers N]``.

Without ``--url`` it seeds a fresh SQLite file in a temporary directory and
deletes it afterwards. With ``--url`` it seeds that database; one that is
already seeded is left alone unless ``--reset`` is given (which drops and
rebuilds the core-banking tables there), so a benchmark never wipes data by
surprise.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from corebank.db import make_engine
from corebank.demo.seed import seed


def _progress(stage: str, done: int, total: int) -> None:
    print(f"\r  {stage}: {done}/{total}", end="", file=sys.stderr, flush=True)


def _run(url: str, customers: int, reset: bool) -> int:
    engine = make_engine(url)
    try:
        started = time.perf_counter()
        stats = seed(engine, customers=customers, reset=reset, progress=_progress)
        elapsed = time.perf_counter() - started
    finally:
        engine.dispose()
    print(file=sys.stderr)
    if stats.skipped:
        print(stats.message)
        print("pass --reset to drop and re-seed it for a timing")
        return 2
    print(f"backend       {engine.dialect.name}")
    print(f"customers     {stats.customers:>9,}")
    print(f"accounts      {stats.accounts:>9,}")
    print(f"cards         {stats.cards:>9,}")
    print(f"transactions  {stats.transactions:>9,}")
    print(f"rows total    {stats.rows:>9,}")
    print(f"seconds       {elapsed:>9.2f}")
    print(f"rows/second   {stats.rows / elapsed:>9,.0f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, seed, print rows and seconds; exit status 2 if nothing was timed."""
    parser = argparse.ArgumentParser(prog="python -m corebank.demo.bench_seed", description=__doc__)
    parser.add_argument("--url", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--customers", type=int, default=5000, help="synthetic customers")
    parser.add_argument(
        "--reset", action="store_true", help="drop and rebuild an already seeded --url database"
    )
    args = parser.parse_args(argv)
    if args.url:
        return _run(args.url, args.customers, args.reset)
    with tempfile.TemporaryDirectory(prefix="corebank-bench-") as tmp:
        return _run(f"sqlite:///{Path(tmp) / 'corebank.db'}", args.customers, reset=False)


if __name__ == "__main__":
    raise SystemExit(main())
