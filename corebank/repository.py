"""The one door the action server uses into the core-banking DB.

Everything here returns small frozen dataclasses, never ORM objects, so
nothing sensitive leaks by accident: cards and accounts come back as their
last four digits only, the ID number never leaves the database (only a yes/no
answer to "do these four digits match?"), and money is integer cents with a
:class:`~decimal.Decimal` view. Queries are SQLAlchemy expressions with bound
parameters; no SQL is ever built from what a customer typed.

The methods are synchronous (SQLAlchemy sessions); an async action calls them
through ``asyncio.to_thread`` or runs in rasa-sdk's executor.
"""

from __future__ import annotations

import enum
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, and_, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from common.text import halfwidth
from corebank.db import session_factory
from corebank.models import BANK_TZ
from corebank.models import Account as AccountRow
from corebank.models import Card as CardRow
from corebank.models import Customer as CustomerRow
from corebank.models import Transaction as TransactionRow
from corebank.money import cents_to_decimal

__all__ = [
    "MAX_PAGE",
    "Account",
    "Card",
    "CoreBankRepository",
    "Customer",
    "FreezeOutcome",
    "FreezeResult",
    "Transaction",
    "TransactionPage",
    "month_bounds",
    "normalise_phone",
]

MAX_PAGE = 50
"""Largest page ``recent_transactions`` hands out; a chat reply cannot show more."""

_PHONE_RE = re.compile(r"1[3-9]\d{9}")
_LAST4_RE = re.compile(r"[0-9]{3}[0-9X]")
# Compared against when the customer does not exist, so a miss costs what a hit costs.
_DUMMY_LAST4 = b"\x00\x00\x00\x00"


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Customer:
    """Who the customer is; enough to greet them and send a code to their phone."""

    id: int
    name: str
    phone: str
    language: str
    date_of_birth: date

    def age_on(self, day: date) -> int:
        """Age in whole years (the elderly get high handoff priority)."""
        before_birthday = (day.month, day.day) < (self.date_of_birth.month, self.date_of_birth.day)
        return day.year - self.date_of_birth.year - before_birthday


@dataclass(frozen=True, slots=True)
class Account:
    """A deposit account, identified to the customer by its last four digits."""

    id: int
    type: str
    currency: str
    number_last4: str
    balance_cents: int

    @property
    def balance(self) -> Decimal:
        """The balance in yuan, exact."""
        return cents_to_decimal(self.balance_cents)


@dataclass(frozen=True, slots=True)
class Card:
    """A card as the customer may see it: last four digits, never the full number."""

    id: int
    last4: str
    kind: str
    status: str
    account_last4: str
    expires_on: date
    frozen_at: datetime | None
    credit_limit_cents: int | None

    @property
    def credit_limit(self) -> Decimal | None:
        """The credit limit in yuan, or ``None`` for a debit card."""
        return (
            None if self.credit_limit_cents is None else cents_to_decimal(self.credit_limit_cents)
        )


@dataclass(frozen=True, slots=True)
class Transaction:
    """One statement line; ``amount_cents`` is negative for money going out."""

    id: int
    account_last4: str
    posted_at: datetime
    amount_cents: int
    currency: str
    counterparty: str
    description: str
    channel: str
    category: str
    balance_after_cents: int

    @property
    def amount(self) -> Decimal:
        """The signed amount in yuan, exact."""
        return cents_to_decimal(self.amount_cents)

    @property
    def local_time(self) -> datetime:
        """When it was posted, in the bank's (Beijing) time, as statements show it."""
        return self.posted_at.astimezone(BANK_TZ)


@dataclass(frozen=True, slots=True)
class TransactionPage:
    """A page of statement lines, newest first; ``has_more`` means another page exists."""

    items: tuple[Transaction, ...]
    has_more: bool
    offset: int
    limit: int

    @property
    def next_offset(self) -> int | None:
        """Offset of the next page, or ``None`` on the last one."""
        return self.offset + len(self.items) if self.has_more else None


