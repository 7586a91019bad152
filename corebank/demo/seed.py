"""Build the deterministic demo core-banking database.

``seed(engine)`` writes thousands of synthetic customers with accounts, cards
and a year of statement lines, plus the two named customers that tests and
demos rely on (:mod:`corebank.demo.named`). Same arguments, same rows: every
random choice comes from ``random.Random(seed)`` and every date from ``today``
(never the wall clock), so a bug report can name a customer id and a
colleague's database has it too. The rows themselves come from
:mod:`corebank.demo.generator`.

Speed comes from Core ``executemany`` inserts in batches of about 8,000 rows,
one transaction per batch, with primary keys assigned in Python so nothing
has to be read back; no ORM object is made per row.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import Final

from sqlalchemy import Connection, Engine, Table, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError

from corebank.db import create_schema, drop_schema
from corebank.demo.calendar import Calendar
from corebank.demo.generator import Generator
from corebank.demo.named import NAMED_CUSTOMERS
from corebank.demo.state import Batch
from corebank.models import Account, Card, Customer, SeedInfo, Transaction

__all__ = ["DEMO_TODAY", "ProgressFn", "SeedError", "SeedStats", "seed"]

log = logging.getLogger(__name__)

#: The demo year runs up to (not including) this day, Beijing time.
DEMO_TODAY: Final = date(2026, 11, 1)

ProgressFn = Callable[[str, int, int], None]
"""``progress(stage, done, total)``; stages are ``"named"`` and ``"customers"``."""

# About 8k statement lines per batch at the default activity levels.
_CUSTOMERS_PER_BATCH: Final = 100

_CUSTOMERS_T: Final[Table] = Customer.__table__  # type: ignore[assignment]
_ACCOUNTS_T: Final[Table] = Account.__table__  # type: ignore[assignment]
_CARDS_T: Final[Table] = Card.__table__  # type: ignore[assignment]
_TRANSACTIONS_T: Final[Table] = Transaction.__table__  # type: ignore[assignment]
_SEED_T: Final[Table] = SeedInfo.__table__  # type: ignore[assignment]


class SeedError(RuntimeError):
    """The database holds something ``seed`` will not build on without ``reset=True``."""


@dataclass(frozen=True, slots=True)
class SeedStats:
    """What a ``seed`` call found or wrote. ``skipped``: it was already seeded."""

    customers: int
    accounts: int
    cards: int
    transactions: int
    seconds: float
    skipped: bool = False
    message: str = ""

    @property
    def rows(self) -> int:
        """All rows in the four core tables."""
        return self.customers + self.accounts + self.cards + self.transactions


# --------------------------------------------------------------------------- database


def _insert_batch(conn: Connection, batch: Batch) -> None:
    for table, rows in (
        (_CUSTOMERS_T, batch.customers),
        (_ACCOUNTS_T, batch.accounts),
        (_CARDS_T, batch.cards),
        (_TRANSACTIONS_T, batch.transactions),
    ):
        if rows:
            conn.execute(insert(table), rows)


def _count(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _counts(engine: Engine) -> tuple[int, int, int, int]:
    with engine.connect() as conn:
        return (
            _count(conn, _CUSTOMERS_T),
            _count(conn, _ACCOUNTS_T),
            _count(conn, _CARDS_T),
            _count(conn, _TRANSACTIONS_T),
        )


def _after_load(engine: Engine) -> None:
    """PostgreSQL: move id sequences past the ids we assigned; refresh planner statistics."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for table in (_CUSTOMERS_T, _ACCOUNTS_T, _CARDS_T, _TRANSACTIONS_T, _SEED_T):
            seq = func.pg_get_serial_sequence(literal(table.name), literal("id"))
            next_id = select(func.coalesce(func.max(table.c.id), 0) + 1).scalar_subquery()
            conn.execute(select(func.setval(seq, next_id, False)))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in (_CUSTOMERS_T, _ACCOUNTS_T, _CARDS_T, _TRANSACTIONS_T):
            conn.exec_driver_sql(f"ANALYZE {table.name}")  # constant table names, no input


