"""张伟 and Emily Chen: the two customers tests and demos may hard-code.

They get ids 1 and 2, fixed identities, cards and balances (the README and
docs/requirements.md list them), and a modest history that always nets out at
the same balance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final


@dataclass(frozen=True, slots=True)
class NamedCustomer:
    """A customer whose details tests and demos may hard-code."""

    id: int
    name: str
    phone: str
    id_number: str
    language: str
    date_of_birth: date
    debit_last4: str
    balance_cents: int  # of the debit card's (current) account
    credit_last4: str
    credit_limit_cents: int


NAMED_CUSTOMERS: Final = (
    NamedCustomer(
        id=1,
        name="张伟",
        phone="13800138000",
        id_number="440305198503181234",
        language="zh",
        date_of_birth=date(1985, 3, 18),
        debit_last4="6789",
        balance_cents=1_234_567,
        credit_last4="3321",
        credit_limit_cents=5_000_000,
    ),
    NamedCustomer(
        id=2,
        name="Emily Chen",
        phone="13900139000",
        id_number="310104199207285678",
        language="en",
        date_of_birth=date(1992, 7, 28),
        debit_last4="2468",
        balance_cents=880_000,
        credit_last4="1357",
        credit_limit_cents=3_000_000,
    ),
)
"""张伟 and Emily Chen; they get ids 1 and 2 and a fixed history."""


@dataclass(frozen=True, slots=True)
class NamedHabits:
    """How a named customer lives, tuned so the year nets out near the fixed balance."""

    city: int  # index into demo_data.CITIES
    employer: int  # index into demo_data.EMPLOYERS
    opened: date
    salary_cents: int
    payday: int
    savings_account: bool
    sweep_share: float  # of salary moved to savings (or to an account at another bank)
    mortgage_cents: int = 0
    rent_cents: int = 0


NAMED_HABITS: Final = {
    1: NamedHabits(
        city=3,
        employer=0,
        opened=date(2015, 6, 1),
        salary_cents=1_856_000,
        payday=10,
        savings_account=True,
        sweep_share=0.7,
    ),
    2: NamedHabits(
        city=1,
        employer=2,
        opened=date(2019, 9, 2),
        salary_cents=1_520_000,
        payday=15,
        savings_account=False,
        sweep_share=0.0,
        rent_cents=1_100_000,
    ),
}


# --------------------------------------------------------------------------- checksums
