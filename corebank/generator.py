"""Synthetic customers, accounts, cards and a year of statement lines, as rows.

Pure Python, no database: :mod:`corebank.seed` feeds these rows to bulk
inserts. Every choice comes from the ``random.Random`` handed in and every date
from a :class:`Calendar` built on a fixed "today", so the same inputs always
give the same rows.

Statement lines are booked forward in time from an opening balance, and a
payment that would overdraw the account is declined (left out), so
``balance_after_cents`` always chains and never goes negative; the last one is
the account's balance.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from typing import Any, Final

from corebank import demo_data as dd
from corebank.models import BANK_TZ

__all__ = [
    "NAMED_CUSTOMERS",
    "Batch",
    "Calendar",
    "Generator",
    "NamedCustomer",
    "id_checksum",
    "luhn_valid",
]

_DEBIT_BIN: Final = "628888"  # 19-digit UnionPay debit cards of the (fictional) Harbour Bank
_CREDIT_BIN: Final = "625888"  # 16-digit UnionPay credit cards
# Real mainland mobile prefixes, so numbers look right to a Chinese eye.
_MOBILE_PREFIXES: Final = tuple(
    str(p)
    for p in (
        *range(130, 140),
        *range(150, 160),
        166,
        176,
        177,
        178,
        *range(180, 190),
        191,
        198,
        199,
    )
    if p not in (134, 154, 184)
)
_ID_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# Lunar New Year's day, when red packets fly.
_SPRING_FESTIVAL: Final = {
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
}


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
"""张伟 and Emily Chen from DESIGN.md; they get ids 1 and 2 and a fixed history."""


@dataclass(frozen=True, slots=True)
class _NamedHabits:
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


_NAMED_HABITS: Final = {
    1: _NamedHabits(
        city=3,
        employer=0,
        opened=date(2015, 6, 1),
        salary_cents=1_856_000,
        payday=10,
        savings_account=True,
        sweep_share=0.7,
    ),
    2: _NamedHabits(
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


def id_checksum(first17: str) -> str:
    """Check character of a resident ID number (GB 11643, ISO 7064 MOD 11-2)."""
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def _luhn_sum(digits: str) -> int:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total


def luhn_valid(number: str) -> bool:
    """Whether a card number passes the Luhn check, as real card numbers do."""
    return number.isdigit() and _luhn_sum(number) % 10 == 0


def _luhn_complete(payload: str) -> str:
    """``payload`` plus the check digit that makes it Luhn-valid."""
    return payload + str((10 - _luhn_sum(payload + "0")) % 10)


# --------------------------------------------------------------------------- dates


def _month_start(day: date, back: int) -> date:
    """First day of the month ``back`` months before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def _years_before(day: date, years: int) -> date:
    """Same day ``years`` earlier (later if negative); 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _end_of_month(day: date) -> date:
    """Last day of ``day``'s month (cards expire at the end of a month)."""
    return _month_start(day, -1) - timedelta(days=1)


