"""`make bench` / `python -m bankbot.bench [--engines 2] [--seconds 30] [--users 50]`.

The gateway's overhead is measured in five rounds of interleaved single turns
and judged on the median round: one round's p50 over 60 turns moved between
x1.11 and x1.18 from one run to the next on an idle machine.
`--only overhead` measures it alone (`--only` takes any of the sections).

Without `--engines` it measures the embedded default: one engine, SQLite. With
`--engines N` it measures one engine and then N engines, both on PostgreSQL
(tracker store) and Redis (lock store) on 127.0.0.1, and prints the ratios.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from bankbot.bench.report import comparison
from bankbot.bench.run import SECTIONS, Plan, measure_sync
from bankbot.bench.stacks import bench_stack
from common.paths import LOG_DIR, ROOT
from corebank.db import create_schema, make_engine
from corebank.demo.seed import seed
from pipeline.checkout import ensure_model


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bankbot.bench", description=__doc__)
    parser.add_argument("--engines", type=int,
                        default=int(os.environ.get("BENCH_ENGINES", "1")),
                        help="also measure this many engines (PostgreSQL, Redis)")
    parser.add_argument("--users", type=int, default=int(os.environ.get("BENCH_USERS", "50")),
                        help="concurrent conversations in the closed loop")
    parser.add_argument("--seconds", type=float,
                        default=float(os.environ.get("BENCH_SECONDS", "30")),
                        help="length of the closed-loop run and of each open-loop run")
    parser.add_argument("--only", type=_sections, default=SECTIONS,
                        help="measure only these, comma separated: " + ",".join(SECTIONS))
    parser.add_argument("--overhead-rounds", type=int, default=5,
                        help="repeat the overhead section; its verdict takes the median")
    return parser.parse_args()  # fmt: skip


def _sections(text: str) -> tuple[str, ...]:
    chosen = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [name for name in chosen if name not in SECTIONS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"choose among {', '.join(SECTIONS)}")
    return chosen


def main() -> int:
    """Seed a throw-away bank, then measure one stack (or one and several engines)."""
    args = _arguments()
    plan = Plan(
        users=args.users,
        seconds=args.seconds,
        overhead_rounds=max(1, args.overhead_rounds),
        sections=args.only,
    )
    model = ensure_model(ROOT / LOG_DIR / "train.log")
    print(f"model {model.name}; every service on 127.0.0.1; the machine may be shared: "
          f"figures are what this run saw")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="bankbot-bench-") as tmp:
        workdir = Path(tmp)
        core = f"sqlite:///{workdir}/corebank.db"
        engine = make_engine(core)
        create_schema(engine)
        seed(engine, customers=200)
        engine.dispose()
        backend = "postgres" if args.engines > 1 else "sqlite"
        with bench_stack(model, workdir / "one", core, engines=1, backend=backend) as stack:
            one = measure_sync(stack, plan, f"1 engine ({backend})")
        if args.engines > 1:
            label = f"{args.engines} engines (postgres)"
            with bench_stack(
                model, workdir / "more", core, engines=args.engines, backend="postgres"
            ) as stack:
                more = measure_sync(stack, plan, label)
            compared = comparison(one, more)
            if compared:
                print()
                print("\n".join(compared))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
