"""Account rows: Luhn-valid account numbers by city and branch; balances come later."""

from __future__ import annotations

from datetime import date
from typing import Any

from corebank.demo import words
from corebank.demo.numbers import luhn_complete
from corebank.demo.state import Batch, DemoState


def own_account(savings: dict[str, Any] | None, zh: bool) -> str:
    """Counterparty of a sweep: the customer's savings account, else one at another bank."""
    if savings is None:
        return "本人他行账户" if zh else "Own account at another bank"
    tail = savings["number"][-4:]
    return f"本人储蓄账户 尾号{tail}" if zh else f"Own savings account ...{tail}"


class AccountRows(DemoState):
    """Makes accounts (their balance is whatever their statement books)."""

    def add_account(
        self, batch: Batch, customer_id: int, kind: str, city: int, opened_on: date
    ) -> dict[str, Any]:
        """Append an account row (balance filled in later); return the row."""
        aid = self.next_account
        self.next_account += 1
        branch = self.rng.randrange(len(words.CITIES[city].branches))
        payload = f"{city + 1:02d}{branch + 1:02d}{1 if kind == 'current' else 2}{aid:011d}"
        row = {
            "id": aid,
            "customer_id": customer_id,
            "type": kind,
            "currency": "CNY",
            "number": luhn_complete(payload),
            "balance_cents": 0,  # set once the statement has been generated
            "opened_on": opened_on,
        }
        batch.accounts.append(row)
        return row
