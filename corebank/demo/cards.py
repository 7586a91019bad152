"""Card rows: Luhn-valid numbers, expiries, and the occasional lost, expired or frozen card."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from corebank.demo.calendar import end_of_month, years_before
from corebank.demo.numbers import CREDIT_BIN, DEBIT_BIN, luhn_complete, luhn_valid
from corebank.demo.state import Batch, DemoState


class CardRows(DemoState):
    """Makes cards: one per account and kind, with a plausible past."""

    def card_number(self, kind: str, taken_last4: set[str], ending: str | None = None) -> str:
        """A unique Luhn-valid number whose last4 is new for this customer."""
        bin_, length = (DEBIT_BIN, 19) if kind == "debit" else (CREDIT_BIN, 16)
        while True:
            if ending is None:
                body = "".join(str(self.rng.randrange(10)) for _ in range(length - len(bin_) - 1))
                number = luhn_complete(bin_ + body)
            else:
                middle = "".join(
                    str(self.rng.randrange(10)) for _ in range(length - len(bin_) - len(ending))
                )
                # Changing one digit walks the Luhn sum through all residues, so one fits.
                number = next(
                    n for d in "0123456789" if luhn_valid(n := bin_ + d + middle[1:] + ending)
                )
            if number not in self.card_numbers and number[-4:] not in taken_last4:
                self.card_numbers.add(number)
                taken_last4.add(number[-4:])
                return number

    # ---- rows -------------------------------------------------------------------

    def add_card(
        self,
        batch: Batch,
        customer_id: int,
        account_id: int,
        kind: str,
        taken_last4: set[str],
        *,
        issued: date,
        status: str = "active",
        ending: str | None = None,
        credit_limit_cents: int | None = None,
        frozen_at: datetime | None = None,
        expires_on: date | None = None,
    ) -> str:
        """Append a card row; return its last4."""
        number = self.card_number(kind, taken_last4, ending)
        years = 10 if kind == "debit" else 5
        batch.cards.append(
            {
                "id": self.next_card,
                "customer_id": customer_id,
                "account_id": account_id,
                "kind": kind,
                "number": number,
                "last4": number[-4:],
                "status": status,
                "frozen_at": frozen_at,
                "credit_limit_cents": credit_limit_cents,
                "expires_on": expires_on or end_of_month(years_before(issued, -years)),
            }
        )
        self.next_card += 1
        return number[-4:]

    # ---- one synthetic customer ---------------------------------------------------

    def cards_for(
        self,
        batch: Batch,
        cid: int,
        account: dict[str, Any],
        last4s: set[str],
        opened: date,
        *,
        debit: bool,
        credit_limit_cents: int | None = None,
    ) -> None:
        """One card, sometimes with an expired or lost predecessor, sometimes frozen."""
        rng, cal = self.rng, self.cal
        kind = "debit" if debit else "credit"
        life = 10 if debit else 5
        roll = rng.random()
        issued = max(opened, cal.start - timedelta(days=rng.randrange(30, 365 * 4)))
        if roll < 0.04:  # expired during the year; its replacement is the live card
            expired_on = end_of_month(cal.start + timedelta(days=rng.randrange(cal.days - 20)))
            self.add_card(
                batch,
                cid,
                account["id"],
                kind,
                last4s,
                issued=issued,
                status="expired",
                credit_limit_cents=credit_limit_cents,
                expires_on=expired_on,
            )
            issued = expired_on - timedelta(days=rng.randrange(5, 25))
        elif roll < 0.06:  # lost and replaced
            self.add_card(
                batch,
                cid,
                account["id"],
                kind,
                last4s,
                issued=issued,
                status="lost",
                credit_limit_cents=credit_limit_cents,
            )
            issued = cal.start + timedelta(days=rng.randrange(cal.days))
        status, frozen_at = "active", None
        if rng.random() < 0.03:
            status = "frozen"
            frozen_at = cal.at(cal.days - 1 - rng.randrange(90), rng.randrange(8 * 3600, 23 * 3600))
        expires = end_of_month(years_before(issued, -life))
        if expires < cal.today:  # never hand out a live card that is already past its date
            expires = end_of_month(years_before(cal.today, -rng.randrange(1, life)))
        self.add_card(
            batch,
            cid,
            account["id"],
            kind,
            last4s,
            issued=issued,
            status=status,
            credit_limit_cents=credit_limit_cents,
            frozen_at=frozen_at,
            expires_on=expires,
        )
