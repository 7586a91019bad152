"""Fraud routing that cannot lose a victim (issue 11, item 3), on the real stack.

The customer talks to the gateway as the widget does; the engine's learned
fraud-victim detector, the escalation policy and the action server decide.
A victim — money sent to a "safe account", a PIN typed into a phishing link,
a screen-sharing app installed for a caller — gets the fraud warning, then an
urgent handoff, whatever intent the classifier ranked first (some of these
read as an FAQ or as nothing at all). A question about avoiding fraud gets
the prevention FAQ and stays with the bot.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.integration.test_escalation import assert_queued, supervisor  # noqa: F401 - fixture
from tests.support.customer import Customer, reply_text

pytestmark = pytest.mark.integration

WARNING = {"zh": "安全账户", "en": "safe account"}
HANDOFF_SAID = {"zh": "优先转接人工客服", "en": "with priority"}
PREVENTION_ANSWER = {"zh": "验证码", "en": "code"}


def assert_warned_then_queued(
    gateway: httpx.Client,
    supervisor: dict[str, str],  # noqa: F811 - the fixture's value
    customer: Customer,
    turn: dict[str, Any],
    language: str,
) -> None:
    """The fraud warning, then the person's words, and the conversation queued urgently."""
    said = reply_text(turn)
    assert WARNING[language] in said and HANDOFF_SAID[language] in said, said
    assert said.index(WARNING[language]) < said.index(HANDOFF_SAID[language])
    # the warning without the FAQ's "did that help?": nothing to answer, a person comes
    assert "有帮助吗" not in said and "did that answer" not in said.lower()
    assert_queued(gateway, supervisor, customer, turn, "fraud_risk", "urgent", language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("zh", "我按照对方说的把钱转到了安全账户，现在联系不上他了"),
        ("zh", "我点了短信里的链接，还输入了银行卡密码"),  # the classifier is unsure
        ("zh", "刚才有个自称客服的人让我装了一个屏幕共享的软件，他说帮我退款"),
        (
            "en",
            'I moved my savings to a "safe account" the caller gave me and now he won\'t pick up',
        ),
        ("en", "I typed my PIN into a link from a text message"),
        # the classifier's first choice is the app-download FAQ
        (
            "en",
            'a guy from "the bank" had me install a screen sharing app and now my balance is lower',
        ),
    ],
)
def test_a_victim_is_warned_then_queued_urgently(
    gateway: httpx.Client,
    supervisor: dict[str, str],  # noqa: F811 - the fixture
    language: str,
    text: str,
) -> None:
    customer = Customer(gateway, language=language)
    assert_warned_then_queued(gateway, supervisor, customer, customer.say(text), language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("zh", "怎么防范电信诈骗"),
        ("zh", "有人让我转到安全账户，这是真的吗"),
        ("en", "how can I protect myself from phone scams?"),
    ],
)
def test_a_prevention_question_gets_the_faq_and_stays_with_the_bot(
    gateway: httpx.Client, language: str, text: str
) -> None:
    turn = Customer(gateway, language=language).say(text)
    said = reply_text(turn)
    assert turn["handoff"] is None and turn["state"] == "bot", said
    assert WARNING[language] in said and PREVENTION_ANSWER[language] in said, said


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # a weak victim flag (about 0.3) on words the classifier reads as no
        # fraud (common.escalation.WEAK_FLAG): a code that does not arrive and
        # an app glitch, calm problems of the seen blind sets test39 and test32
        ("en", "I'm not getting the SMS code to reset my password. My number hasn't changed."),
        ("zh", "手机银行登录时一直卡在“安全检测中”，等了五分钟都没反应"),
    ],
)
def test_a_weak_victim_flag_on_a_calm_problem_gets_no_fraud_warning(
    gateway: httpx.Client, language: str, text: str
) -> None:
    turn = Customer(gateway, language=language).say(text)
    said = reply_text(turn)
    assert turn["handoff"] is None and turn["state"] == "bot", said
    assert WARNING[language] not in said, said


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("zh", "怎么防范电信诈骗"),
        ("en", "how can I protect myself from phone scams?"),
    ],
)
def test_under_the_prevention_answer_a_victim_is_one_tap_from_a_person(
    gateway: httpx.Client,
    supervisor: dict[str, str],  # noqa: F811 - the fixture
    language: str,
    text: str,
) -> None:
    """A victim the detector did not recognise presses the button and is queued urgently."""
    customer = Customer(gateway, language=language)
    turn = customer.say(text)
    buttons = [b for r in turn["replies"] for b in r["buttons"]]
    assert [b["payload"] for b in buttons] == ["/report_fraud"], buttons
    turn = customer.say(buttons[0]["payload"])
    assert_warned_then_queued(gateway, supervisor, customer, turn, language)


def test_a_victim_during_verification_is_queued_urgently(
    gateway: httpx.Client,
    supervisor: dict[str, str],  # noqa: F811 - the fixture
) -> None:
    customer = Customer(gateway, language="zh")
    customer.say("查余额")
    turn = customer.say("等一下，刚才有人冒充客服打电话，我已经把验证码告诉他了，钱被转走了")
    assert "身份证号码的后四位" not in reply_text(turn)
    assert_queued(gateway, supervisor, customer, turn, "fraud_risk", "urgent", "zh")
