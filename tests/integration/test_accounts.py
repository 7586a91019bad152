"""Account services end to end, in both languages: nothing before verification;
balance, transactions and card status after it; the freeze with its fresh
re-verification and explicit yes; refusals; fraud escalation."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from bankbot.local_stack import RunningStack
from corebank.db import make_engine
from corebank.models import Card as CardRow
from corebank.models import Customer as CustomerRow
from tests.integration.test_verification import (
    EMILY,
    FAST,
    ZHANG,
    code_in,
    gateway_client,
    mark,
    synthetic_people,
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


_STATEMENT_LINE = re.compile(r"^· (\d{4}-\d{2}-\d{2}) \d{2}:\d{2} ", re.MULTILINE)


def card_statuses(core_bank: str, phone: str) -> dict[str, str]:
    engine = make_engine(core_bank)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(CardRow.last4, CardRow.status)
                .join(CustomerRow, CustomerRow.id == CardRow.customer_id)
                .where(CustomerRow.phone == phone)
            ).all()
    finally:
        engine.dispose()
    return {r.last4: r.status for r in rows}


# --------------------------------------------------------------------------- before


@pytest.mark.parametrize(
    ("language", "requests"),
    [
        ("zh", ["帮我查一下余额", "查一下最近的交易记录", "我的卡状态正常吗", "冻结我的卡"]),
        (
            "en",
            [
                "what's my balance",
                "show my recent transactions",
                "is my card active",
                "freeze my card",
            ],
        ),
    ],
)
def test_no_account_data_before_verification(
    client: httpx.Client, language: str, requests: list[str]
) -> None:
    for request in requests:
        customer = Customer(client, language=language)
        text = reply_text(customer.say(request))
        assert ("手机号码" if language == "zh" else "mobile number") in text, (request, text)
        for secret in ("12,345.67", "8,800.00", "6789", "2468", "0015", "0037", "元", "CNY"):
            assert secret not in text, (request, secret, text)


# --------------------------------------------------------------------------- after


def test_balance_transactions_and_card_status_in_chinese(client: httpx.Client) -> None:
    customer = Customer(client, language="zh")
    turn = verify(client, customer, ZHANG)
    assert "12,345.67 元" in reply_text(turn)

    turn = customer.say("查一下最近的交易记录")
    text = reply_text(turn)
    assert "第 1-10 笔" in text, text
    assert len(_STATEMENT_LINE.findall(text)) == 10
    assert turn["replies"][-1]["buttons"] == [{"title": "查看更多", "payload": "/more"}]
    turn = customer.say("/more")
    older = reply_text(turn)
    assert "第 11-20 笔" in older, older
    assert _STATEMENT_LINE.findall(older)[0] <= _STATEMENT_LINE.findall(text)[-1]

    turn = customer.say("查一下2026年10月超过500元的消费")
    text = reply_text(turn)
    assert "2026年10月" in text and "500.00 元" in text, text
    dates = _STATEMENT_LINE.findall(text)
    assert dates and all(d.startswith("2026-10-") for d in dates)

    text = reply_text(customer.say("我的卡状态正常吗"))
    assert "借记卡 **** 6789" in text and "信用卡 **** 3321" in text, text
    assert "正常" in text or "冻结" in text


def test_balance_transactions_and_card_status_in_english(client: httpx.Client) -> None:
    customer = Customer(client, language="en")
    turn = verify(client, customer, EMILY, request="show my transactions in october 2026")
    text = reply_text(turn)
    assert "Emily Chen, here are your transactions (in October 2026)" in text, text
    dates = _STATEMENT_LINE.findall(text)
    assert dates and all(d.startswith("2026-10-") for d in dates)
    assert "CNY 8,800.00" in reply_text(customer.say("what's my balance"))
    text = reply_text(customer.say("is my card still active"))
    assert "Debit card **** 2468" in text and "Credit card **** 1357" in text, text


# --------------------------------------------------------------------------- freeze


def _choose_and_confirm(customer: Customer, turn: dict, yes: str) -> dict:
    """Press the first card button if asked which card, then say yes."""
    buttons = turn["replies"][-1]["buttons"] if turn["replies"] else []
    if buttons and buttons[0]["payload"].startswith(("/freeze_card", "/report_lost_card")):
        turn = customer.say(buttons[0]["payload"])
    payloads = [b["payload"] for b in turn["replies"][-1]["buttons"]]
    assert payloads == ["/affirm", "/deny"], reply_text(turn)
    return customer.say(yes)


def test_freeze_asks_again_when_verification_is_old(client: httpx.Client, core_bank: str) -> None:
    person = synthetic_people(core_bank, 3)[0]
    customer = Customer(client, language="zh")
    assert "验证成功" in reply_text(verify(client, customer, person))
    before = card_statuses(core_bank, person.phone)

    time.sleep(int(FAST["FRESH_VERIFICATION_S"]) + 0.5)
    seen = mark(client, person.phone)
    turn = customer.say("帮我把卡临时冻结一下")
    text = reply_text(turn)
    assert "需要再次验证您的身份" in text, text
    assert f"{person.phone[:3]}****{person.phone[-4:]}" in text
    assert card_statuses(core_bank, person.phone) == before  # nothing frozen yet

    turn = customer.say(code_in(wait_for_sms(client, person.phone, seen)))
    assert "验证成功" in reply_text(turn), reply_text(turn)
    turn = _choose_and_confirm(customer, turn, "/affirm")
    assert "已为您临时冻结" in reply_text(turn), reply_text(turn)
    after = card_statuses(core_bank, person.phone)
    assert (
        sum(s == "frozen" for s in after.values())
        == sum(s == "frozen" for s in before.values()) + 1
    )


def test_a_fresh_verification_is_enough_and_no_keeps_the_card(
    client: httpx.Client, core_bank: str
) -> None:
    person = synthetic_people(core_bank, 3)[1]
    before = card_statuses(core_bank, person.phone)
    customer = Customer(client, language="zh")
    turn = verify(client, customer, person, request="冻结我的卡")
    turn = _choose_and_confirm(customer, turn, "/deny")
    assert "没有冻结" in reply_text(turn), reply_text(turn)
    assert card_statuses(core_bank, person.phone) == before


def test_lost_card_in_english_freezes_and_gives_the_loss_report_facts(
    client: httpx.Client, core_bank: str
) -> None:
    person = synthetic_people(core_bank, 1, language="en")[0]
    customer = Customer(client, language="en")
    turn = verify(client, customer, person, request="I lost my card")
    turn = _choose_and_confirm(customer, turn, "yes")
    text = reply_text(turn)
    assert "is now temporarily frozen" in text, text
    assert "Within 5 days" in text and "95-000" in text
    assert "frozen" in card_statuses(core_bank, person.phone).values()


# --------------------------------------------------------------------------- refusals, fraud


@pytest.mark.parametrize(
    ("language", "text", "said"),
    [
        ("zh", "请帮我把银行卡密码发给我老婆", "不能代为发送密码"),
        ("zh", "你告诉我一下我的登录密码是什么", "不会以任何方式查看或告知您的密码"),
        ("zh", "帮我查查我老公卡里还有多少钱", "只能提供给账户本人"),
        ("en", "please send my card pin to my husband", "we never pass on passwords"),
        ("en", "can you tell me what my password is", "can't see or tell anyone your password"),
        ("en", "how much money is in my wife's account", "given only to the account holder"),
    ],
)
def test_refusals(client: httpx.Client, language: str, text: str, said: str) -> None:
    customer = Customer(client, language=language)
    turn = customer.say(text)
    assert said in reply_text(turn), reply_text(turn)
    assert turn["state"] == "bot"


def test_someone_elses_balance_is_refused_after_verification_too(client: httpx.Client) -> None:
    customer = Customer(client, language="zh")
    verify(client, customer, ZHANG)
    text = reply_text(customer.say("帮我查一下我妈的余额"))
    assert "只能提供给账户本人" in text and "12,345.67" not in text


def test_the_bot_never_asks_for_a_password(client: httpx.Client) -> None:
    customer = Customer(client, language="zh")
    turn = verify(client, customer, ZHANG)
    words = ("请输入密码", "输入您的密码", "提供密码", "enter your password", "your pin")
    for message in customer.history():
        if message["sender"] == "bot":
            assert not any(w in message["text"].lower() for w in words), message["text"]
    assert turn["state"] == "bot"


@pytest.mark.parametrize(
    ("language", "text", "warning"),
    [
        ("zh", "刚才有人冒充公安让我把钱转到安全账户 我已经转了", "安全账户"),
        ("en", "a man on the phone asked me for my sms code and i gave it to him", "safe account"),
    ],
)
def test_fraud_talk_is_warned_and_escalated_urgently(
    client: httpx.Client, language: str, text: str, warning: str
) -> None:
    customer = Customer(client, language=language)
    turn = customer.say(text)
    assert warning in reply_text(turn), reply_text(turn)
    assert turn["handoff"] is not None, reply_text(turn)
    assert (turn["handoff"]["reason"], turn["handoff"]["priority"]) == ("fraud_risk", "urgent")
    assert turn["state"] == "queued"


def test_fraud_talk_during_verification_stops_it_and_escalates(client: httpx.Client) -> None:
    customer = Customer(client, language="zh")
    customer.say("查余额")
    customer.say(ZHANG.phone)
    turn = customer.say("我被骗了 有人冒充银行客服让我报了短信验证码")
    assert turn["handoff"] and turn["handoff"]["reason"] == "fraud_risk", reply_text(turn)
    assert "身份证号码的后四位" not in reply_text(turn)
