"""Tables of the demo core-banking database.

The core-banking DB is a stand-in for the bank's ledger: the action server reads
it (through :mod:`corebank.repository` only) and the seed fills it. It has its own
:class:`Base` so its tables never mix with the gateway's conversation tables.

Money is always an integer number of cents (``BigInteger``): floats cannot hold
0.10 exactly, and a ledger that drifts by a cent is a wrong ledger.
Timestamps are timezone-aware UTC on every backend (see :class:`UTCDateTime`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from common.languages import LANGUAGES

__all__ = [
    "ACCOUNT_TYPES",
    "BANK_TZ",
    "BigIntKey",
    "CARD_KINDS",
    "CARD_STATUSES",
    "Account",
    "Base",
    "Card",
    "Customer",
    "SeedInfo",
    "Transaction",
    "UTCDateTime",
]

# The bank's business day (statements, "this month", interest dates) runs on
# Beijing time. China has no daylight saving, so a fixed offset is exact and
# needs no tz database on the host.
BANK_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")

ACCOUNT_TYPES = ("current", "savings")
CARD_KINDS = ("debit", "credit")
CARD_STATUSES = ("active", "frozen", "lost", "expired")

# A 64-bit key on PostgreSQL; SQLite only auto-increments "INTEGER PRIMARY KEY".
# Public: other tables on this Base (verification state) use it too.
BigIntKey = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones, so values are
    stored as naive UTC text (which also sorts correctly) and given back their
    UTC zone on the way out. Naive datetimes are refused: guessing their zone is
    how off-by-eight-hours bugs are born.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Aware datetime in any zone → UTC (naive UTC text on SQLite)."""
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware value")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Whatever the driver returns → aware UTC."""
        if value is None:
            return None
        moment: datetime = value
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    """SQL for a CHECK that ``column`` is one of ``values`` (constants only)."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    """Declarative base of the core-banking tables only."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class Customer(Base):
    """A bank customer.

    ``id_number`` (the 18-character resident ID) is kept only so identity checks
    have something to check against; nothing outside this package ever sees it.
    ``id_last4`` is the part the assistant asks for (docs/requirements.md, rule 7).
    """

    __tablename__ = "customers"
    __table_args__ = (
        CheckConstraint(_in("language", LANGUAGES), name="language"),
        CheckConstraint("length(phone) = 11", name="phone_length"),
        CheckConstraint("length(id_number) = 18", name="id_number_length"),
        CheckConstraint("length(id_last4) = 4", name="id_last4_length"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(11), unique=True)
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    id_last4: Mapped[str] = mapped_column(String(4))
    language: Mapped[str] = mapped_column(String(2))
    date_of_birth: Mapped[date] = mapped_column(Date)


class Account(Base):
    """A deposit account (current or savings) and its booked balance in cents."""

    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint(_in("type", ACCOUNT_TYPES), name="type"),
        CheckConstraint("length(currency) = 3", name="currency"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    type: Mapped[str] = mapped_column(String(8))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    number: Mapped[str] = mapped_column(String(20), unique=True)
    balance_cents: Mapped[int] = mapped_column(BigInteger)
    opened_on: Mapped[date] = mapped_column(Date)


class Card(Base):
    """A debit or credit card.

    A debit card draws on its account; a credit card's account is the one its
    monthly bill is repaid from (the card's own credit ledger is not modelled in
    the demo). ``(customer_id, last4)`` is unique so "my card ending 6789"
    always names exactly one card of that customer.
    """

    __tablename__ = "cards"
    __table_args__ = (
        CheckConstraint(_in("kind", CARD_KINDS), name="kind"),
        CheckConstraint(_in("status", CARD_STATUSES), name="status"),
        CheckConstraint(
            "(kind = 'credit' AND credit_limit_cents IS NOT NULL AND credit_limit_cents > 0)"
            " OR (kind = 'debit' AND credit_limit_cents IS NULL)",
            name="credit_limit",
        ),
        CheckConstraint("status <> 'frozen' OR frozen_at IS NOT NULL", name="frozen_at"),
        UniqueConstraint("customer_id", "last4", name="uq_cards_customer_last4"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(6))
    number: Mapped[str] = mapped_column(String(19), unique=True)
    last4: Mapped[str] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(String(8), default="active")
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    credit_limit_cents: Mapped[int | None] = mapped_column(BigInteger)
    expires_on: Mapped[date] = mapped_column(Date)


class Transaction(Base):
    """One booked movement on an account; ``amount_cents`` is signed (+ credit, - debit).

    ``balance_after_cents`` is the account balance once this row is booked, in
    (posted_at, id) order, so statements never need a running sum.
    """

    __tablename__ = "transactions"
    __table_args__ = (
        # Statement queries: one customer's accounts, newest first.
        Index("ix_transactions_account_posted", "account_id", "posted_at"),
        CheckConstraint("amount_cents <> 0", name="amount_nonzero"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    counterparty: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(24))
    balance_after_cents: Mapped[int] = mapped_column(BigInteger)


class SeedInfo(Base):
    """One row describing the seed that built this database.

    Lets a second ``bankbot seed`` recognise a finished seed (and do nothing) or
    an interrupted one (and refuse, rather than pile new rows on half a dataset).
    """

    __tablename__ = "corebank_seed"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seed: Mapped[int] = mapped_column(BigInteger)
    customers: Mapped[int] = mapped_column(Integer)
    today: Mapped[date] = mapped_column(Date)
    # False while seeding; no wall-clock times, so a seeded DB is identical every run.
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