class FreezeOutcome(enum.StrEnum):
    """What ``freeze_card`` did; the action picks its reply from this."""

    FROZEN = "frozen"
    ALREADY_FROZEN = "already_frozen"
    NOT_FREEZABLE = "not_freezable"  # lost or expired: already unusable
    NOT_FOUND = "not_found"  # no such card among *this customer's* cards
    CHOOSE_CARD = "choose_card"  # no last4 given and several cards could be meant


@dataclass(frozen=True, slots=True)
class FreezeResult:
    """The outcome, the card concerned (if one), and the cards to ask about (``CHOOSE_CARD``)."""

    outcome: FreezeOutcome
    card: Card | None = None
    candidates: tuple[Card, ...] = ()


# --------------------------------------------------------------------------- helpers


def normalise_phone(text: str) -> str | None:
    """A mainland mobile number as 11 digits, or ``None`` if ``text`` is not one.

    Accepts what people type: spaces, dashes, full-width digits, a ``+86`` /
    ``0086`` prefix.
    """
    digits = re.sub(r"[\s\-()]", "", halfwidth(text))
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == 11 + len(prefix):
            digits = digits[len(prefix) :]
            break
    return digits if _PHONE_RE.fullmatch(digits) else None


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """UTC ``[start, end)`` of the calendar month containing ``month``, in Beijing time.

    "October's transactions" means October as the customer lived it, so a
    purchase at 01:00 on 1 November Beijing time (17:00 UTC on 31 October)
    belongs to November.
    """
    start = datetime(month.year, month.month, 1, tzinfo=BANK_TZ)
    nxt = datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=BANK_TZ)
    return start.astimezone(UTC), nxt.astimezone(UTC)


def _cards_of(session: Session, customer_id: int) -> list[Card]:
    """The customer's cards (active first, debit before credit); full numbers never selected."""
    stmt = (
        select(
            CardRow.id,
            CardRow.last4,
            CardRow.kind,
            CardRow.status,
            AccountRow.number,
            CardRow.expires_on,
            CardRow.frozen_at,
            CardRow.credit_limit_cents,
        )
        .join(AccountRow, AccountRow.id == CardRow.account_id)
        .where(CardRow.customer_id == customer_id)
        .order_by(CardRow.status != "active", CardRow.kind != "debit", CardRow.id)
    )
    return [
        Card(
            id=r.id,
            last4=r.last4,
            kind=r.kind,
            status=r.status,
            account_last4=r.number[-4:],
            expires_on=r.expires_on,
            frozen_at=r.frozen_at,
            credit_limit_cents=r.credit_limit_cents,
        )
        for r in session.execute(stmt).all()
    ]


# What a Customer result is made of: never the ID number or its last four.
_CUSTOMER_COLUMNS = (
    CustomerRow.id,
    CustomerRow.name,
    CustomerRow.phone,
    CustomerRow.language,
    CustomerRow.date_of_birth,
)


# --------------------------------------------------------------------------- repository


