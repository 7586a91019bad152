"""Synthetic customers, accounts, cards and a year of statement lines, as rows.

Pure Python, no database: :mod:`corebank.demo.seed` feeds these rows to bulk
inserts. Every choice comes from the ``random.Random`` handed in and every
date from a :class:`~corebank.demo.calendar.Calendar` built on a fixed
"today", so the same inputs always give the same rows. Each kind of row has
its own module; this one puts a whole customer together.
"""

from __future__ import annotations

from datetime import timedelta

from corebank.demo import words
from corebank.demo.accounts import AccountRows
from corebank.demo.calendar import years_before
from corebank.demo.cards import CardRows
from corebank.demo.customers import CustomerRows
from corebank.demo.named import NAMED_HABITS, NamedCustomer
from corebank.demo.profiles import Bill, Profile, Profiles
from corebank.demo.state import Batch
from corebank.demo.statements import Statements

__all__ = ["Generator"]


class Generator(CustomerRows, AccountRows, CardRows, Profiles, Statements):
    """Turns a ``random.Random`` into rows; owns the id counters and uniqueness sets."""

    def synthetic_customer(self, batch: Batch) -> None:
        """Append one random customer with accounts, cards and a year of statements."""
        rng, cal = self.rng, self.cal
        city_index = rng.randrange(len(words.CITIES))
        city = words.CITIES[city_index]
        english = rng.random() < 0.12
        lang = "en" if english or rng.random() < 0.02 else "zh"
        name = self.person_name("en" if english else "zh")
        age = rng.choices((20, 30, 40, 52, 67, 80), weights=(12, 24, 22, 24, 14, 4))[0]
        age += rng.randrange(-2, 6) if age < 80 else rng.randrange(0, 9)
        dob = cal.today - timedelta(days=age * 365 + rng.randrange(365))
        region = rng.choice(city.regions) if rng.random() < 0.7 else rng.choice(words.OTHER_REGIONS)
        cid = self.add_customer(
            batch,
            name=name,
            phone=self.phone(),
            id_number=self.id_number(region, dob),
            lang=lang,
            dob=dob,
        )
        profile = self.profile(lang, city, age)

        adult = years_before(dob, -18)
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


    def named_customer(self, batch: Batch, spec: NamedCustomer) -> None:
        """张伟 / Emily Chen: fixed identity, cards and balance; a modest, fixed history."""
        cal = self.cal
        habits = NAMED_HABITS[spec.id]
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
        issued = years_before(cal.today, 2)
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
        electricity = words.UTILITIES[0]
        profile = Profile(
            lang=spec.language,
            city=words.CITIES[habits.city],
            age=cal.today.year - spec.date_of_birth.year,
            income_kind="salary",
            income_cents=habits.salary_cents,
            payday=habits.payday,
            income_from=words.EMPLOYERS[habits.employer],
            purchases_per_month=0.9,
            bills=[Bill(electricity.zh, electricity.en, 2, 6, 12_000, 45_000, "electricity")],
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
