"""The declarative base of the action server's tables, apart from the ledger's.

The tables point foreign keys at the ledger's ``customers`` (a verification
or a complaint is about a customer); those are declared with the ledger's
column itself (:data:`CUSTOMER_ID`), so they resolve although the two sets of
tables have separate metadata.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Engine, MetaData, Table
from sqlalchemy.orm import DeclarativeBase

from corebank.models import Customer

CUSTOMER_ID = Customer.__table__.c.id
"""The ledger's ``customers.id``, for foreign keys from these tables."""


class Base(DeclarativeBase):
    """Declarative base of the action server's tables only."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


def in_values(column: str, values: tuple[str, ...]) -> str:
    """SQL for a CHECK that ``column`` is one of ``values`` (constants only)."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def create_tables(engine: Engine, *models: type[Base]) -> None:
    """Create these models' tables where they do not exist yet (idempotent)."""
    tables = [cast(Table, model.__table__) for model in models]
    Base.metadata.create_all(engine, tables=tables)
