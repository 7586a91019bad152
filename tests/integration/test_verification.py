"""Identity verification end to end: the real gateway, engine and action server.

The customer is played through the gateway's public API exactly as the
widget uses it; one-time codes are read from the development SMS outbox
(``GET /api/dev/sms?phone=…``, newest first). The action server is restarted
for this module with short timings (code validity, resend wait, freshness)
so expiry and re-verification can be shown in seconds, and a high SMS limit
so the named demo customers can be verified many times.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select

from bankbot.local_stack import RunningStack
from corebank.db import make_engine
from corebank.models import Card as CardRow
from corebank.models import Customer as CustomerRow
from tests.support.customer import Customer, reply_text

pytestmark = pytest.mark.integration

FAST = {
    "OTP_TTL_S": "8",
    "OTP_RESEND_AFTER_S": "2",
    "FRESH_VERIFICATION_S": "6",
    "OTP_MAX_SENDS_PER_HOUR": "1000",
}


@dataclass(frozen=True)
class Person:
    name: str
    phone: str
    id_last4: str
    language: str


ZHANG = Person("张伟", "13800138000", "1234", "zh")
EMILY = Person("Emily Chen", "13900139000", "5678", "en")
_CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")
_unused_phones = iter(f"1370000{n:04d}" for n in range(1, 10_000))


def unused_phone() -> str:
    """A mainland number nobody has: each lockout test locks its own."""
    return next(_unused_phones)


def with_fast_actions(stack: RunningStack) -> Iterator[RunningStack]:
    """The shared stack, its action server restarted on :data:`FAST` timings (then restored)."""
    service = stack.services["action server"]
    saved = service.env
    service.env = {**saved, **FAST}
    stack.restart("action server")
    try:
        yield stack
    finally:
        service.env = saved
        stack.restart("action server")


def gateway_client(stack: RunningStack) -> Iterator[httpx.Client]:
    """An HTTP client on the stack's gateway."""
    with httpx.Client(base_url=stack.gateway_url, timeout=30) as http:
        yield http


@pytest.fixture(scope="module")
def fast_actions(stack: RunningStack) -> Iterator[RunningStack]:
    yield from with_fast_actions(stack)


@pytest.fixture
def client(fast_actions: RunningStack) -> Iterator[httpx.Client]:
    yield from gateway_client(fast_actions)


def synthetic_people(core_bank: str, count: int, language: str = "zh") -> list[Person]:
    """Seeded customers other than the named two, with at least one active card."""
    engine = make_engine(core_bank)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(CustomerRow.name, CustomerRow.phone, CustomerRow.id_last4)
                .where(CustomerRow.id > 2, CustomerRow.language == language)
                .where(
                    CustomerRow.id.in_(
                        select(CardRow.customer_id).where(CardRow.status == "active")
                    )
                )
                .order_by(CustomerRow.id.desc())
                .limit(count)
            ).all()
    finally:
        engine.dispose()
    return [Person(r.name, r.phone, r.id_last4, language) for r in rows]


# --------------------------------------------------------------------------- helpers


def outbox(client: httpx.Client, phone: str) -> list[dict]:
    response = client.get("/api/dev/sms", params={"phone": phone})
    response.raise_for_status()
    return response.json()["messages"]


def mark(client: httpx.Client, phone: str) -> dict | None:
    """The newest text to ``phone`` so far (the outbox is bounded: counting would lie)."""
    messages = outbox(client, phone)
    return messages[0] if messages else None


def since(client: httpx.Client, phone: str, after: dict | None) -> list[dict]:
    """Texts to ``phone`` newer than ``after``, newest first."""
    newer = []
    for message in outbox(client, phone):
        if message == after:
            break
        newer.append(message)
    return newer


