"""corebank.repository, on SQLite and on PostgreSQL (each test gets a fresh database)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, update

from corebank.db import make_engine
from corebank.demo.named import NAMED_CUSTOMERS
from corebank.demo.seed import seed
from corebank.models import Account, Base, Card, Customer, Transaction
from corebank.repository import (
    MAX_PAGE,
    CoreBankRepository,
    FreezeOutcome,
    month_bounds,
    normalise_phone,
)

ZHANG, EMILY = NAMED_CUSTOMERS
SMALL = 20  # as in conftest's ``seeded``


# --------------------------------------------------------------------------- identity


@pytest.mark.parametrize(
    "typed",
    ["13800138000", " 138 0013 8000 ", "138-0013-8000", "+86 13800138000", "008613800138000"],
)
def test_find_customer_by_phone(repo: CoreBankRepository, typed: str) -> None:
    customer = repo.find_customer_by_phone(typed)
    assert customer is not None
    assert (customer.id, customer.name, customer.phone, customer.language) == (
        ZHANG.id,
        "张伟",
        "13800138000",
        "zh",
    )


def test_find_customer_by_phone_misses(repo: CoreBankRepository) -> None:
    assert repo.find_customer_by_phone("13800138001") is None
    assert repo.find_customer_by_phone("12345") is None
    assert repo.find_customer_by_phone("' OR 1=1 --") is None


def test_customer_result_carries_no_id_number(repo: CoreBankRepository) -> None:
    customer = repo.find_customer_by_phone(EMILY.phone)
    assert customer is not None
    assert customer.language == "en"
    names = {f.name for f in dataclasses.fields(customer)}
    assert not names & {"id_number", "id_last4"}
    assert EMILY.id_number not in repr(customer)
    assert customer.age_on(date(2026, 7, 27)) == 33
    assert customer.age_on(date(2026, 7, 28)) == 34


def test_check_id_last4(repo: CoreBankRepository) -> None:
    assert repo.check_id_last4(ZHANG.id, "1234") is True
    assert repo.check_id_last4(ZHANG.id, " 1234 ") is True
    assert repo.check_id_last4(ZHANG.id, "4321") is False
    assert repo.check_id_last4(ZHANG.id, "5678") is False  # Emily's digits
    assert repo.check_id_last4(EMILY.id, "5678") is True
    assert repo.check_id_last4(999_999, "1234") is False
    assert repo.check_id_last4(ZHANG.id, "") is False
    assert repo.check_id_last4(ZHANG.id, "１２３４") is True  # full-width, as IMEs type them
    assert repo.check_id_last4(ZHANG.id, "12345") is False
    assert repo.check_id_last4(ZHANG.id, "123") is False


def test_check_id_last4_accepts_lowercase_x(seeded: Engine, repo: CoreBankRepository) -> None:
    with seeded.begin() as conn:
        conn.execute(update(Customer).where(Customer.id == 3).values(id_last4="123X"))
    assert repo.check_id_last4(3, "123x") is True
    assert repo.check_id_last4(3, "1230") is False


# --------------------------------------------------------------------------- accounts, cards


def test_accounts_for(repo: CoreBankRepository) -> None:
    accounts = repo.accounts_for(ZHANG.id)
    assert [a.type for a in accounts] == ["current", "savings"]
    assert accounts[0].balance_cents == 1_234_567
    assert accounts[0].balance == Decimal("12345.67")
    assert accounts[0].currency == "CNY"
    assert all(len(a.number_last4) == 4 for a in accounts)
    (emily,) = repo.accounts_for(EMILY.id)
    assert emily.balance == Decimal("8800.00")
    assert repo.accounts_for(999_999) == ()


def test_cards_for_shows_last4_only(seeded: Engine, repo: CoreBankRepository) -> None:
    cards = repo.cards_for(ZHANG.id)
    assert [(c.last4, c.kind, c.status) for c in cards] == [
        ("6789", "debit", "active"),
        ("3321", "credit", "active"),
    ]
    assert cards[1].credit_limit == Decimal("50000.00")
    assert cards[0].credit_limit is None
    assert cards[0].account_last4 == repo.accounts_for(ZHANG.id)[0].number_last4
    with seeded.connect() as conn:
        numbers = conn.execute(select(Card.number).where(Card.customer_id == ZHANG.id)).scalars()
        for number in numbers:
            assert all(number not in repr(card) for card in cards)
    assert "number" not in {f.name for f in dataclasses.fields(cards[0])}


# --------------------------------------------------------------------------- statements


def _count(engine: Engine, customer_id: int) -> int:
    stmt = (
        select(func.count())
        .select_from(Transaction)
        .join(Account, Account.id == Transaction.account_id)
        .where(Account.customer_id == customer_id)
    )
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def test_recent_transactions_newest_first(repo: CoreBankRepository) -> None:
    page = repo.recent_transactions(ZHANG.id)
    assert len(page.items) == 10
    assert page.has_more
    assert page.next_offset == 10
    times = [t.posted_at for t in page.items]
    assert times == sorted(times, reverse=True)
    assert all(t.posted_at.tzinfo is not None for t in page.items)
    newest_current = next(
        t for t in page.items if t.account_last4 == repo.accounts_for(1)[0].number_last4
    )
    assert newest_current.balance_after_cents == 1_234_567
    assert isinstance(newest_current.amount, Decimal)


def test_pagination_walks_every_line_once(seeded: Engine, repo: CoreBankRepository) -> None:
    seen: list[int] = []
    offset: int | None = 0
    pages = 0
    while offset is not None:
        page = repo.recent_transactions(ZHANG.id, limit=7, offset=offset)
        seen.extend(t.id for t in page.items)
        offset = page.next_offset
        pages += 1
    total = _count(seeded, ZHANG.id)
    assert len(seen) == len(set(seen)) == total
    assert pages == -(-total // 7)
    past_end = repo.recent_transactions(ZHANG.id, limit=5, offset=total)
    assert past_end.items == () and not past_end.has_more
    last = repo.recent_transactions(ZHANG.id, limit=5, offset=total - 5)
    assert len(last.items) == 5 and not last.has_more


def test_only_own_accounts_are_listed(repo: CoreBankRepository) -> None:
    own = {a.number_last4 for a in repo.accounts_for(EMILY.id)}
    page = repo.recent_transactions(EMILY.id, limit=MAX_PAGE)
    assert page.items
    assert {t.account_last4 for t in page.items} <= own
    assert repo.recent_transactions(999_999).items == ()


def test_month_filter_uses_beijing_months(seeded: Engine, repo: CoreBankRepository) -> None:
    page = repo.recent_transactions(ZHANG.id, month=date(2026, 10, 15), limit=MAX_PAGE)
    assert page.items and not page.has_more
    assert all(t.local_time.year == 2026 and t.local_time.month == 10 for t in page.items)
    start, end = month_bounds(date(2026, 10, 1))
    stmt = (
        select(func.count())
        .select_from(Transaction)
        .join(Account, Account.id == Transaction.account_id)
        .where(Account.customer_id == ZHANG.id, Transaction.posted_at >= start)
        .where(Transaction.posted_at < end)
    )
    with seeded.connect() as conn:
        assert len(page.items) == conn.execute(stmt).scalar_one()
    assert repo.recent_transactions(ZHANG.id, month=date(2020, 1, 1)).items == ()


def test_month_bounds() -> None:
    start, end = month_bounds(date(2026, 10, 31))
    assert start == datetime(2026, 9, 30, 16, tzinfo=UTC)
    assert end == datetime(2026, 10, 31, 16, tzinfo=UTC)
    december = month_bounds(date(2025, 12, 1))
    assert december[1] == datetime(2025, 12, 31, 16, tzinfo=UTC)


def test_amount_filters_bound_the_size_either_way(repo: CoreBankRepository) -> None:
    big = repo.recent_transactions(ZHANG.id, min_amount_cents=100_000, limit=MAX_PAGE).items
    assert big and all(abs(t.amount_cents) >= 100_000 for t in big)
    assert any(t.amount_cents > 0 for t in big) and any(t.amount_cents < 0 for t in big)
    small = repo.recent_transactions(ZHANG.id, max_amount_cents=10_000, limit=MAX_PAGE).items
    assert small and all(abs(t.amount_cents) <= 10_000 for t in small)
    band = repo.recent_transactions(
        ZHANG.id, min_amount_cents=10_000, max_amount_cents=100_000, limit=MAX_PAGE
    ).items
    assert all(10_000 <= abs(t.amount_cents) <= 100_000 for t in band)
    out = repo.recent_transactions(ZHANG.id, direction="out", limit=MAX_PAGE).items
    assert out and all(t.amount_cents < 0 for t in out)
    income = repo.recent_transactions(
        ZHANG.id, direction="in", month=date(2026, 10, 1), min_amount_cents=1_000_000
    ).items
    # October's pay, and the sweep of it into his savings account.
    assert sorted(t.category for t in income) == ["salary", "savings"]
    assert all(t.amount_cents >= 1_000_000 for t in income)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"limit": 0},
        {"limit": MAX_PAGE + 1},
        {"offset": -1},
        {"min_amount_cents": 500, "max_amount_cents": 100},
        {"direction": "sideways"},
    ],
)
def test_bad_paging_arguments(repo: CoreBankRepository, kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        repo.recent_transactions(ZHANG.id, **kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- freezing


def _status(engine: Engine, customer_id: int, last4: str) -> str:
    stmt = select(Card.status).where(Card.customer_id == customer_id, Card.last4 == last4)
    with engine.connect() as conn:
        return str(conn.execute(stmt).scalar_one())


def test_freeze_own_card(seeded: Engine, repo: CoreBankRepository, fixed_now: datetime) -> None:
    result = repo.freeze_card(ZHANG.id, "６７８９")
    assert result.outcome is FreezeOutcome.FROZEN
    assert result.card is not None
    assert (result.card.last4, result.card.status) == ("6789", "frozen")
    assert result.card.frozen_at == fixed_now
    assert _status(seeded, ZHANG.id, "6789") == "frozen"
    assert _status(seeded, ZHANG.id, "3321") == "active"

    again = repo.freeze_card(ZHANG.id, "6789")
    assert again.outcome is FreezeOutcome.ALREADY_FROZEN
    assert again.card is not None and again.card.frozen_at == fixed_now


def test_cannot_freeze_someone_elses_card(seeded: Engine, repo: CoreBankRepository) -> None:
    result = repo.freeze_card(ZHANG.id, EMILY.debit_last4)
    assert result.outcome is FreezeOutcome.NOT_FOUND
    assert {c.last4 for c in result.candidates} == {"6789", "3321"}  # only his own
    assert _status(seeded, EMILY.id, EMILY.debit_last4) == "active"
    assert repo.freeze_card(999_999, "6789").outcome is FreezeOutcome.NOT_FOUND
    assert _status(seeded, ZHANG.id, "6789") == "active"


def test_freeze_without_last4(seeded: Engine, repo: CoreBankRepository) -> None:
    choose = repo.freeze_card(ZHANG.id)
    assert choose.outcome is FreezeOutcome.CHOOSE_CARD
    assert [c.last4 for c in choose.candidates] == ["6789", "3321"]
    assert _status(seeded, ZHANG.id, "6789") == "active"

    # With one usable card left, "freeze my card" is unambiguous.
    with seeded.begin() as conn:
        conn.execute(
            update(Card)
            .where(Card.customer_id == EMILY.id, Card.kind == "credit")
            .values(status="expired")
        )
    result = repo.freeze_card(EMILY.id)
    assert result.outcome is FreezeOutcome.FROZEN
    assert result.card is not None and result.card.last4 == EMILY.debit_last4


def test_lost_or_expired_cards_are_not_freezable(seeded: Engine, repo: CoreBankRepository) -> None:
    with seeded.begin() as conn:
        conn.execute(
            update(Card)
            .where(Card.customer_id == ZHANG.id, Card.last4 == "3321")
            .values(status="lost")
        )
    result = repo.freeze_card(ZHANG.id, "3321")
    assert result.outcome is FreezeOutcome.NOT_FREEZABLE
    assert _status(seeded, ZHANG.id, "3321") == "lost"


def test_repository_accepts_a_session_factory(seeded: Engine) -> None:
    from corebank.db import session_factory

    repo = CoreBankRepository(session_factory(seeded))
    assert repo.get_customer(EMILY.id) == repo.find_customer_by_phone(EMILY.phone)


def test_normalise_phone() -> None:
    assert normalise_phone("+86 139-0013-9000") == "13900139000"
    assert normalise_phone("23900139000") is None
    assert normalise_phone("1390013900") is None
    assert normalise_phone("１３９００１３９０００") == "13900139000"
    assert normalise_phone("+86１３９００１３９０００") == "13900139000"


def test_seed_is_identical_on_every_backend(seeded: Engine, tmp_path: Path) -> None:
    reference = make_engine(f"sqlite:///{tmp_path / 'reference.db'}")
    seed(reference, customers=SMALL)
    for name in ("customers", "accounts", "cards", "transactions"):
        table = Base.metadata.tables[name]
        stmt = select(table).order_by(table.c.id)
        with seeded.connect() as got, reference.connect() as want:
            assert got.execute(stmt).all() == want.execute(stmt).all(), name
    reference.dispose()
