"""What every part of the demo generator shares: the random source, the calendar, counters.

Every choice comes from one ``random.Random`` and every date from one
:class:`~corebank.demo.calendar.Calendar`, so the same inputs always give the
same rows; the order in which the parts draw is part of that promise.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from corebank.demo import words
from corebank.demo.calendar import Calendar
from corebank.demo.named import NAMED_CUSTOMERS


@dataclass(slots=True)
class Batch:
    """Rows for one insert transaction, as dicts ready for ``executemany``."""

    customers: list[dict[str, Any]] = field(default_factory=list)
    accounts: list[dict[str, Any]] = field(default_factory=list)
    cards: list[dict[str, Any]] = field(default_factory=list)
    transactions: list[dict[str, Any]] = field(default_factory=list)


class DemoState:
    """The random source, the calendar, the id counters and the uniqueness sets."""

    def __init__(self, rng: random.Random, calendar: Calendar) -> None:
        self.rng = rng
        self.cal = calendar
        self.next_customer = 1
        self.next_account = 1
        self.next_card = 1
        self.next_txn = 1
        self.phones: set[str] = {c.phone for c in NAMED_CUSTOMERS}
        self.id_numbers: set[str] = {c.id_number for c in NAMED_CUSTOMERS}
        self.card_numbers: set[str] = set()
        self._surnames = [s for s, _ in words.ZH_SURNAMES]
        self._surname_cum = list(accumulate(w for _, w in words.ZH_SURNAMES))
        self.merchant_cum = list(accumulate(m.weight for m in words.MERCHANTS))
        self._reserved_names = {c.name for c in NAMED_CUSTOMERS}

    # ---- small random helpers -------------------------------------------------

    def poisson(self, lam: float) -> int:
        """Knuth's method; fine for the small rates used here."""
        limit, k, p = math.exp(-lam), 0, self.rng.random()
        while p > limit:
            k += 1
            p *= self.rng.random()
        return k

    def amount(self, low_cents: int, high_cents: int, *, round_yuan: float = 0.4) -> int:
        """Log-uniform amount in cents (small purchases are common, big ones rare)."""
        cents = int(math.exp(self.rng.uniform(math.log(low_cents), math.log(high_cents))))
        if self.rng.random() < round_yuan:
            cents = max(100, cents - cents % 100)
        return cents

    def zh_name(self) -> str:
        """A Chinese name: a weighted surname and one or two given characters."""
        rng = self.rng
        surname = self._surnames[bisect(self._surname_cum, rng.random() * self._surname_cum[-1])]
        given = rng.choice(words.ZH_GIVEN_CHARS)
        if rng.random() < 0.7:
            given += rng.choice(words.ZH_GIVEN_CHARS)
        return surname + given

    def en_name(self) -> str:
        """An English-style name."""
        return f"{self.rng.choice(words.EN_GIVEN)} {self.rng.choice(words.EN_SURNAMES)}"

    def person_name(self, lang: str) -> str:
        """A name for a customer or counterparty; never one of the named customers'."""
        while True:
            name = self.zh_name() if lang == "zh" else self.en_name()
            if name not in self._reserved_names:
                return name
