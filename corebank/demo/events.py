"""A year of what happens to a current account: pay, shopping, bills, transfers, interest.

An event is ``(posted_at, seq, kind, amount, counterparty, description,
channel, category)``; ``seq`` keeps the order of same-second events stable.
:mod:`corebank.demo.statements` books them.
"""

from __future__ import annotations

from bisect import bisect
from datetime import date
from typing import Any

from corebank.demo import words
from corebank.demo.accounts import own_account
from corebank.demo.calendar import SPRING_FESTIVAL
from corebank.demo.profiles import Profile
from corebank.demo.state import DemoState

FIXED, TO_SAVINGS, INTEREST = 0, 1, 2


class CurrentAccountEvents(DemoState):
    """Draws the current account's events for a profile."""

    def events(
        self, p: Profile, current: dict[str, Any], savings: dict[str, Any] | None
    ) -> list[tuple[Any, ...]]:
        """Everything that might happen to the current account, unsorted.

        An event is ``(posted_at, seq, kind, amount, counterparty, description,
        channel, category)``; ``seq`` keeps the order of same-second events stable.
        """
        rng, cal, zh = self.rng, self.cal, p.lang == "zh"
        bank = words.BANK_ZH if zh else words.BANK_EN
        out: list[tuple[Any, ...]] = []
        first_day = max(0, cal.index(current["opened_on"]))

        def add(
            day: int,
            secs: int,
            amount: int,
            cp: str,
            desc: str,
            channel: str,
            cat: str,
            kind: int = FIXED,
        ) -> None:
            if first_day <= day < cal.days:
                out.append((cal.at(day, secs), len(out), kind, amount, cp, desc, channel, cat))

        def hours(lo: int, hi: int) -> int:
            return rng.randrange(lo * 3600, hi * 3600)

        lo_merch = self.merchant_cum
        sweep_to = own_account(savings, zh)
        sweeps_from = 0 if savings is None else cal.index(savings["opened_on"])
        # Pensions go up a little each July.
        pension_rise = date(
            cal.today.year if cal.today > date(cal.today.year, 7, 1) else cal.today.year - 1, 7, 1
        )
        for year, month, first, ndays in cal.months:

            def on(day_of_month: int, first: int = first, ndays: int = ndays) -> int:
                return first + min(day_of_month, ndays) - 1

            full = ndays >= 28  # bills and pay only in whole months of the window
            # Income.
            if full and p.income_kind == "salary":
                amount = p.income_cents + rng.randrange(
                    -p.income_cents // 25, p.income_cents // 25 + 1
                )
                add(
                    on(p.payday),
                    hours(9, 12),
                    amount,
                    p.income_from[0 if zh else 1],
                    "代发工资" if zh else "Salary",
                    "payroll",
                    "salary",
                )
                if p.bonus and month == 1:
                    add(
                        on(p.payday) + 1,
                        hours(9, 12),
                        int(p.income_cents * rng.uniform(1, 3)),
                        p.income_from[0 if zh else 1],
                        "年终奖" if zh else "Year-end bonus",
                        "payroll",
                        "salary",
                    )
            elif full and p.income_kind == "pension":
                raise_factor = 1.02 if date(year, month, 1) >= pension_rise else 1.0
                add(
                    on(15),
                    hours(8, 10),
                    int(p.income_cents * raise_factor),
                    p.income_from[0 if zh else 1],
                    "养老金" if zh else "Pension",
                    "payroll",
                    "pension",
                )
            elif full and p.income_kind == "family":
                add(
                    on(p.payday),
                    hours(10, 22),
                    p.income_cents,
                    p.income_from[0],
                    "生活费" if zh else "Allowance",
                    "mobile",
                    "transfer_in",
                )
            # Savings sweep two days after payday (once the savings account exists).
            if full and p.savings_share > 0 and on(p.payday) + 2 >= sweeps_from:
                add(
                    on(p.payday) + 2,
                    hours(19, 23),
                    int(p.income_cents * p.savings_share),
                    sweep_to,
                    "转存至储蓄账户" if zh else "Transfer to savings",
                    "mobile",
                    "savings",
                    TO_SAVINGS,
                )
            # Card purchases.
            for _ in range(self.poisson(p.purchases_per_month * ndays / 30)):
                m = words.MERCHANTS[bisect(lo_merch, rng.random() * lo_merch[-1])]
                online = m.channel == "online"
                add(
                    first + rng.randrange(ndays),
                    hours(7, 24) if not online else hours(0, 24),
                    -self.amount(m.low * 100, m.high * 100),
                    m.zh if zh else m.en,
                    ("快捷支付" if online else "消费")
                    if zh
                    else ("Online payment" if online else "Card purchase"),
                    m.channel,
                    m.category,
                )
            # Bills.
            for bill in p.bills:
                if not full or month % bill.every:
                    continue
                factor = 1.0
                if bill.seasonal == "electricity" and month in (7, 8, 1):
                    factor = 1.6
                elif bill.seasonal == "gas" and month in (12, 1, 2):
                    factor = 1.8
                amount = (
                    bill.low
                    if bill.low == bill.high
                    else self.amount(bill.low, bill.high, round_yuan=0.0)
                )
                add(
                    on(bill.day),
                    hours(1, 6),
                    -int(amount * factor),
                    bill.zh if zh else bill.en,
                    "代扣缴费" if zh else "Direct debit",
                    "direct_debit",
                    "utilities",
                )
            if full and p.rent_cents:
                add(
                    on(p.rent_day),
                    hours(9, 22),
                    -p.rent_cents,
                    p.landlord,
                    "房租" if zh else "Rent",
                    "mobile",
                    "housing",
                )
            if full and p.mortgage_cents:
                add(
                    on(p.mortgage_day),
                    hours(1, 5),
                    -p.mortgage_cents,
                    f"{words.BANK_ZH}个人贷款中心" if zh else f"{words.BANK_EN} Personal Loans",
                    "房贷还款" if zh else "Mortgage repayment",
                    "direct_debit",
                    "loan",
                )
            if full and p.card_repay_cents:
                add(
                    on(p.card_repay_day),
                    hours(1, 5),
                    -int(p.card_repay_cents * rng.uniform(0.5, 1.5)),
                    f"{words.BANK_ZH}信用卡中心" if zh else f"{words.BANK_EN} Credit Card Centre",
                    "信用卡还款" if zh else "Credit card repayment",
                    "direct_debit",
                    "credit_card",
                )
            if full and p.sms_fee:
                add(
                    on(1),
                    hours(2, 4),
                    -200,
                    bank,
                    "短信通知服务费" if zh else "SMS alert fee",
                    "system",
                    "fees",
                )
            # Person-to-person transfers and cash.
            for _ in range(self.poisson(p.transfers_out_per_month * ndays / 30)):
                other = self.person_name(p.lang if rng.random() < 0.5 else "zh")
                add(
                    first + rng.randrange(ndays),
                    hours(8, 23),
                    -self.amount(5_000, 500_000, round_yuan=0.8),
                    other,
                    "转账" if zh else "Transfer",
                    "mobile",
                    "transfer_out",
                )
            for _ in range(self.poisson(p.transfers_in_per_month * ndays / 30)):
                other = self.person_name(p.lang if rng.random() < 0.5 else "zh")
                add(
                    first + rng.randrange(ndays),
                    hours(8, 23),
                    self.amount(5_000, 300_000, round_yuan=0.8),
                    other,
                    "转账" if zh else "Transfer",
                    "mobile",
                    "transfer_in",
                )
            for _ in range(self.poisson(p.atm_per_month * ndays / 30)):
                branch_zh, branch_en = rng.choice(p.city.branches)
                add(
                    first + rng.randrange(ndays),
                    hours(8, 22),
                    -100 * 100 * rng.randrange(1, 31),
                    f"{words.BANK_ZH}ATM {p.city.zh}{branch_zh}"
                    if zh
                    else f"{words.BANK_EN} ATM {p.city.en} {branch_en}",
                    "ATM取款" if zh else "ATM withdrawal",
                    "atm",
                    "cash",
                )
            # Spring Festival red packets.
            festival = SPRING_FESTIVAL.get(year)
            if festival and festival.month == month and zh and rng.random() < 0.5:
                add(
                    cal.index(festival) - rng.randrange(0, 3),
                    hours(9, 23),
                    -100 * rng.choice((200, 500, 1000, 2000)),
                    self.person_name("zh"),
                    "春节红包",
                    "mobile",
                    "transfer_out",
                )
            # Quarterly interest, settled on the 20th and paid on the 21st.
            if month in (3, 6, 9, 12) and ndays >= 21:
                add(
                    on(21),
                    hours(1, 2),
                    0,
                    bank,
                    "结息" if zh else "Interest",
                    "system",
                    "interest",
                    INTEREST,
                )
        return out
