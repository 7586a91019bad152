"""The FAQ assistant through the gateway, real engine and action server (issue 4)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from bankbot.local_stack import RunningStack
from faqs.files import load_faqs
from tests.support.customer import Customer, reply_text

pytestmark = pytest.mark.integration

FAQS = load_faqs()
ANSWERS = {faq.answer[lang].strip() for faq in FAQS for lang in ("zh", "en")}


def answered_faq(turn: dict) -> bool:
    text = reply_text(turn)
    return any(answer in text for answer in ANSWERS)


@pytest.mark.parametrize("faq", FAQS, ids=[f.id for f in FAQS])
@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_faq_is_answered_in_the_customers_language(
    gateway: httpx.Client, faq, language: str
) -> None:
    customer = Customer(gateway, language=language)
    turn = customer.say(faq.question[language])
    text = reply_text(turn)
    assert faq.answer[language].strip() in text, text
    closing = "请问这个回答对您有帮助吗" if language == "zh" else "Did that answer your question"
    assert closing in text  # rule 6: each answer checks it helped
    assert turn["handoff"] is None


@pytest.mark.parametrize(("language", "question"), [("zh", "手续费"), ("en", "fees")])
def test_an_ambiguous_question_gets_choices_and_a_choice_is_answered(
    gateway: httpx.Client, language: str, question: str
) -> None:
    customer = Customer(gateway, language=language)
    turn = customer.say(question)
    buttons = [b for r in turn["replies"] for b in r["buttons"]]
    faq_buttons = [b for b in buttons if b["payload"].startswith("/choose_faq")]
    assert 2 <= len(faq_buttons) <= 3, buttons
    assert not answered_faq(turn)
    chosen = faq_buttons[0]
    answer = customer.say(chosen["payload"])
    assert answered_faq(answer), reply_text(answer)


@pytest.mark.parametrize(
    ("language", "question", "expected"),
    [("zh", "今天天气怎么样", "开户"), ("en", "tell me a joke about cats", "account")],
)
def test_out_of_scope_gets_a_polite_answer_saying_what_it_can_do(
    gateway: httpx.Client, language: str, question: str, expected: str
) -> None:
    customer = Customer(gateway, language=language)
    turn = customer.say(question)
    text = reply_text(turn)
    assert expected in text and not answered_faq(turn)
    assert turn["state"] == "bot"


def test_language_follows_the_customer_and_can_be_switched(gateway: httpx.Client) -> None:
    answers = {faq.id: faq.answer for faq in FAQS}
    customer = Customer(gateway, language="zh")
    assert answers["opening_hours"]["zh"] in reply_text(customer.say("你们几点开门"))
    assert answers["hotline"]["en"] in reply_text(
        customer.say("what is your customer service number")
    )
    assert "English" in reply_text(customer.say("说英文"))
    # A Chinese question after the switch is answered in English.
    assert answers["transfer_fees"]["en"] in reply_text(customer.say("转账手续费怎么收"))
    assert "中文" in reply_text(customer.say("请用中文回答"))
    assert answers["open_account"]["zh"] in reply_text(customer.say("how do i open an account"))


@pytest.mark.parametrize(
    ("language", "question"),
    [
        ("zh", "我要申诉一笔信用卡扣款，不是我消费的"),
        ("en", "I need help with an insurance claim for my late father"),
    ],
)
def test_complex_topics_go_to_a_specialist(
    gateway: httpx.Client, language: str, question: str
) -> None:
    customer = Customer(gateway, language=language)
    turn = customer.say(question)
    assert turn["handoff"] is not None
    assert turn["handoff"]["reason"] in {"complex_topic", "fraud_risk"}
    assert turn["state"] == "queued"


ODD_INPUTS = [
    "😀😀😀",
    "12345678",
    "好" * 2000,
    "<b>hello</b><script>alert(1)</script>",
    "https://example.com/some/page?id=1",
    "？？？？！！！",
    "asdkjh qweoiu zxcv",
    "ну что это такое",
]


@pytest.mark.parametrize("text", ODD_INPUTS, ids=range(len(ODD_INPUTS)))
def test_odd_input_gets_a_sensible_reply_and_never_a_confident_faq(
    gateway: httpx.Client, text: str
) -> None:
    customer = Customer(gateway, language="zh")
    turn = customer.say(text)
    assert turn["replies"] and all(r["text"].strip() for r in turn["replies"])
    assert not answered_faq(turn), reply_text(turn)
    assert "非常抱歉，系统" not in reply_text(turn)  # not the system-failure apology


def _actions_of_latest_turn(stack: RunningStack, conversation_id: str) -> list[str]:
    """The actions the engine ran for the customer's latest message (its tracker)."""
    with httpx.Client(
        base_url=stack.config.engine_url, params={"token": stack.config.engine_token}, timeout=30
    ) as engine:
        response = engine.get(f"/conversations/{conversation_id}/tracker")
    response.raise_for_status()
    ran: list[str] = []
    for event in response.json()["events"]:
        if event.get("event") == "user":
            ran = []
        elif event.get("event") == "action":
            ran.append(str(event.get("name")))
    return ran


@pytest.mark.parametrize(
    "messages",
    [["What are your opening hours?"], ["fees", '/choose_faq{"faq_key":"account_fees"}']],
    ids=["answer", "did-you-mean-then-a-button"],
)
def test_an_faq_turn_calls_no_action(
    gateway: httpx.Client, stack: RunningStack, messages: list[str]
) -> None:
    """Answer, "did you mean…" and a button are the engine's own (issue 13, item 1):
    each turn's only action is the reply ``utter_answer_faq``."""
    customer = Customer(gateway, language="en")
    for text in messages:
        turn = customer.say(text)
        ran = _actions_of_latest_turn(stack, customer.id)
        assert ran == ["utter_answer_faq", "action_listen"], (text, ran)
    assert answered_faq(turn)


def test_the_second_faq_miss_hands_over_from_the_engine(stack: RunningStack) -> None:
    """A miss, then a button for a FAQ the model lacks: the engine hands over itself, with
    evidence (the gateway passes only buttons it offered, so this goes to the engine)."""
    sender = f"faq-miss-{uuid.uuid4().hex[:8]}"
    replies: list[dict[str, Any]] = []
    for text in ["fees", '/choose_faq{"faq_key":"no_such_faq"}']:
        response = httpx.post(
            f"{stack.config.engine_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text, "metadata": {"language": "en"}},
            timeout=60,
        )
        assert response.status_code == 200, response.text
        replies = list(response.json())
        assert _actions_of_latest_turn(stack, sender) == ["utter_answer_faq", "action_listen"]
    handoff = [r["custom"]["handoff"] for r in replies if "handoff" in (r.get("custom") or {})]
    assert [(h["reason"], h["priority"]) for h in handoff] == [("low_confidence", "normal")]
    assert handoff[0]["evidence"]["messages"] == ["fees"]
    assert handoff[0]["evidence"]["detector"] == "low_confidence"