class Calendar:
    """The demo year as day indexes, with each local midnight precomputed in UTC."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.start = _years_before(today, 1)
        self.days = (today - self.start).days
        self.midnight_utc = [
            datetime.combine(
                self.start + timedelta(days=i), datetime.min.time(), BANK_TZ
            ).astimezone(UTC)
            for i in range(self.days + 1)
        ]
        # (year, month, first day index, days in window) for every month touched.
        self.months: list[tuple[int, int, int, int]] = []
        day = self.start
        while day < today:
            nxt = min(_month_start(day, -1), today)
            self.months.append((day.year, day.month, (day - self.start).days, (nxt - day).days))
            day = nxt

    def index(self, day: date) -> int:
        """Day index of ``day`` (negative before the window)."""
        return (day - self.start).days

    def at(self, index: int, seconds: int) -> datetime:
        """UTC instant ``seconds`` after local midnight of day ``index``."""
        return self.midnight_utc[index] + timedelta(seconds=seconds)


# --------------------------------------------------------------------------- profiles


@dataclass(slots=True)
class _Bill:
    """A recurring direct debit; ``low == high`` means a fixed plan."""

    zh: str
    en: str
    every: int  # months
    day: int
    low: int  # cents
    high: int  # cents
    seasonal: str = ""


@dataclass(slots=True)
class _Profile:
    """How one customer earns and spends; the event generator reads only this."""

    lang: str
    city: dd.City
    age: int
    income_kind: str  # salary | pension | family | none
    income_cents: int
    payday: int
    income_from: tuple[str, str]
    purchases_per_month: float
    bills: list[_Bill] = field(default_factory=list)
    rent_cents: int = 0
    rent_day: int = 1
    landlord: str = ""
    mortgage_cents: int = 0
    mortgage_day: int = 1
    transfers_out_per_month: float = 0.8
    transfers_in_per_month: float = 0.3
    atm_per_month: float = 0.4
    sms_fee: bool = False
    savings_share: float = 0.0  # of income moved to savings after payday
    card_repay_cents: int = 0
    card_repay_day: int = 25
    bonus: bool = False


_K_FIXED, _K_TO_SAVINGS, _K_INTEREST = 0, 1, 2
_CURRENT_RATE_BP: Final = 10  # 0.10 % a year on demand deposits
_SAVINGS_RATE_BP: Final = 80


@dataclass(slots=True)
class Batch:
    """Rows for one insert transaction, as dicts ready for ``executemany``."""

    customers: list[dict[str, Any]] = field(default_factory=list)
    accounts: list[dict[str, Any]] = field(default_factory=list)
    cards: list[dict[str, Any]] = field(default_factory=list)
    transactions: list[dict[str, Any]] = field(default_factory=list)


def _own_account(savings: dict[str, Any] | None, zh: bool) -> str:
    """Counterparty of a sweep: the customer's savings account, else one at another bank."""
    if savings is None:
        return "本人他行账户" if zh else "Own account at another bank"
    tail = savings["number"][-4:]
    return f"本人储蓄账户 尾号{tail}" if zh else f"Own savings account ...{tail}"