def wait_for_sms(
    client: httpx.Client, phone: str, after: dict | None, timeout_s: float = 15
) -> str:
    """The newest text to ``phone`` once there is one newer than ``after``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        newer = since(client, phone, after)
        if newer:
            return str(newer[0]["text"])
        time.sleep(0.1)
    raise AssertionError(f"no new SMS to {phone} within {timeout_s} s")


def code_in(text: str) -> str:
    match = _CODE.search(text)
    assert match, text
    return match.group(0)


def up_to_code(customer: Customer, person: Person, request: str | None = None) -> dict:
    """Ask for something needing verification and give phone and ID digits."""
    zh = person.language == "zh"
    first = customer.say(request or ("帮我查一下余额" if zh else "what's my balance"))
    assert person.phone[:3] not in reply_text(first)
    asked_id = customer.say(person.phone)
    assert ("身份证" if zh else "ID number") in reply_text(asked_id), reply_text(asked_id)
    return customer.say(person.id_last4)


def verify(
    client: httpx.Client, customer: Customer, person: Person, request: str | None = None
) -> dict:
    """A whole verification; returns the turn that answers the code."""
    seen = mark(client, person.phone)
    turn = up_to_code(customer, person, request)
    masked = f"{person.phone[:3]}****{person.phone[-4:]}"
    assert masked in reply_text(turn), reply_text(turn)
    code = code_in(wait_for_sms(client, person.phone, seen))
    return customer.say(code)


# --------------------------------------------------------------------------- the happy path


def test_verification_in_chinese_then_the_balance(client: httpx.Client) -> None:
    customer = Customer(client, language="zh")
    first = customer.say("帮我查一下余额")
    text = reply_text(first)
    assert "验证您的身份" in text and "手机号码" in text
    assert "12,345.67" not in text and "元" not in text
    seen = mark(client, ZHANG.phone)
    assert "身份证" in reply_text(customer.say(ZHANG.phone))
    ask = customer.say(ZHANG.id_last4)
    assert "138****8000" in reply_text(ask)
    assert ask["replies"][-1]["buttons"] == [{"title": "重新发送", "payload": "/resend_code"}]
    sms = wait_for_sms(client, ZHANG.phone, seen)
    assert sms.startswith("【海港银行】您的验证码是") and "银行工作人员不会向您索要验证码" in sms
    turn = customer.say(code_in(sms))
    text = reply_text(turn)
    assert "验证成功，张伟，您好！" in text
    assert "活期账户 **** 0015：12,345.67 元" in text
    # The code is kept as ****** in the transcript, never in clear.
    history = customer.history()
    assert any(m["sender"] == "customer" and m["text"] == "******" for m in history)
    assert all(code_in(sms) not in m["text"] for m in history)
    assert all(ZHANG.phone not in m["text"] for m in history)


def test_verification_in_english(client: httpx.Client) -> None:
    customer = Customer(client, language="en")
    seen = mark(client, EMILY.phone)
    turn = verify(client, customer, EMILY)
    assert "Thank you, Emily Chen, you're verified." in reply_text(turn)
    assert "Current account **** 0037: CNY 8,800.00" in reply_text(turn)
    (sent,) = since(client, EMILY.phone, seen)
    sms = sent["text"]
    assert sms.startswith("[Harbour Bank] Your verification code is")


# --------------------------------------------------------------------------- nothing revealed


def test_unregistered_number_and_wrong_id_digits_get_the_same_replies(
    client: httpx.Client, core_bank: str
) -> None:
    someone = synthetic_people(core_bank, 1)[0]
    masked = lambda p: f"{p[:3]}****{p[-4:]}"  # noqa: E731
    stranger = unused_phone()
    seen = mark(client, someone.phone)
    replies = []
    for phone, digits in (
        (someone.phone, someone.id_last4),
        (stranger, "1234"),
        (someone.phone, "0000"),
    ):
        customer = Customer(client, language="zh")
        customer.say("查余额")
        turn = customer.say(phone)
        replies.append(reply_text(turn))
        turn = customer.say(digits)
        replies.append(reply_text(turn).replace(masked(phone), "<phone>"))
    assert replies[0] == replies[2] == replies[4]
    assert replies[1] == replies[3] == replies[5]
    assert "如您提供的信息与我们的记录一致" in replies[1]
    time.sleep(1)
    assert len(since(client, someone.phone, seen)) == 1  # only the right facts got a code
    assert outbox(client, stranger) == []


def test_three_failures_lock_the_number_and_hand_over(client: httpx.Client) -> None:
    phone = unused_phone()
    person = Person("nobody", phone, "1234", "zh")
    customer = Customer(client, language="zh")
    turn = up_to_code(customer, person)
    for left in (2, 1):
        turn = customer.say("123456")
        text = reply_text(turn)
        assert "验证未通过" in text and f"还可以尝试 {left} 次" in text, text
        assert turn["state"] == "bot"
    turn = customer.say("654321")
    assert turn["handoff"] is not None, reply_text(turn)
    assert turn["handoff"]["reason"] == "verification_failed"
    assert turn["handoff"]["priority"] == "high"
    assert turn["state"] == "queued"
    assert "身份验证未能通过" in reply_text(turn)

    # Locked for 15 minutes, whatever the conversation.
    other = Customer(client, language="zh")
    other.say("查余额")
    turn = other.say(phone)
    assert "暂时锁定" in reply_text(turn) and "15 分钟" in reply_text(turn)


def test_three_failures_in_english(client: httpx.Client, core_bank: str) -> None:
    someone = synthetic_people(core_bank, 2, language="en")[-1]
    customer = Customer(client, language="en")
    up_to_code(customer, someone)
    customer.say("000000")
    customer.say("111111")
    turn = customer.say("222222")
    assert turn["handoff"]["reason"] == "verification_failed", reply_text(turn)
    assert "we couldn't verify your identity" in reply_text(turn)


# --------------------------------------------------------------------------- resend and expiry


def test_resend_waits_then_sends_a_new_code(client: httpx.Client) -> None:
    customer = Customer(client, language="zh")
    seen = mark(client, ZHANG.phone)
    up_to_code(customer, ZHANG)
    first = code_in(wait_for_sms(client, ZHANG.phone, seen))
    after_first = mark(client, ZHANG.phone)
    turn = customer.say("/resend_code")  # the button, pressed at once
    assert "秒后再点击" in reply_text(turn), reply_text(turn)
    time.sleep(2.2)
    turn = customer.say("没收到验证码，重新发送")
    assert "新的验证码已发送" in reply_text(turn), reply_text(turn)
    second = code_in(wait_for_sms(client, ZHANG.phone, after_first))
    if second != first:
        assert "验证未通过" in reply_text(customer.say(first))
    assert "验证成功" in reply_text(customer.say(second))


def test_an_expired_code_is_refused_and_a_new_one_works(client: httpx.Client) -> None:
    customer = Customer(client, language="en")
    seen = mark(client, EMILY.phone)
    up_to_code(customer, EMILY)
    old = code_in(wait_for_sms(client, EMILY.phone, seen))
    after_old = mark(client, EMILY.phone)
    time.sleep(int(FAST["OTP_TTL_S"]) + 0.5)
    turn = customer.say(old)
    assert "the code has expired" in reply_text(turn), reply_text(turn)
    assert turn["replies"][-1]["buttons"][0]["payload"] == "/resend_code"
    turn = customer.say("/resend_code")
    assert "a new code is on its way" in reply_text(turn), reply_text(turn)
    new = code_in(wait_for_sms(client, EMILY.phone, after_old))
    assert "you're verified" in reply_text(customer.say(new))


# --------------------------------------------------------------------------- stepping aside


def test_a_faq_in_the_middle_is_answered_and_verification_goes_on(client: httpx.Client) -> None:
    customer = Customer(client, language="zh")
    customer.say("查余额")
    customer.say(ZHANG.phone)
    turn = customer.say("你们几点开门")
    text = reply_text(turn)
    assert "09:00" in text, text
    assert "身份证号码的后四位" in text  # and the form asks again
    seen = mark(client, ZHANG.phone)
    customer.say(ZHANG.id_last4)
    turn = customer.say(code_in(wait_for_sms(client, ZHANG.phone, seen)))
    assert "12,345.67 元" in reply_text(turn)


def test_a_faq_at_the_code_step_keeps_the_code_prompt(client: httpx.Client) -> None:
    customer = Customer(client, language="en")
    seen = mark(client, EMILY.phone)
    up_to_code(customer, EMILY)
    turn = customer.say("what are your opening hours")
    assert "09:00" in reply_text(turn) and "Please enter it here" in reply_text(turn)
    code = code_in(wait_for_sms(client, EMILY.phone, seen))
    assert "you're verified" in reply_text(customer.say(code))  # still read as a code


@pytest.mark.parametrize(
    ("language", "text", "said"),
    [
        ("zh", "算了", "已为您取消身份验证"),
        ("en", "never mind", "I've stopped the verification"),
    ],
)
def test_never_mind_cancels(client: httpx.Client, language: str, text: str, said: str) -> None:
    customer = Customer(client, language=language)
    customer.say("查余额" if language == "zh" else "check my balance")
    turn = customer.say(text)
    assert said in reply_text(turn), reply_text(turn)
    turn = customer.say("你们几点开门" if language == "zh" else "what are your opening hours")
    assert "09:00" in reply_text(turn)
    assert "身份证" not in reply_text(turn) and "mobile number" not in reply_text(turn)
