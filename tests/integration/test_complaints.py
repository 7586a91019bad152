"""Complaints end to end, in both languages (issue 11, item 5; service rules 14, 18-20).

The real stack: the customer talks to the gateway's public API as the widget
does; the engine reads the complaint (its category, when and where) and the
action server asks only for what is missing, registers the ticket and tells
the deadline. Tickets are read back from the core bank as the complaint desk
sees them. A test that ends in the queue leaves it (the customer's "leave"
button), so the shared stack's queue holds nothing of ours afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from actions.store.complaints import ComplaintStore, Ticket
from bankbot.complaints_eval import asked, question_texts
from bankbot.local_stack import RunningStack
from corebank.db import make_engine
from tests.integration.test_escalation import assert_queued, login
from tests.integration.test_fraud import WARNING, assert_warned_then_queued
from tests.support.customer import Customer, reply_text

pytestmark = pytest.mark.integration

REFERENCE = re.compile(r"TS\d{8}-[2-9A-HJ-NP-Z]{4}")
QUESTIONS = question_texts()


@pytest.fixture(scope="module")
def supervisor(stack: RunningStack) -> Iterator[dict[str, str]]:
    """One supervisor session for the module (logins are rate-limited)."""
    with httpx.Client(base_url=stack.gateway_url, timeout=30) as client:
        yield login(client, "supervisor1")


def ticket(core_bank: str, text: str) -> Ticket:
    """The ticket whose reference number the customer was told."""
    reference = REFERENCE.search(text)
    assert reference, text
    engine = make_engine(core_bank)
    try:
        found = ComplaintStore(engine).get(reference.group(0))
    finally:
        engine.dispose()
    assert found is not None
    return found


def answer_until_registered(
    customer: Customer, turn: dict[str, Any], answers: dict[str, str], limit: int
) -> tuple[dict[str, Any], list[str]]:
    """Answer each question asked from ``answers`` until the reference number comes.

    Returns the last turn and the questions asked; fails after ``limit``
    customer messages in all (the first one included) without a reference.
    """
    questions: list[str] = []
    messages = 1
    while not REFERENCE.search(reply_text(turn)):
        assert turn["handoff"] is None, reply_text(turn)
        key = asked(reply_text(turn), QUESTIONS)
        assert key is not None, f"neither a question nor a reference: {reply_text(turn)}"
        questions.append(key)
        messages += 1
        assert messages <= limit, f"no reference within {limit} messages; asked {questions}"
        turn = customer.say(answers[key])
    return turn, questions


@pytest.mark.parametrize(
    ("language", "first", "category", "deadline", "thanks"),
    [
        (
            "zh",
            "我要投诉，昨天下午在人民路支行，大堂经理对我很不耐烦，问两句就让我自己看",
            "service_attitude",
            "3个工作日",
            "感谢",
        ),
        (
            "en",
            "I want to complain: yesterday afternoon at your Binjiang branch the lobby manager "
            "was very impatient with me and told me to read the leaflet",
            "service_attitude",
            "3 working days",
            "Thank you",
        ),
    ],
)
def test_what_when_and_where_in_the_first_message_a_reference_within_three_messages(
    gateway: httpx.Client,
    supervisor: dict[str, str],
    core_bank: str,
    language: str,
    first: str,
    category: str,
    deadline: str,
    thanks: str,
) -> None:
    customer = Customer(gateway, language=language)
    turn = customer.say(first)
    assert ("非常抱歉" if language == "zh" else "I'm very sorry") in reply_text(turn)  # HEART
    answers = {"phone": "13912345678", "category": "态度问题" if language == "zh" else "rudeness"}
    turn, questions = answer_until_registered(customer, turn, answers, limit=3)
    assert "what" not in questions and "when_where" not in questions  # said already
    text = reply_text(turn)
    assert deadline in text and thanks in text  # rule 20: the deadline; thank
    found = ticket(core_bank, text)
    assert found.category == category
    assert found.description.startswith(first[:12])
    assert ("人民路支行" if language == "zh" else "Binjiang branch") in found.when_where
    if turn["handoff"] is not None:  # an upset customer: the ticket, then a person
        assert_queued(gateway, supervisor, customer, turn, "complaint", "high", language)


@pytest.mark.parametrize(
    ("language", "start", "story", "now"),
    [
        ("zh", "我要投诉", "网银转账被重复扣了两次手续费，到现在没退", "直接登记吧"),
        ("en", "I want to make a complaint", "my transfer was charged twice", "just register it"),
    ],
)
def test_just_register_it_gives_the_reference_at_once(
    gateway: httpx.Client, core_bank: str, language: str, start: str, story: str, now: str
) -> None:
    customer = Customer(gateway, language=language)
    turn = customer.say(start)
    assert asked(reply_text(turn), QUESTIONS) == "what"
    turn = customer.say(story)
    assert asked(reply_text(turn), QUESTIONS) is not None  # a second question...
    turn = customer.say(now)  # ...not answered
    found = ticket(core_bank, reply_text(turn))
    assert found.description == story and found.category == "business_handling"


def test_just_register_it_as_the_first_words(gateway: httpx.Client, core_bank: str) -> None:
    customer = Customer(gateway, language="zh")
    turn = customer.say("直接登记吧")
    assert "非常抱歉" in reply_text(turn)
    found = ticket(core_bank, reply_text(turn))
    assert found.notify_by == "none" and "95-000" in reply_text(turn)


def test_the_story_told_before_i_want_to_complain_is_not_asked_again(
    gateway: httpx.Client, core_bank: str
) -> None:
    customer = Customer(gateway, language="zh")
    story = "12号在光明路支行存的五万现金怎么只到账四万五"
    turn = customer.say(story)  # a question: answered, not yet a complaint
    assert asked(reply_text(turn), QUESTIONS) is None and "受理编号" not in reply_text(turn)
    turn = customer.say("我要投诉")
    assert asked(reply_text(turn), QUESTIONS) != "what", reply_text(turn)
    turn, questions = answer_until_registered(
        customer, turn, {"phone": "不用了", "category": "存款金额不对"}, limit=4
    )
    found = ticket(core_bank, reply_text(turn))
    assert found.description == story and "光明路支行" in found.when_where
    assert found.category == "business_handling"


def test_a_free_text_answer_to_the_category_question_is_understood(
    gateway: httpx.Client, core_bank: str
) -> None:
    customer = Customer(gateway, language="zh")
    turn = customer.say("我要投诉，上周五在河西支行发生了一件事")  # when and where; what kind?
    answers = {"phone": "不用了", "category": "就是那个柜员态度不好"}
    turn, questions = answer_until_registered(customer, turn, answers, limit=3)
    assert questions == ["phone", "category"]  # asked once, never refused
    found = ticket(core_bank, reply_text(turn))
    assert found.category == "service_attitude" and "河西支行" in found.when_where


@pytest.mark.parametrize(
    ("language", "first", "answers"),
    [
        (
            "zh",
            "我要投诉，上周三下午在人民广场支行发生的事",
            {"phone": "不用了", "category": "我的隐私被当众说出来了"},
        ),
        (
            "en",
            "I want to make a complaint",
            {
                "what": "My personal details have been passed on without my consent.",
                "category": "My personal details have been passed on without my consent.",
                "when_where": "last Tuesday, at the Jing'an branch",
                "phone": "/deny",
            },
        ),
    ],
)
def test_a_privacy_answer_to_the_form_is_an_answer(
    gateway: httpx.Client, core_bank: str, language: str, first: str, answers: dict[str, str]
) -> None:
    """Read half as fraud by the classifier, it is still the answer: the reference, no warning."""
    customer = Customer(gateway, language=language)
    turn, questions = answer_until_registered(customer, customer.say(first), answers, limit=4)
    assert {"what", "category"} & set(questions), questions
    assert WARNING[language] not in reply_text(turn)
    assert ticket(core_bank, reply_text(turn)).category == "information_security"


@pytest.mark.parametrize(
    ("language", "first", "phone", "victim"),
    [
        (
            "zh",
            "我要投诉，上周三下午在人民广场支行发生的事",
            "不用了",
            "有人冒充客服骗走了我的验证码，卡里少了五千",
        ),
        (
            "en",
            "I want to make a complaint",
            "/deny",
            "someone used my card without permission, 3 payments I never made",
        ),
    ],
)
def test_a_victim_inside_the_complaint_form_is_warned_then_queued_urgently(
    gateway: httpx.Client,
    supervisor: dict[str, str],
    language: str,
    first: str,
    phone: str,
    victim: str,
) -> None:
    customer = Customer(gateway, language=language)
    turn = customer.say(first)
    while asked(reply_text(turn), QUESTIONS) == "phone":
        turn = customer.say(phone)
    assert asked(reply_text(turn), QUESTIONS) is not None, reply_text(turn)
    assert_warned_then_queued(gateway, supervisor, customer, customer.say(victim), language)


def test_an_english_product_complaint_without_a_number(
    gateway: httpx.Client, supervisor: dict[str, str], core_bank: str
) -> None:
    customer = Customer(gateway, language="en")
    customer.say("I want to make a complaint")
    turn = customer.say(
        "I was sold a wealth product last month at the Pudong branch and nobody explained the risks"
    )
    turn, questions = answer_until_registered(
        customer, turn, {"phone": "/deny", "when_where": "last month, Pudong branch",
                         "category": "the product itself"}, limit=4,
    )  # fmt: skip
    text = reply_text(turn)
    assert "7 to 10 working days" in text and "95-000" in text, text
    assert ticket(core_bank, text).category == "product"
    turn = customer.say("yes please")
    assert_queued(gateway, supervisor, customer, turn, "complaint", "high", "en")


@pytest.mark.parametrize(("language", "stop"), [("zh", "算了"), ("en", "never mind")])
def test_a_complaint_can_be_cancelled(gateway: httpx.Client, language: str, stop: str) -> None:
    customer = Customer(gateway, language=language)
    customer.say("我要投诉" if language == "zh" else "I want to make a complaint")
    turn = customer.say(stop)
    assert ("取消本次投诉" if language == "zh" else "stopped the complaint") in reply_text(turn)
    assert turn["state"] == "bot" and turn["handoff"] is None
    turn = customer.say("你们几点开门" if language == "zh" else "what are your opening hours")
    assert "09:00" in reply_text(turn)  # the form is gone: questions are answered again


def test_no_to_the_offer_keeps_the_bot(gateway: httpx.Client) -> None:
    customer = Customer(gateway, language="zh")
    customer.say("我要投诉")
    turn = customer.say("网银转账重复扣了两次手续费")
    turn, _ = answer_until_registered(
        customer, turn, {"when_where": "上周五，手机银行", "phone": "/deny"}, limit=4
    )
    assert "3个工作日" in reply_text(turn)
    turn = customer.say("/deny")
    assert "感谢您对我们工作的监督" in reply_text(turn) and turn["handoff"] is None
    assert turn["state"] == "bot"
