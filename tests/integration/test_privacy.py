"""After real verifications, no code and no full card or ID number is anywhere.

Runs full verifications in both languages, a failed attempt and a resend
through the real stack, then reads every log
file and every text value of every database the stack wrote (gateway,
tracker store, core bank) and looks for each code that was sent, and for the
customers' full card and ID numbers. Phone numbers must not appear in the
logs or the gateway's database either (its transcript masks them).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import MetaData, String, Text, create_engine, select
from sqlalchemy.engine import Engine

from bankbot.local_stack import RunningStack
from corebank.db import make_engine
from corebank.models import Card as CardRow
from corebank.models import Customer as CustomerRow
from tests.integration.test_verification import (
    EMILY,
    ZHANG,
    code_in,
    gateway_client,
    mark,
    since,
    up_to_code,
    verify,
    wait_for_sms,
    with_fast_actions,
)
from tests.support.customer import Customer, reply_text

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def fast_actions(stack: RunningStack) -> Iterator[RunningStack]:
    yield from with_fast_actions(stack)


@pytest.fixture
def client(fast_actions: RunningStack) -> Iterator[httpx.Client]:
    yield from gateway_client(fast_actions)


def _standalone(needle: str) -> re.Pattern[str]:
    # Not part of a longer number nor the fraction of a timestamp ("…08:30:12.123456").
    return re.compile(rf"(?<![\d.]){re.escape(needle)}(?!\d)")


def _text_values(engine: Engine) -> Iterator[tuple[str, str]]:
    """(table.column, value) for every text value in the database."""
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text)]
            if not columns:
                continue
            for row in conn.execute(select(*columns)):
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, str) and value:
                        yield f"{table.name}.{column.name}", value


def _secrets_of(core_bank: str, phones: list[str]) -> tuple[list[str], list[str]]:
    engine = make_engine(core_bank)
    try:
        with engine.connect() as conn:
            ids = (
                conn.execute(select(CustomerRow.id_number).where(CustomerRow.phone.in_(phones)))
                .scalars()
                .all()
            )
            cards = (
                conn.execute(
                    select(CardRow.number)
                    .join(CustomerRow, CustomerRow.id == CardRow.customer_id)
                    .where(CustomerRow.phone.in_(phones))
                )
                .scalars()
                .all()
            )
    finally:
        engine.dispose()
    return list(ids), list(cards)


@pytest.fixture(scope="module")
def codes_sent(fast_actions: RunningStack) -> list[str]:
    """Drive the conversations; return every code the phones received."""
    with httpx.Client(base_url=fast_actions.gateway_url, timeout=30) as http:
        before = {p: mark(http, p) for p in (ZHANG.phone, EMILY.phone)}

        zh = Customer(http, language="zh")
        assert "验证成功" in reply_text(verify(http, zh, ZHANG))
        zh.say("查一下最近的交易记录")
        zh.say("我的卡状态正常吗")

        en = Customer(http, language="en")
        seen = mark(http, EMILY.phone)
        up_to_code(en, EMILY)
        first = code_in(wait_for_sms(http, EMILY.phone, seen))
        after_first = mark(http, EMILY.phone)
        wrong = f"{(int(first) + 1) % 1_000_000:06d}"
        assert "didn't match" in reply_text(en.say(wrong))
        time.sleep(2.2)  # the resend wait of this module
        assert "a new code is on its way" in reply_text(en.say("/resend_code"))
        second = code_in(wait_for_sms(http, EMILY.phone, after_first))
        assert "you're verified" in reply_text(en.say(second))

        codes = [
            code_in(m["text"]) for phone, after in before.items() for m in since(http, phone, after)
        ]
    assert len(codes) >= 3
    return codes


def test_no_code_or_full_number_in_any_log(
    fast_actions: RunningStack, codes_sent: list[str], core_bank: str
) -> None:
    id_numbers, card_numbers = _secrets_of(core_bank, [ZHANG.phone, EMILY.phone])
    logs = sorted(Path(fast_actions.config.log_dir).rglob("*.log"))
    assert {p.name for p in logs} >= {"actions.log", "engine.log", "gateway.log"}
    for path in logs:
        text = path.read_text(encoding="utf-8", errors="replace")
        for code in codes_sent:
            assert not _standalone(code).search(text), f"code in {path.name}"
        for secret in (*id_numbers, *card_numbers, ZHANG.phone, EMILY.phone):
            assert secret not in text, f"unmasked number in {path.name}"


def test_no_code_or_full_number_in_the_gateway_or_tracker_databases(
    fast_actions: RunningStack, codes_sent: list[str], core_bank: str
) -> None:
    id_numbers, card_numbers = _secrets_of(core_bank, [ZHANG.phone, EMILY.phone])
    gateway = create_engine(fast_actions.config.database_url)
    tracker = create_engine(f"sqlite:///{fast_actions.config.tracker_sqlite_path}")
    try:
        for name, engine, forbidden in (
            ("gateway", gateway, (*id_numbers, *card_numbers, ZHANG.phone, EMILY.phone)),
            # The tracker keeps what reached the engine: phone numbers and the ID's
            # last four only as the gateway's tokens, codes only as digests.
            ("tracker", tracker, (*id_numbers, *card_numbers, ZHANG.phone, EMILY.phone)),
        ):
            checked = 0
            for where, value in _text_values(engine):
                checked += 1
                for code in codes_sent:
                    assert not _standalone(code).search(value), f"code in {name} {where}"
                # The bot's own prompt gives "1234" as an example of four digits, and
                # the parse data keeps token offsets ("[1232, 1234]") of long messages.
                said = value.replace("例如 1234 或 123X", "").replace("example 1234 or 123X", "")
                said = re.sub(r"\[\d+, \d+\]", "", said)
                for last4 in (ZHANG.id_last4, EMILY.id_last4):
                    # Not the tail of a masked phone ("139****5678"): masks keep the last four.
                    alone = re.compile(rf"(?<![0-9A-Za-z.*]){last4}(?![0-9A-Za-z])")
                    found = alone.search(said)
                    assert not found, (
                        f"ID last four in {name} {where}: "
                        f"…{said[max(0, found.start() - 120) : found.end() + 40]}…"
                    )
                for secret in forbidden:
                    assert secret not in value, f"unmasked number in {name} {where}"
            assert checked > 0, name
    finally:
        gateway.dispose()
        tracker.dispose()


def test_the_transcript_shows_codes_as_stars(
    fast_actions: RunningStack, codes_sent: list[str]
) -> None:
    gateway = create_engine(fast_actions.config.database_url)
    try:
        texts = [value for where, value in _text_values(gateway) if where == "messages.text"]
    finally:
        gateway.dispose()
    assert "******" in texts
    assert any("138****8000" in t for t in texts)


def test_the_core_bank_keeps_no_code_and_no_phone_in_verification_tables(
    codes_sent: list[str], core_bank: str
) -> None:
    engine = make_engine(core_bank)
    try:
        values = [
            (where, value)
            for where, value in _text_values(engine)
            if where.startswith("verification_")
        ]
    finally:
        engine.dispose()
    assert values  # the challenges are there…
    for where, value in values:  # …as keyed hashes only
        for code in codes_sent:
            assert not _standalone(code).search(value), where
        assert ZHANG.phone not in value and EMILY.phone not in value, where
