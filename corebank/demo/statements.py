"""Statement lines: events booked forward from an opening balance, never overdrawn.

A payment that would overdraw the account is declined (left out), so
``balance_after_cents`` always chains and never goes negative; the last one is
the account's balance. The savings account books the sweeps the current
account actually made.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final

from corebank.demo import words
from corebank.demo.accounts import own_account
from corebank.demo.events import FIXED, INTEREST, TO_SAVINGS, CurrentAccountEvents
from corebank.demo.profiles import Profile
from corebank.demo.state import Batch

CURRENT_RATE_BP: Final = 10  # 0.10 % a year on demand deposits
SAVINGS_RATE_BP: Final = 80


class Statements(CurrentAccountEvents):
    """Books a year of lines on a customer's current and savings accounts."""

    def statements(
        self,
        batch: Batch,
        p: Profile,
        current: dict[str, Any],
        savings: dict[str, Any] | None,
        opening_cents: int,
        target_cents: int | None,
    ) -> None:
        """Generate, book and append both accounts' lines; set their balances.

        With ``target_cents`` the current account ends on exactly that balance
        (the named customers): the opening balance is solved for, and if the
        year's net inflow is too large a final transfer to savings absorbs it.
        """
        events = self.events(p, current, savings)
        rows, moved = self.book(current, events, opening_cents, CURRENT_RATE_BP)
        if target_cents is not None:
            rows, moved = self.hit_target(p, current, savings, rows, moved, target_cents)
        batch.transactions.extend(self.numbered(rows))
        if savings is not None:
            s_events = self.savings_events(p, savings, moved)
            s_opening = (
                int(p.income_cents * self.rng.uniform(0, 12))
                if savings["opened_on"] < self.cal.start
                else 0
            )
            s_rows, _ = self.book(savings, s_events, s_opening, SAVINGS_RATE_BP)
            batch.transactions.extend(self.numbered(s_rows))

    def numbered(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Give rows their ids in booking order, so (posted_at, id) order is booking order."""
        for row in rows:
            row["id"] = self.next_txn
            self.next_txn += 1
        return rows

    def savings_events(
        self, p: Profile, savings: dict[str, Any], moved: list[tuple[datetime, int]]
    ) -> list[tuple[Any, ...]]:
        """Sweeps in from the current account, interest, now and then a big payment out."""
        rng, cal, zh = self.rng, self.cal, p.lang == "zh"
        bank = words.BANK_ZH if zh else words.BANK_EN
        first_day = max(0, cal.index(savings["opened_on"]))
        out: list[tuple[Any, ...]] = []
        for posted_at, amount in moved:
            out.append(
                (
                    posted_at,
                    len(out),
                    FIXED,
                    amount,
                    "本人活期账户" if zh else "Own current account",
                    "活期转入" if zh else "Transfer from current account",
                    "mobile",
                    "savings",
                )
            )
        for _year, month, first, ndays in cal.months:
            if month in (3, 6, 9, 12) and ndays >= 21 and first + 20 >= first_day:
                out.append(
                    (
                        cal.at(first + 20, 3600),
                        len(out),
                        INTEREST,
                        0,
                        bank,
                        "结息" if zh else "Interest",
                        "system",
                        "interest",
                    )
                )
        if rng.random() < 0.15 and first_day < cal.days - 1:
            day = rng.randrange(max(first_day, 1), cal.days)
            reason = rng.choice(
                (
                    ("购车首付", "Car down payment"),
                    ("装修款", "Home renovation"),
                    ("学费", "Tuition"),
                )
            )
            out.append(
                (
                    cal.at(day, rng.randrange(10 * 3600, 16 * 3600)),
                    len(out),
                    FIXED,
                    -self.amount(1_000_000, 10_000_000, round_yuan=1.0),
                    self.person_name("zh"),
                    reason[0] if zh else reason[1],
                    "counter",
                    "transfer_out",
                )
            )
        return out

    def book(
        self, account: dict[str, Any], events: list[tuple[Any, ...]], opening: int, rate_bp: int
    ) -> tuple[list[dict[str, Any]], list[tuple[datetime, int]]]:
        """Apply events in time order; payments that would overdraw are declined (dropped).

        Returns the rows and the sweeps actually moved to savings, which the
        savings account then books on its side.
        """
        balance = opening
        rows: list[dict[str, Any]] = []
        moved: list[tuple[datetime, int]] = []
        aid = account["id"]
        events.sort(key=lambda e: (e[0], e[1]))
        for posted_at, _seq, kind, amount, cp, desc, channel, cat in events:
            if kind == TO_SAVINGS:
                spare = balance - 200_000  # keep 2,000 yuan on the current account
                amount = -(min(amount, spare) // 10_000 * 10_000) if spare >= 10_000 else 0
                if amount:
                    moved.append((posted_at, -amount))
            elif kind == INTEREST:
                amount = balance * rate_bp // 40_000
            if amount == 0 or balance + amount < 0:
                continue
            balance += amount
            rows.append(
                {
                    "account_id": aid,
                    "posted_at": posted_at,
                    "amount_cents": amount,
                    "currency": "CNY",
                    "counterparty": cp,
                    "description": desc,
                    "channel": channel,
                    "category": cat,
                    "balance_after_cents": balance,
                }
            )
        account["balance_cents"] = balance
        return rows, moved

    def hit_target(
        self,
        p: Profile,
        current: dict[str, Any],
        savings: dict[str, Any] | None,
        rows: list[dict[str, Any]],
        moved: list[tuple[datetime, int]],
        target: int,
    ) -> tuple[list[dict[str, Any]], list[tuple[datetime, int]]]:
        """Re-base booked rows so the account ends on ``target`` without ever going negative."""
        net, low = 0, 0
        for row in rows:
            net += row["amount_cents"]
            low = min(low, net)
        opening = target - net
        if opening + low < 0:  # too much came in: sweep the surplus out at the end
            surplus = -(opening + low)
            surplus = -(-surplus // 10_000) * 10_000  # whole hundreds of yuan, rounded up
            posted_at = (
                rows[-1]["posted_at"] + timedelta(minutes=7)
                if rows
                else self.cal.at(self.cal.days - 1, 43_200)
            )
            zh = p.lang == "zh"
            cp = own_account(savings, zh)
            if savings is not None:
                moved.append((posted_at, surplus))
            rows.append(
                {
                    "account_id": current["id"],
                    "posted_at": posted_at,
                    "amount_cents": -surplus,
                    "currency": "CNY",
                    "counterparty": cp,
                    "description": "转存至储蓄账户" if zh else "Transfer to savings",
                    "channel": "mobile",
                    "category": "savings",
                    "balance_after_cents": 0,  # set below
                }
            )
            opening = target - net + surplus
        balance = opening
        for row in rows:
            balance += row["amount_cents"]
            row["balance_after_cents"] = balance
        assert balance == target, (balance, target)
        current["balance_cents"] = balance
        return rows, moved