class CoreBankRepository:
    """Read (and, for freezing, write) one customer's banking data.

    Apart from the phone lookup that starts verification, every method takes
    a ``customer_id`` and can only reach that customer's rows. Deciding that
    the person chatting *is* that customer (ID digits, one-time code, a fresh
    check before a freeze) stays the action's job (docs/requirements.md, rules 7-8).
    """

    def __init__(
        self,
        bind: Engine | sessionmaker[Session],
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """``bind``: an engine or session factory; ``clock``: "now", replaceable in tests."""
        self._sessions = session_factory(bind) if isinstance(bind, Engine) else bind
        self._clock = clock

    # ---- identity -------------------------------------------------------------

    def find_customer_by_phone(self, phone: str) -> Customer | None:
        """The customer registered with this mobile number, if any."""
        normalised = normalise_phone(phone)
        if normalised is None:
            return None
        stmt = select(*_CUSTOMER_COLUMNS).where(CustomerRow.phone == normalised)
        with self._sessions() as session:
            row = session.execute(stmt).first()
        return None if row is None else Customer(*row)

    def get_customer(self, customer_id: int) -> Customer | None:
        """The customer with this id (e.g. to re-load a verified session)."""
        stmt = select(*_CUSTOMER_COLUMNS).where(CustomerRow.id == customer_id)
        with self._sessions() as session:
            row = session.execute(stmt).first()
        return None if row is None else Customer(*row)

    def check_id_last4(self, customer_id: int, last4: str) -> bool:
        """Whether ``last4`` are the last four characters of the customer's ID number.

        The digits are compared in constant time, also when the customer does
        not exist, so response time does not reveal how many digits were
        right. (Limiting attempts is the caller's job.) A lower-case ``x``
        (the check character) counts as ``X``; full-width digits count too.
        """
        typed = halfwidth(last4).upper()
        candidate = typed.encode("ascii", "replace")
        stmt = select(CustomerRow.id_last4).where(CustomerRow.id == customer_id)
        with self._sessions() as session:
            stored = session.execute(stmt).scalar_one_or_none()
        expected = stored.encode("ascii") if stored is not None else _DUMMY_LAST4
        matches = hmac.compare_digest(candidate, expected)
        return matches and stored is not None and bool(_LAST4_RE.fullmatch(typed))

    def check_id_last4_digest(
        self, customer_id: int, given: str, make_digest: Callable[[str], str]
    ) -> bool:
        """Like :meth:`check_id_last4`, for the digest the gateway sent instead of the digits.

        `make_digest` turns the stored last four into the same keyed digest;
        the work is the same whether or not the customer exists.
        """
        stmt = select(CustomerRow.id_last4).where(CustomerRow.id == customer_id)
        with self._sessions() as session:
            stored = session.execute(stmt).scalar_one_or_none()
        expected = make_digest(stored if stored is not None else _DUMMY_LAST4.decode())
        matches = hmac.compare_digest(expected.encode(), given.encode())
        return matches and stored is not None

    # ---- accounts, cards, statements -------------------------------------------

    def accounts_for(self, customer_id: int) -> tuple[Account, ...]:
        """The customer's accounts, current before savings."""
        stmt = (
            select(
                AccountRow.id,
                AccountRow.type,
                AccountRow.currency,
                AccountRow.number,
                AccountRow.balance_cents,
            )
            .where(AccountRow.customer_id == customer_id)
            .order_by(AccountRow.type != "current", AccountRow.id)
        )
        with self._sessions() as session:
            rows = session.execute(stmt).all()
        return tuple(
            Account(
                id=r.id,
                type=r.type,
                currency=r.currency,
                number_last4=r.number[-4:],
                balance_cents=r.balance_cents,
            )
            for r in rows
        )

    def cards_for(self, customer_id: int) -> tuple[Card, ...]:
        """The customer's cards: active first, debit before credit."""
        with self._sessions() as session:
            return tuple(_cards_of(session, customer_id))

    def recent_transactions(
        self,
        customer_id: int,
        *,
        limit: int = 10,
        offset: int = 0,
        month: date | None = None,
        min_amount_cents: int | None = None,
        max_amount_cents: int | None = None,
        direction: str | None = None,
    ) -> TransactionPage:
        """A page of the customer's statement lines across all accounts, newest first.

        ``month``: any date in the wanted calendar month (Beijing time).
        ``min_amount_cents`` / ``max_amount_cents`` bound the *size* of the
        movement, in or out ("over 500 yuan" means either way); ``direction``
        (``"in"`` / ``"out"``) narrows it to credits or debits.
        """
        if not 1 <= limit <= MAX_PAGE:
            raise ValueError(f"limit must be between 1 and {MAX_PAGE}")
        if offset < 0:
            raise ValueError("offset must be >= 0")
        if (
            min_amount_cents is not None
            and max_amount_cents is not None
            and min_amount_cents > max_amount_cents
        ):
            raise ValueError("min_amount_cents is larger than max_amount_cents")
        if direction not in (None, "in", "out"):
            raise ValueError("direction must be 'in', 'out' or None")

        t = TransactionRow
        conditions = [AccountRow.customer_id == customer_id]
        if month is not None:
            start, end = month_bounds(month)
            conditions += [t.posted_at >= start, t.posted_at < end]
        size = func.abs(t.amount_cents)
        if min_amount_cents is not None:
            conditions.append(size >= min_amount_cents)
        if max_amount_cents is not None:
            conditions.append(size <= max_amount_cents)
        if direction == "in":
            conditions.append(t.amount_cents > 0)
        elif direction == "out":
            conditions.append(t.amount_cents < 0)

        stmt = (
            select(
                t.id,
                AccountRow.number,
                t.posted_at,
                t.amount_cents,
                t.currency,
                t.counterparty,
                t.description,
                t.channel,
                t.category,
                t.balance_after_cents,
            )
            .join(AccountRow, AccountRow.id == t.account_id)
            .where(and_(*conditions))
            .order_by(t.posted_at.desc(), t.id.desc())
            .limit(limit + 1)  # one extra row answers "is there another page?"
            .offset(offset)
        )
        with self._sessions() as session:
            rows = session.execute(stmt).all()
        items = tuple(
            Transaction(
                id=r[0],
                account_last4=r[1][-4:],
                posted_at=r[2],
                amount_cents=r[3],
                currency=r[4],
                counterparty=r[5],
                description=r[6],
                channel=r[7],
                category=r[8],
                balance_after_cents=r[9],
            )
            for r in rows[:limit]
        )
        return TransactionPage(items=items, has_more=len(rows) > limit, offset=offset, limit=limit)

    # ---- the one write ---------------------------------------------------------

    def freeze_card(self, customer_id: int, last4: str | None = None) -> FreezeResult:
        """Freeze one of the customer's cards.

        With ``last4`` only that card of *this* customer is touched; another
        customer's card with the same digits is ``NOT_FOUND``. Without it, the
        customer's single usable card is frozen, or ``CHOOSE_CARD`` lists the
        candidates when there are several. The update is conditional on the
        card still being active, so two concurrent freezes cannot both "win".
        Whether the customer was freshly re-verified (docs/requirements.md, rule 8) is for
        the caller to check first.
        """
        wanted = None if last4 is None else halfwidth(last4)
        with self._sessions.begin() as session:
            cards = _cards_of(session, customer_id)
            if wanted is None:
                usable = [c for c in cards if c.status in ("active", "frozen")]
                if not usable:
                    return FreezeResult(FreezeOutcome.NOT_FOUND, candidates=tuple(cards))
                if len(usable) > 1:
                    return FreezeResult(FreezeOutcome.CHOOSE_CARD, candidates=tuple(usable))
                target = usable[0]
            else:
                matching = [c for c in cards if c.last4 == wanted]
                if not matching:
                    return FreezeResult(FreezeOutcome.NOT_FOUND, candidates=tuple(cards))
                target = matching[0]  # (customer_id, last4) is unique

            if target.status == "frozen":
                return FreezeResult(FreezeOutcome.ALREADY_FROZEN, card=target)
            if target.status != "active":
                return FreezeResult(FreezeOutcome.NOT_FREEZABLE, card=target)

            result = session.execute(
                update(CardRow)
                .where(
                    CardRow.id == target.id,
                    CardRow.customer_id == customer_id,
                    CardRow.status == "active",
                )
                .values(status="frozen", frozen_at=self._clock())
                .execution_options(synchronize_session=False)
            )
            changed = (
                cast(CursorResult[Any], result).rowcount == 1
            )  # 0: someone froze it between our read and write
            card = next(c for c in _cards_of(session, customer_id) if c.id == target.id)
        if changed:
            return FreezeResult(FreezeOutcome.FROZEN, card=card)
        outcome = (
            FreezeOutcome.ALREADY_FROZEN if card.status == "frozen" else FreezeOutcome.NOT_FREEZABLE
        )
        return FreezeResult(outcome, card=card)
