"""Balances and statements: nothing before verification, exact money after it."""

from __future__ import annotations

import re
from decimal import Decimal

from actions.accounts import ActionCheckBalance, ActionCheckTransactions, ActionMoreTransactions
from actions.deps import Deps
from actions.refusals import ActionRefuseRequest
from corebank.money import format_money
from tests.actions.conftest import EMILY, ZHANG, Chat, Clock


def _amounts(lines: str) -> list[Decimal]:
    out = []
    for line in lines.splitlines():
        match = re.search(r"\s(-?(?:CNY )?-?[\d,]+\.\d{2})(?: 元)?\s+\(", line)
        assert match, line
        out.append(Decimal(match.group(1).replace("CNY ", "").replace(",", "")))
    return out


async def test_no_account_data_before_verification(chat: Chat, bank: Deps) -> None:
    chat.user("查一下余额", "check_balance")
    turn = await chat.run(ActionCheckBalance())
    assert turn.responses == ["utter_verification_intro", "utter_ask_verify_phone"]
    # Asked again mid-form: remembered, and the form simply asks on.
    chat.user("查交易记录", "check_transactions")
    turn = await chat.run(ActionCheckTransactions())
    assert turn.responses == [] and chat.slots["pending_service"] == "transactions"
    assert (await chat.resume_form()).responses == ["utter_ask_verify_phone"]
    assert not any("lines" in e for e in chat.events)


async def test_balance_of_each_account_in_both_languages(bank: Deps) -> None:
    zh = Chat(bank)
    turn = await zh.verify(ZHANG)
    lines = turn.message("utter_balance")["lines"].splitlines()
    assert lines[0] == "· 活期账户 **** 0015：12,345.67 元"
    assert lines[1].startswith("· 储蓄账户 **** 0022：")
    accounts = bank.repo.accounts_for(ZHANG["id"])
    assert lines[1].endswith(format_money(accounts[1].balance_cents, "CNY", "zh"))

    en = Chat(bank, language="en")
    turn = await en.verify(EMILY)
    assert turn.message("utter_balance")["lines"] == "· Current account **** 0037: CNY 8,800.00"


async def test_balance_asked_again_after_verification_needs_no_new_code(
    chat: Chat, bank: Deps
) -> None:
    await chat.verify(ZHANG)
    chat.user("余额多少", "check_balance")
    turn = await chat.run(ActionCheckBalance())
    assert turn.responses == ["utter_balance"]
    assert len(bank.sms.sent) == 1  # type: ignore[attr-defined]


async def test_last_ten_transactions_then_more(chat: Chat, bank: Deps) -> None:
    await chat.verify(ZHANG)
    chat.user("查交易记录", "check_transactions")
    turn = await chat.run(ActionCheckTransactions())
    page = turn.message("utter_transactions")
    assert (page["first"], page["last"]) == (1, 10)
    assert page["buttons"] == [{"title": "查看更多", "payload": "/more"}]
    first_lines = page["lines"].splitlines()
    assert len(first_lines) == 10
    expected = bank.repo.recent_transactions(ZHANG["id"], limit=10)
    assert _amounts(page["lines"]) == [t.amount for t in expected.items]
    assert chat.slots["txn_has_more"] is True and chat.slots["txn_offset"] == 10

    chat.user("更多", "more")
    turn = await chat.run(ActionMoreTransactions())
    page = turn.message("utter_transactions")
    assert (page["first"], page["last"]) == (11, 20)
    assert set(page["lines"].splitlines()).isdisjoint(first_lines)


async def test_month_and_amount_filters(chat: Chat, bank: Deps) -> None:
    await chat.verify(ZHANG)
    chat.user("十月份超过500的消费", "check_transactions", month="2026-10", amount="500")
    turn = await chat.run(ActionCheckTransactions())
    message = next(m for m in turn.messages if m["response"].startswith("utter_transactions"))
    assert "2026年10月" in message["filters"] and "500.00 元" in message["filters"]
    amounts = _amounts(message["lines"])
    assert amounts and all(a <= Decimal("-500") for a in amounts)  # spending: money out
    assert all(" 2026-10-" in line for line in message["lines"].splitlines())


async def test_filters_asked_before_verification_are_kept(chat_en: Chat, bank: Deps) -> None:
    chat_en.user("transactions in october", "check_transactions", month="2026-10")
    turn = await chat_en.verify(EMILY, ActionCheckTransactions(), asked=True)
    message = next(
        m for m in turn.messages if (m["response"] or "").startswith("utter_transactions")
    )
    assert message["filters"] == " (in October 2026)"
    assert all(" 2026-10-" in line for line in message["lines"].splitlines())


async def test_no_match_is_said_politely(chat: Chat, bank: Deps) -> None:
    await chat.verify(ZHANG)
    chat.user("2020年1月的交易", "check_transactions", month="2020-01")
    turn = await chat.run(ActionCheckTransactions())
    assert turn.responses == ["utter_transactions_none"]


async def test_someone_elses_balance_is_refused_even_if_read_as_check_balance(
    chat: Chat, bank: Deps
) -> None:
    await chat.verify(ZHANG)
    chat.user("查一下我老婆的余额", "check_balance")
    turn = await chat.run(ActionCheckBalance())
    assert turn.responses == ["utter_refuse_third_party"]
    chat.user("check the balance of 13900139000", "check_balance", phone="13900139000")
    turn = await chat.run(ActionCheckBalance())
    assert turn.responses == ["utter_refuse_third_party"]
    for intent, response in (
        ("third_party_info", "utter_refuse_third_party"),
        ("share_credentials", "utter_refuse_share_credentials"),
        ("ask_password", "utter_refuse_ask_password"),
    ):
        chat.user("…", intent)
        assert (await chat.run(ActionRefuseRequest())).responses == [response]


async def test_back_after_a_callback_or_a_message_an_expired_verification_is_redone(
    chat: Chat, bank: Deps, clock: Clock
) -> None:
    """Issue 18: the customer returns to the same conversation hours later."""
    assert (await chat.verify(ZHANG)).responses[-1] == "utter_balance"
    clock.advance(bank.settings.verified_ttl_s + 1)
    chat.user("再查一下余额", "check_balance")
    turn = await chat.run(ActionCheckBalance())
    assert turn.responses == ["utter_verification_intro", "utter_ask_verify_phone"]
    assert not any("lines" in m for m in turn.messages)
    assert (await chat.verify(ZHANG, asked=True)).responses[-1] == "utter_balance"
