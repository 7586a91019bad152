"""corebank.models and corebank.db: integer money, aware UTC times, SQLite set up safely."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import BigInteger, Engine, Float, Integer, Numeric, insert, inspect, select, text
from sqlalchemy.exc import IntegrityError, StatementError

from corebank.db import create_schema, make_engine, normalise_url, session_factory
from corebank.models import Account, Base, Card, Customer, Transaction

MONEY_COLUMNS = {
    ("accounts", "balance_cents"),
    ("cards", "credit_limit_cents"),
    ("transactions", "amount_cents"),
    ("transactions", "balance_after_cents"),
}


def test_money_columns_are_integers_in_the_models() -> None:
    cents = {
        (table.name, column.name)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if column.name.endswith("_cents")
    }
    assert cents == MONEY_COLUMNS
    for table_name, column_name in cents:
        column_type = Base.metadata.tables[table_name].c[column_name].type
        assert isinstance(column_type, BigInteger), (table_name, column_name, column_type)


def test_no_float_or_numeric_column_anywhere() -> None:
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            assert not isinstance(column.type, Float | Numeric), (table.name, column.name)


def test_money_columns_are_integers_in_the_database(sqlite_engine: Engine) -> None:
    create_schema(sqlite_engine)
    inspector = inspect(sqlite_engine)
    for table_name, column_name in MONEY_COLUMNS:
        (column,) = [c for c in inspector.get_columns(table_name) if c["name"] == column_name]
        assert isinstance(column["type"], Integer), (table_name, column_name, column["type"])


def test_statement_and_lookup_indexes_exist(sqlite_engine: Engine) -> None:
    create_schema(sqlite_engine)
    inspector = inspect(sqlite_engine)
    index_columns = {tuple(ix["column_names"]) for ix in inspector.get_indexes("transactions")}
    assert ("account_id", "posted_at") in index_columns
    unique = {tuple(u["column_names"]) for u in inspector.get_unique_constraints("customers")}
    assert ("phone",) in unique
    card_unique = {tuple(u["column_names"]) for u in inspector.get_unique_constraints("cards")}
    assert ("customer_id", "last4") in card_unique


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgresql://u@db/bank", "postgresql+psycopg"),
        ("postgres://u@db/bank", "postgresql+psycopg"),
        ("postgresql+psycopg://u@db/bank", "postgresql+psycopg"),
        ("sqlite:///var/corebank.db", "sqlite"),
    ],
)
def test_urls_are_normalised_to_psycopg3(url: str, driver: str) -> None:
    assert normalise_url(url).drivername == driver


def test_make_engine_does_not_connect_and_picks_psycopg() -> None:
    engine = make_engine("postgresql://nobody@127.0.0.1:1/none")
    assert engine.dialect.driver == "psycopg"
    engine.dispose()


def test_make_engine_refuses_other_backends() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        make_engine("mysql://u@db/bank")


def test_sqlite_gets_wal_and_foreign_keys(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"


def test_sqlite_enforces_foreign_keys(sqlite_engine: Engine) -> None:
    create_schema(sqlite_engine)
    with pytest.raises(IntegrityError), sqlite_engine.begin() as conn:
        conn.execute(
            insert(Account).values(
                id=1,
                customer_id=999,
                type="current",
                currency="CNY",
                number="1",
                balance_cents=0,
                opened_on=date(2020, 1, 1),
            )
        )


def _customer_and_account(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(Customer).values(
                id=1,
                name="测试",
                phone="13000000000",
                id_number="11010119900101001X",
                id_last4="001X",
                language="zh",
                date_of_birth=date(1990, 1, 1),
            )
        )
        conn.execute(
            insert(Account).values(
                id=1,
                customer_id=1,
                type="current",
                currency="CNY",
                number="1",
                balance_cents=0,
                opened_on=date(2020, 1, 1),
            )
        )


def test_timestamps_come_back_aware_utc(sqlite_engine: Engine) -> None:
    create_schema(sqlite_engine)
    _customer_and_account(sqlite_engine)
    beijing = timezone(timedelta(hours=8))
    posted = datetime(2026, 10, 1, 9, 30, tzinfo=beijing)
    with sqlite_engine.begin() as conn:
        conn.execute(
            insert(Transaction).values(
                id=1,
                account_id=1,
                posted_at=posted,
                amount_cents=100,
                currency="CNY",
                counterparty="x",
                description="x",
                channel="pos",
                category="x",
                balance_after_cents=100,
            )
        )
    with session_factory(sqlite_engine)() as session:
        got = session.execute(select(Transaction.posted_at)).scalar_one()
    assert got == posted
    assert got.tzinfo is UTC
    assert got.hour == 1  # 09:30 Beijing is 01:30 UTC


def test_naive_timestamps_are_refused(sqlite_engine: Engine) -> None:
    create_schema(sqlite_engine)
    _customer_and_account(sqlite_engine)
    with pytest.raises(StatementError, match="naive"), sqlite_engine.begin() as conn:
        conn.execute(
            insert(Card).values(
                id=1,
                customer_id=1,
                account_id=1,
                kind="debit",
                number="6288880000000000000",
                last4="0000",
                status="frozen",
                frozen_at=datetime(2026, 10, 1, 9, 30),
                expires_on=date(2030, 1, 31),
            )
        )


def test_check_constraints_guard_card_rules(sqlite_engine: Engine) -> None:
    create_schema(sqlite_engine)
    _customer_and_account(sqlite_engine)
    base = {
        "customer_id": 1,
        "account_id": 1,
        "number": "6288880000000000000",
        "last4": "0000",
        "expires_on": date(2030, 1, 31),
    }
    bad_rows = [
        {**base, "id": 1, "kind": "debit", "status": "frozen"},  # frozen without frozen_at
        {**base, "id": 2, "kind": "credit", "status": "active"},  # credit card without limit
        {**base, "id": 3, "kind": "debit", "status": "stolen"},  # unknown status
    ]
    for row in bad_rows:
        with pytest.raises(IntegrityError), sqlite_engine.begin() as conn:
            conn.execute(insert(Card).values(**row))