def _batches(gen: Generator, customers: int) -> Iterator[tuple[Batch, int]]:
    """Batches of ``_CUSTOMERS_PER_BATCH`` synthetic customers, with the running count."""
    done = 0
    while done < customers:
        batch = Batch()
        size = min(_CUSTOMERS_PER_BATCH, customers - done)
        for _ in range(size):
            gen.synthetic_customer(batch)
        done += size
        yield batch, done


def seed(
    engine: Engine,
    *,
    customers: int = 5000,
    seed: int = 20261125,
    today: date = DEMO_TODAY,
    reset: bool = False,
    progress: ProgressFn | None = None,
) -> SeedStats:
    """Fill the core-banking DB with ``customers`` synthetic customers plus the two named ones.

    Statements cover the year before ``today`` (Beijing time; the default
    keeps every demo database identical). ``progress(stage, done, total)`` is
    called after each committed batch: ``("named", 2, 2)`` once, then
    ``("customers", done, customers)``. The returned counts include the named
    customers.

    An already seeded database is left alone (``skipped=True`` and a message
    saying so) unless ``reset=True``, which drops and recreates the tables. A
    database with rows but no finished seed, or a seed running concurrently,
    raises :class:`SeedError` rather than mixing datasets.
    """
    if customers < 0:
        raise ValueError("customers must be >= 0")
    started = time.perf_counter()
    create_schema(engine)
    with engine.connect() as conn:
        info = conn.execute(select(_SEED_T).limit(1)).mappings().first()
        has_rows = conn.execute(select(Customer.id).limit(1)).first() is not None
    if reset:
        drop_schema(engine)
        create_schema(engine)
    elif info is not None and info["complete"]:
        c, a, k, t = _counts(engine)
        message = (
            f"core-banking DB already seeded (seed={info['seed']}, customers={info['customers']}, "
            f"today={info['today']}); nothing done. Use reset=True to rebuild it."
        )
        log.info(message)
        return SeedStats(c, a, k, t, time.perf_counter() - started, skipped=True, message=message)
    elif info is not None or has_rows:
        raise SeedError(
            "core-banking DB holds rows from an unfinished or foreign seed; "
            "run again with reset=True"
        )

    try:  # the fixed primary key doubles as a lock against a concurrent seed
        with engine.begin() as conn:
            conn.execute(
                insert(_SEED_T).values(
                    id=1, seed=seed, customers=customers, today=today, complete=False
                )
            )
    except IntegrityError:
        raise SeedError("another seed of this database is running or just finished") from None

    # The named customers draw from their own fixed stream, so their history is
    # the same whatever ``seed`` and ``customers`` are.
    gen = Generator(random.Random("bankbot demo: named customers"), Calendar(today))
    batch = Batch()
    for spec in NAMED_CUSTOMERS:
        gen.named_customer(batch, spec)
    with engine.begin() as conn:
        _insert_batch(conn, batch)
    if progress:
        progress("named", len(NAMED_CUSTOMERS), len(NAMED_CUSTOMERS))

    gen.rng = random.Random(seed)
    for batch, done in _batches(gen, customers):
        with engine.begin() as conn:
            _insert_batch(conn, batch)
        if progress:
            progress("customers", done, customers)

    _after_load(engine)
    with engine.begin() as conn:
        conn.execute(update(_SEED_T).where(_SEED_T.c.id == 1).values(complete=True))
    stats = SeedStats(
        customers=gen.next_customer - 1,
        accounts=gen.next_account - 1,
        cards=gen.next_card - 1,
        transactions=gen.next_txn - 1,
        seconds=time.perf_counter() - started,
        message="",
    )
    message = (
        f"seeded {stats.customers} customers, {stats.accounts} accounts, {stats.cards} cards, "
        f"{stats.transactions} transactions in {stats.seconds:.1f} s"
    )
    log.info(message)
    return replace(stats, message=message)