class Generator:
    """Turns a ``random.Random`` into rows; owns the id counters and uniqueness sets."""

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
        self._surnames = [s for s, _ in dd.ZH_SURNAMES]
        self._surname_cum = list(accumulate(w for _, w in dd.ZH_SURNAMES))
        self._merchant_cum = list(accumulate(m.weight for m in dd.MERCHANTS))
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
        given = rng.choice(dd.ZH_GIVEN_CHARS)
        if rng.random() < 0.7:
            given += rng.choice(dd.ZH_GIVEN_CHARS)
        return surname + given

    def en_name(self) -> str:
        """An English-style name."""
        return f"{self.rng.choice(dd.EN_GIVEN)} {self.rng.choice(dd.EN_SURNAMES)}"

    def person_name(self, lang: str) -> str:
        """A name for a customer or counterparty; never one of the named customers'."""
        while True:
            name = self.zh_name() if lang == "zh" else self.en_name()
            if name not in self._reserved_names:
                return name

    def phone(self) -> str:
        """A unique 11-digit mobile number (never a named customer's)."""
        while True:
            number = self.rng.choice(_MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def id_number(self, region: str, dob: date) -> str:
        """A unique 18-character resident ID with a valid check character."""
        while True:
            first17 = f"{region}{dob:%Y%m%d}{self.rng.randrange(1, 1000):03d}"
            number = first17 + id_checksum(first17)
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number

    def card_number(self, kind: str, taken_last4: set[str], ending: str | None = None) -> str:
        """A unique Luhn-valid number whose last4 is new for this customer."""
        bin_, length = (_DEBIT_BIN, 19) if kind == "debit" else (_CREDIT_BIN, 16)
        while True:
            if ending is None:
                body = "".join(str(self.rng.randrange(10)) for _ in range(length - len(bin_) - 1))
                number = _luhn_complete(bin_ + body)
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

    def add_customer(
        self, batch: Batch, *, name: str, phone: str, id_number: str, lang: str, dob: date
    ) -> int:
        """Append a customer row; return its id."""
        cid = self.next_customer
        self.next_customer += 1
        batch.customers.append(
            {
                "id": cid,
                "name": name,
                "phone": phone,
                "id_number": id_number,
                "id_last4": id_number[-4:],
                "language": lang,
                "date_of_birth": dob,
            }
        )
        return cid

    def add_account(
        self, batch: Batch, customer_id: int, kind: str, city: int, opened_on: date
    ) -> dict[str, Any]:
        """Append an account row (balance filled in later); return the row."""
        aid = self.next_account
        self.next_account += 1
        branch = self.rng.randrange(len(dd.CITIES[city].branches))
        payload = f"{city + 1:02d}{branch + 1:02d}{1 if kind == 'current' else 2}{aid:011d}"
        row = {
            "id": aid,
            "customer_id": customer_id,
            "type": kind,
            "currency": "CNY",
            "number": _luhn_complete(payload),
            "balance_cents": 0,  # set once the statement has been generated
            "opened_on": opened_on,
        }
        batch.accounts.append(row)
        return row

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
                "expires_on": expires_on or _end_of_month(_years_before(issued, -years)),
            }
        )
        self.next_card += 1
        return number[-4:]

    # ---- one synthetic customer ---------------------------------------------------

    def synthetic_customer(self, batch: Batch) -> None:
        """Append one random customer with accounts, cards and a year of statements."""
        rng, cal = self.rng, self.cal
        city_index = rng.randrange(len(dd.CITIES))
        city = dd.CITIES[city_index]
        english = rng.random() < 0.12
        lang = "en" if english or rng.random() < 0.02 else "zh"
        name = self.person_name("en" if english else "zh")
        age = rng.choices((20, 30, 40, 52, 67, 80), weights=(12, 24, 22, 24, 14, 4))[0]
        age += rng.randrange(-2, 6) if age < 80 else rng.randrange(0, 9)
        dob = cal.today - timedelta(days=age * 365 + rng.randrange(365))
        region = rng.choice(city.regions) if rng.random() < 0.7 else rng.choice(dd.OTHER_REGIONS)
        cid = self.add_customer(
            batch,
            name=name,
            phone=self.phone(),
            id_number=self.id_number(region, dob),
            lang=lang,
            dob=dob,
        )
        profile = self.profile(lang, city, age)

        adult = _years_before(dob, -18)
        if rng.random() < 0.08:  # a new customer: opened during the demo year
            opened = cal.start + timedelta(days=rng.randrange(cal.days - 30))
        else:
            span = max(1, (cal.start - adult).days)
            opened = adult + timedelta(days=rng.randrange(span))
        current = self.add_account(batch, cid, "current", city_index, opened)
        savings = None
        if profile.income_kind != "none" and rng.random() < 0.6:
            savings_opened = opened + timedelta(days=rng.randrange(1, 400))
            latest = cal.today - timedelta(days=30)
            savings = self.add_account(
                batch, cid, "savings", city_index, min(savings_opened, latest)
            )
        else:
            profile.savings_share = 0.0

        last4s: set[str] = set()
        self.cards_for(batch, cid, current, last4s, opened, debit=True)
        if savings is not None and rng.random() < 0.15:
            self.cards_for(batch, cid, savings, last4s, savings["opened_on"], debit=True)
        if profile.income_kind == "salary" and rng.random() < min(
            0.85, 0.25 + profile.income_cents / 3_000_000
        ):
            limit = profile.income_cents * rng.uniform(1.5, 5.0)
            limit_cents = int(min(20_000_000, max(500_000, round(limit / 100_000) * 100_000)))
            self.cards_for(
                batch, cid, current, last4s, opened, debit=False, credit_limit_cents=limit_cents
            )
            profile.card_repay_cents = int(limit_cents * rng.uniform(0.04, 0.25))
            profile.card_repay_day = rng.randrange(18, 28)

        current_opening = int(profile.income_cents * rng.uniform(0.2, 2.5)) + rng.randrange(50_000)
        self.statements(batch, profile, current, savings, current_opening, None)

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
            expired_on = _end_of_month(cal.start + timedelta(days=rng.randrange(cal.days - 20)))
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
        expires = _end_of_month(_years_before(issued, -life))
        if expires < cal.today:  # never hand out a live card that is already past its date
            expires = _end_of_month(_years_before(cal.today, -rng.randrange(1, life)))
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

    def profile(self, lang: str, city: dd.City, age: int) -> _Profile:
        """Random but plausible habits: income by age, bills, housing, activity levels."""
        rng = self.rng
        employer = rng.choice(dd.EMPLOYERS)
        if age >= 60 and rng.random() < 0.9:
            kind, income = "pension", int(rng.lognormvariate(math.log(380_000), 0.35))
            source = ("社会保险基金 养老金", "Social Security Fund - pension")
        elif age < 23 and rng.random() < 0.6:
            kind, income = "family", rng.choice((150_000, 200_000, 250_000, 300_000))
            source = ("", "")
        elif rng.random() < 0.93:
            kind, income = "salary", int(rng.lognormvariate(math.log(950_000), 0.5))
            income = max(250_000, min(income, 8_000_000))
            source = employer
        else:
            kind, income, source = "none", 0, ("", "")
        p = _Profile(
            lang=lang,
            city=city,
            age=age,
            income_kind=kind,
            income_cents=income,
            payday=rng.choice((5, 8, 10, 10, 15, 15, 20, 25)),
            income_from=source,
            purchases_per_month=min(8.0, rng.lognormvariate(math.log(2.2), 0.6)),
            transfers_out_per_month=rng.uniform(0.1, 1.0),
            transfers_in_per_month=rng.uniform(0.0, 0.6),
            atm_per_month=rng.uniform(0.6, 1.6) if age >= 60 else rng.uniform(0.0, 0.6),
            sms_fee=rng.random() < 0.2,
            savings_share=rng.uniform(0.1, 0.4),
            bonus=kind == "salary" and rng.random() < 0.4,
        )
        if kind == "family":
            p.income_from = (self.person_name("zh"), self.person_name("zh"))
        for u in dd.UTILITIES:
            if rng.random() < u.share:
                low, high = u.low * 100, u.high * 100
                if u.key in ("mobile", "mobile_unicom", "broadband", "property"):
                    low = high = self.amount(low, high, round_yuan=1.0)  # a fixed plan
                seasonal = u.key if u.key in ("electricity", "gas") else ""
                p.bills.append(
                    _Bill(u.zh, u.en, u.every, rng.randrange(1, 28), low, high, seasonal)
                )
        if rng.random() < 0.4:  # water, billed every other month by the city's utility
            p.bills.append(
                _Bill(
                    f"{p.city.water_zh} 水费",
                    p.city.water_en,
                    2,
                    rng.randrange(1, 28),
                    2_000,
                    15_000,
                )
            )
        if age < 40 and rng.random() < 0.35 and kind != "none":
            p.rent_cents = int(max(80_000, income * rng.uniform(0.2, 0.4))) // 10_000 * 10_000
            p.rent_day = rng.randrange(1, 6)
            p.landlord = self.person_name("zh")
        elif 28 <= age < 60 and kind == "salary" and rng.random() < 0.35:
            p.mortgage_cents = int(income * rng.uniform(0.2, 0.45))
            p.mortgage_day = rng.randrange(1, 28)
        return p

    # ---- a year of statement lines ------------------------------------------------

    def statements(
        self,
        batch: Batch,
        p: _Profile,
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
        rows, moved = self.book(current, events, opening_cents, _CURRENT_RATE_BP)
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
            s_rows, _ = self.book(savings, s_events, s_opening, _SAVINGS_RATE_BP)
            batch.transactions.extend(self.numbered(s_rows))

    def numbered(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Give rows their ids in booking order, so (posted_at, id) order is booking order."""
        for row in rows:
            row["id"] = self.next_txn
            self.next_txn += 1
        return rows

    def events(
        self, p: _Profile, current: dict[str, Any], savings: dict[str, Any] | None
    ) -> list[tuple[Any, ...]]:
        """Everything that might happen to the current account, unsorted.

        An event is ``(posted_at, seq, kind, amount, counterparty, description,
        channel, category)``; ``seq`` keeps the order of same-second events stable.
        """
        rng, cal, zh = self.rng, self.cal, p.lang == "zh"
        bank = dd.BANK_ZH if zh else dd.BANK_EN
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
            kind: int = _K_FIXED,
        ) -> None:
            if first_day <= day < cal.days:
                out.append((cal.at(day, secs), len(out), kind, amount, cp, desc, channel, cat))

        def hours(lo: int, hi: int) -> int:
            return rng.randrange(lo * 3600, hi * 3600)

        lo_merch = self._merchant_cum
        sweep_to = _own_account(savings, zh)
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
                    _K_TO_SAVINGS,
                )
            # Card purchases.
            for _ in range(self.poisson(p.purchases_per_month * ndays / 30)):
                m = dd.MERCHANTS[bisect(lo_merch, rng.random() * lo_merch[-1])]
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
                    f"{dd.BANK_ZH}个人贷款中心" if zh else f"{dd.BANK_EN} Personal Loans",
                    "房贷还款" if zh else "Mortgage repayment",
                    "direct_debit",
                    "loan",
                )
            if full and p.card_repay_cents:
                add(
                    on(p.card_repay_day),
                    hours(1, 5),
                    -int(p.card_repay_cents * rng.uniform(0.5, 1.5)),
                    f"{dd.BANK_ZH}信用卡中心" if zh else f"{dd.BANK_EN} Credit Card Centre",
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
                    f"{dd.BANK_ZH}ATM {p.city.zh}{branch_zh}"
                    if zh
                    else f"{dd.BANK_EN} ATM {p.city.en} {branch_en}",
                    "ATM取款" if zh else "ATM withdrawal",
                    "atm",
                    "cash",
                )
            # Spring Festival red packets.
            festival = _SPRING_FESTIVAL.get(year)
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
                    _K_INTEREST,
                )
        return out

    def savings_events(
        self, p: _Profile, savings: dict[str, Any], moved: list[tuple[datetime, int]]
    ) -> list[tuple[Any, ...]]:
        """Sweeps in from the current account, interest, now and then a big payment out."""
        rng, cal, zh = self.rng, self.cal, p.lang == "zh"
        bank = dd.BANK_ZH if zh else dd.BANK_EN
        first_day = max(0, cal.index(savings["opened_on"]))
        out: list[tuple[Any, ...]] = []
        for posted_at, amount in moved:
            out.append(
                (
                    posted_at,
                    len(out),
                    _K_FIXED,
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
                        _K_INTEREST,
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
                    _K_FIXED,
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
            if kind == _K_TO_SAVINGS:
                spare = balance - 200_000  # keep 2,000 yuan on the current account
                amount = -(min(amount, spare) // 10_000 * 10_000) if spare >= 10_000 else 0
                if amount:
                    moved.append((posted_at, -amount))
            elif kind == _K_INTEREST:
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
        p: _Profile,
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
            cp = _own_account(savings, zh)
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

    # ---- the two named customers ----------------------------------------------------

    def named_customer(self, batch: Batch, spec: NamedCustomer) -> None:
        """张伟 / Emily Chen: fixed identity, cards and balance; a modest, fixed history."""
        cal = self.cal
        habits = _NAMED_HABITS[spec.id]
        assert self.next_customer == spec.id, "named customers are seeded first"
        cid = self.add_customer(
            batch,
            name=spec.name,
            phone=spec.phone,
            id_number=spec.id_number,
            lang=spec.language,
            dob=spec.date_of_birth,
        )
        current = self.add_account(batch, cid, "current", habits.city, habits.opened)
        savings = (
            self.add_account(batch, cid, "savings", habits.city, habits.opened)
            if habits.savings_account
            else None
        )
        last4s: set[str] = set()
        issued = _years_before(cal.today, 2)
        self.add_card(
            batch, cid, current["id"], "debit", last4s, issued=issued, ending=spec.debit_last4
        )
        self.add_card(
            batch,
            cid,
            current["id"],
            "credit",
            last4s,
            issued=issued,
            ending=spec.credit_last4,
            credit_limit_cents=spec.credit_limit_cents,
        )
        electricity = dd.UTILITIES[0]
        profile = _Profile(
            lang=spec.language,
            city=dd.CITIES[habits.city],
            age=cal.today.year - spec.date_of_birth.year,
            income_kind="salary",
            income_cents=habits.salary_cents,
            payday=habits.payday,
            income_from=dd.EMPLOYERS[habits.employer],
            purchases_per_month=0.9,
            bills=[_Bill(electricity.zh, electricity.en, 2, 6, 12_000, 45_000, "electricity")],
            rent_cents=habits.rent_cents,
            rent_day=3,
            landlord=self.person_name("zh"),
            mortgage_cents=habits.mortgage_cents,
            mortgage_day=18,
            transfers_out_per_month=0.2,
            transfers_in_per_month=0.05,
            atm_per_month=0.1,
            savings_share=habits.sweep_share,
            card_repay_cents=spec.credit_limit_cents // 10,
            card_repay_day=22,
        )
        self.statements(batch, profile, current, savings, 500_000, spec.balance_cents)
