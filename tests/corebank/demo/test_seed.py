"""corebank.demo: the named customers, determinism, idempotency, plausible data."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, inspect, select, text, update

from corebank.db import make_engine
from corebank.demo.named import NAMED_CUSTOMERS, NamedCustomer
from corebank.demo.numbers import id_checksum, luhn_valid
from corebank.demo.seed import DEMO_TODAY, SeedError, seed
from corebank.models import Account, Base, Card, Customer, SeedInfo, Transaction
from corebank.repository import month_bounds

SMALL = 20
TABLES = tuple(
    Base.metadata.tables[name] for name in ("customers", "accounts", "cards", "transactions")
)


def checksums(engine: Engine) -> dict[str, str]:
    """sha256 of every row of each core table, in id order."""
    out = {}
    with engine.connect() as conn:
        for table in TABLES:
            digest = hashlib.sha256()
            for row in conn.execute(select(table).order_by(table.c.id)):
                digest.update(repr(tuple(row)).encode())
            out[table.name] = digest.hexdigest()
    return out


# --------------------------------------------------------------------------- named customers


@pytest.mark.parametrize("spec", NAMED_CUSTOMERS, ids=lambda s: s.phone)
def test_named_customers_are_exact(sqlite_engine: Engine, spec: NamedCustomer) -> None:
    seed(sqlite_engine, customers=SMALL)
    with sqlite_engine.connect() as conn:
        customer = conn.execute(select(Customer).where(Customer.phone == spec.phone)).one()
        assert customer.id == spec.id
        assert customer.name == spec.name
        assert customer.language == spec.language
        assert customer.id_last4 == spec.id_number[-4:]
        assert customer.id_number == spec.id_number

        debit = conn.execute(
            select(Card).where(Card.customer_id == spec.id, Card.kind == "debit")
        ).one()
        assert debit.last4 == spec.debit_last4
        assert debit.number.endswith(spec.debit_last4)
        assert debit.status == "active"
        balance = conn.execute(
            select(Account.balance_cents).where(Account.id == debit.account_id)
        ).scalar_one()
        assert balance == spec.balance_cents

        credit = conn.execute(
            select(Card).where(Card.customer_id == spec.id, Card.kind == "credit")
        ).one()
        assert credit.last4 == spec.credit_last4
        assert credit.credit_limit_cents == spec.credit_limit_cents

        lines = conn.execute(
            select(Transaction.posted_at, Transaction.balance_after_cents)
            .where(Transaction.account_id == debit.account_id)
            .order_by(Transaction.posted_at, Transaction.id)
        ).all()
    assert 24 <= len(lines) <= 100, "a few dozen statement lines"
    assert lines[-1].balance_after_cents == spec.balance_cents
    start, end = month_bounds(date(2026, 10, 1))
    assert sum(start <= line.posted_at < end for line in lines) >= 3, "some in the latest month"


def test_documented_balances() -> None:
    """docs/requirements.md, demo data: 12,345.67 CNY and 8,800.00 CNY, cards 6789 and 2468."""
    by_phone = {c.phone: c for c in NAMED_CUSTOMERS}
    assert by_phone["13800138000"].balance_cents == 1_234_567
    assert by_phone["13800138000"].debit_last4 == "6789"
    assert by_phone["13800138000"].id_number.endswith("1234")
    assert by_phone["13900139000"].balance_cents == 880_000
    assert by_phone["13900139000"].debit_last4 == "2468"
    assert by_phone["13900139000"].id_number.endswith("5678")


def test_named_customers_do_not_depend_on_seed_or_size(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    seed(sqlite_engine, customers=5, seed=1)
    seed(other, customers=12, seed=2)
    named = select(Transaction).where(Transaction.account_id <= 3).order_by(Transaction.id)
    with sqlite_engine.connect() as a, other.connect() as b:
        assert a.execute(named).all() == b.execute(named).all()
    other.dispose()


# --------------------------------------------------------------------------- determinism


def test_same_seed_same_database(sqlite_engine: Engine, tmp_path: Path) -> None:
    second = make_engine(f"sqlite:///{tmp_path / 'second.db'}")
    seed(sqlite_engine, customers=30, seed=7)
    seed(second, customers=30, seed=7)
    first_sums = checksums(sqlite_engine)
    assert first_sums == checksums(second)

    third = make_engine(f"sqlite:///{tmp_path / 'third.db'}")
    seed(third, customers=30, seed=8)
    assert checksums(third)["transactions"] != first_sums["transactions"]
    second.dispose()
    third.dispose()


# --------------------------------------------------------------------------- idempotency


def test_second_seed_does_nothing_and_says_so(sqlite_engine: Engine) -> None:
    first = seed(sqlite_engine, customers=SMALL)
    assert not first.skipped
    before = checksums(sqlite_engine)
    again = seed(sqlite_engine, customers=SMALL)
    assert again.skipped
    assert "already seeded" in again.message
    assert (again.customers, again.accounts, again.cards, again.transactions) == (
        first.customers,
        first.accounts,
        first.cards,
        first.transactions,
    )
    assert checksums(sqlite_engine) == before


def test_reset_rebuilds(sqlite_engine: Engine) -> None:
    seed(sqlite_engine, customers=SMALL)
    before = checksums(sqlite_engine)
    with sqlite_engine.begin() as conn:
        conn.execute(update(Account).where(Account.id == 1).values(balance_cents=0))
    assert checksums(sqlite_engine) != before
    stats = seed(sqlite_engine, customers=SMALL, reset=True)
    assert not stats.skipped
    assert checksums(sqlite_engine) == before


def test_unfinished_seed_is_refused_without_reset(sqlite_engine: Engine) -> None:
    seed(sqlite_engine, customers=3)
    with sqlite_engine.begin() as conn:
        conn.execute(update(SeedInfo).values(complete=False))
    with pytest.raises(SeedError, match="reset=True"):
        seed(sqlite_engine, customers=3)
    assert not seed(sqlite_engine, customers=3, reset=True).skipped


def test_progress_reports_each_batch(sqlite_engine: Engine) -> None:
    calls: list[tuple[str, int, int]] = []
    seed(sqlite_engine, customers=250, progress=lambda *a: calls.append(a))
    assert calls[0] == ("named", 2, 2)
    customer_calls = [c for c in calls if c[0] == "customers"]
    assert [c[1] for c in customer_calls] == [100, 200, 250]
    assert all(c[2] == 250 for c in customer_calls)


# --------------------------------------------------------------------------- plausibility


def test_identifiers_are_valid_and_unique(sqlite_engine: Engine) -> None:
    stats = seed(sqlite_engine, customers=200)
    named_phones = {c.phone for c in NAMED_CUSTOMERS}
    with sqlite_engine.connect() as conn:
        customers = conn.execute(select(Customer)).all()
        cards = conn.execute(select(Card)).all()
    assert len(customers) == stats.customers == 202
    phones = [c.phone for c in customers]
    assert len(set(phones)) == len(phones)
    for c in customers:
        assert re.fullmatch(r"1[3-9]\d{9}", c.phone)
        if c.id > len(NAMED_CUSTOMERS):
            assert c.phone not in named_phones
        assert re.fullmatch(r"\d{17}[\dX]", c.id_number)
        assert id_checksum(c.id_number[:17]) == c.id_number[-1]
        assert c.id_number[6:14] == c.date_of_birth.strftime("%Y%m%d")
        assert c.id_last4 == c.id_number[-4:]
        assert c.language in ("zh", "en")
        assert 18 <= (DEMO_TODAY - c.date_of_birth).days // 365 <= 95
    for card in cards:
        assert luhn_valid(card.number), card.number
        assert card.last4 == card.number[-4:]
        assert len(card.number) == (19 if card.kind == "debit" else 16)
        assert (card.status == "frozen") <= (card.frozen_at is not None)
        assert (card.kind == "credit") == (card.credit_limit_cents is not None)
    per_customer = defaultdict(list)
    for card in cards:
        per_customer[card.customer_id].append(card.last4)
    assert all(len(v) == len(set(v)) for v in per_customer.values())
    statuses = {card.status for card in cards}
    assert {"active", "frozen", "expired"} <= statuses


def test_balances_chain_and_never_go_negative(sqlite_engine: Engine) -> None:
    seed(sqlite_engine, customers=60)
    with sqlite_engine.connect() as conn:
        balances = dict(conn.execute(select(Account.id, Account.balance_cents)).all())
        rows = conn.execute(
            select(
                Transaction.account_id,
                Transaction.amount_cents,
                Transaction.balance_after_cents,
            ).order_by(Transaction.account_id, Transaction.posted_at, Transaction.id)
        ).all()
    last: dict[int, int] = {}
    for account_id, amount, after in rows:
        assert amount != 0
        assert after >= 0
        if account_id in last:
            assert after == last[account_id] + amount
        last[account_id] = after
    for account_id, balance in balances.items():
        if account_id in last:
            assert last[account_id] == balance


def test_transactions_look_like_a_real_statement(sqlite_engine: Engine) -> None:
    stats = seed(sqlite_engine, customers=250)
    # Scale: the full default seed (5,000 customers) must reach 300,000 rows.
    assert stats.transactions / 250 * 5000 >= 300_000 * 1.2
    with sqlite_engine.connect() as conn:
        categories = set(conn.execute(select(Transaction.category).distinct()).scalars())
        counterparties = set(conn.execute(select(Transaction.counterparty).distinct()).scalars())
        channels = set(conn.execute(select(Transaction.channel).distinct()).scalars())
        window = conn.execute(
            select(func.min(Transaction.posted_at), func.max(Transaction.posted_at))
        ).one()
    assert {
        "salary",
        "utilities",
        "groceries",
        "dining",
        "cash",
        "transfer_out",
        "transfer_in",
    } <= (categories)
    assert {
        "美团外卖",
        "Meituan Waimai",
        "国家电网 电费",
        "State Grid - electricity",
    } <= counterparties
    assert {"pos", "online", "atm", "payroll", "direct_debit"} <= channels
    start, _ = month_bounds(date(2025, 11, 1))
    _, end = month_bounds(date(2026, 10, 1))
    assert start <= window[0] and window[1] < end


def test_reset_also_drops_tables_that_reference_customers(engine: Engine) -> None:
    """Verification tables point at customers; a reset must not trip over them."""
    seed(engine, customers=3)
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE corebank_test_dependant ("
                " id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id))"
            )
        )
        conn.execute(text("INSERT INTO corebank_test_dependant VALUES (1, 1)"))
        conn.execute(text("CREATE TABLE corebank_test_unrelated (id INTEGER PRIMARY KEY)"))
    stats = seed(engine, customers=3, reset=True)
    assert not stats.skipped
    tables = set(inspect(engine).get_table_names())
    assert "corebank_test_dependant" not in tables
    assert "corebank_test_unrelated" in tables
    assert {"customers", "accounts", "cards", "transactions"} <= tables
