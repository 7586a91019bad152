"""How a synthetic customer earns and spends: the habits the statement generator reads."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from corebank.demo import words
from corebank.demo.state import DemoState


@dataclass(slots=True)
class Bill:
    """A recurring direct debit; ``low == high`` means a fixed plan."""

    zh: str
    en: str
    every: int  # months
    day: int
    low: int  # cents
    high: int  # cents
    seasonal: str = ""


@dataclass(slots=True)
class Profile:
    """How one customer earns and spends; the event generator reads only this."""

    lang: str
    city: words.City
    age: int
    income_kind: str  # salary | pension | family | none
    income_cents: int
    payday: int
    income_from: tuple[str, str]
    purchases_per_month: float
    bills: list[Bill] = field(default_factory=list)
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


class Profiles(DemoState):
    """Draws random but plausible habits."""

    def profile(self, lang: str, city: words.City, age: int) -> Profile:
        """Random but plausible habits: income by age, bills, housing, activity levels."""
        rng = self.rng
        employer = rng.choice(words.EMPLOYERS)
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
        p = Profile(
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
        for u in words.UTILITIES:
            if rng.random() < u.share:
                low, high = u.low * 100, u.high * 100
                if u.key in ("mobile", "mobile_unicom", "broadband", "property"):
                    low = high = self.amount(low, high, round_yuan=1.0)  # a fixed plan
                seasonal = u.key if u.key in ("electricity", "gas") else ""
                p.bills.append(
                    Bill(u.zh, u.en, u.every, rng.randrange(1, 28), low, high, seasonal)
                )
        if rng.random() < 0.4:  # water, billed every other month by the city's utility
            p.bills.append(
                Bill(
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
