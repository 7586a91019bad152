"""Whole customer journeys in the widget, with the real assistant behind it.

The stack of the integration tests (engine, action server, gateway: real
processes) answers. A customer is verified in the widget with the code read
from the development SMS outbox, and a customer is handed over to an agent who
works in the console, in a second browser context: claim, reply, close back
to the bot; the customer rates the chat and the bot answers again.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from bankbot.local_stack import RunningStack
from tests.browser.accessibility import Axe
from tests.browser.chat import Chat, assert_log_matches_server
from tests.browser.conftest import Browsing, Shoot
from tests.browser.staff import Desk, desk_api, log_in, log_out

pytestmark = [pytest.mark.browser, pytest.mark.integration]


_CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")


# ---- the dev SMS outbox -----------------------------------------------------------------


def newest_sms(gateway_url: str, phone: str) -> dict[str, Any] | None:
    """The newest text to `phone` so far (newest first; the outbox is bounded)."""
    response = httpx.get(f"{gateway_url}/api/dev/sms", params={"phone": phone}, timeout=10)
    response.raise_for_status()
    messages: list[dict[str, Any]] = response.json()["messages"]
    return messages[0] if messages else None


def code_sent_after(
    gateway_url: str, phone: str, before: dict[str, Any] | None, timeout_s: float = 20
) -> str:
    """The 6-digit code of the first text to `phone` newer than `before`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        newest = newest_sms(gateway_url, phone)
        if newest is not None and newest != before:
            match = _CODE.search(newest["text"])
            assert match, newest["text"]
            return match.group(0)
        time.sleep(0.2)
    raise AssertionError(f"no new SMS to {phone} within {timeout_s} s")


# ---- verification -----------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    phone: str
    id_last4: str
    language: str
    ask: str  # asking for the balance
    ask_phone: str  # in the bot's request for the phone number
    ask_id: str  # in the bot's request for the ID digits
    balance: str  # in the bot's answer once verified

    @property
    def masked_phone(self) -> str:
        return f"{self.phone[:3]}****{self.phone[-4:]}"


ZHANG = Person(
    phone="13800138000",
    id_last4="1234",
    language="zh",
    ask="我要查余额",
    ask_phone="请输入您在本行预留的11位手机号码",
    ask_id="请输入您身份证号码的后四位",
    balance="12,345.67",
)
EMILY = Person(
    phone="13900139000",
    id_last4="5678",
    language="en",
    ask="what's my balance",
    ask_phone="Please enter the 11-digit mobile number",
    ask_id="Please enter the last four characters of your ID number",
    balance="8,800.00",
)


def verify_in_the_widget(
    chat: Chat,
    gateway_url: str,
    person: Person,
    waiting_for_the_code: Callable[[], None] | None = None,
) -> tuple[str, str]:
    """Ask for the balance and go through phone, ID digits and SMS code; returns (code, answer).

    `waiting_for_the_code` runs while the customer has been texted and not yet typed the code.
    """
    before = chat.server_count()
    chat.send(person.ask)
    chat.wait_for_reply(person.ask_phone, after=before)

    before = chat.server_count()
    chat.send(person.phone)
    chat.wait_for_reply(person.ask_id, after=before)

    seen = newest_sms(gateway_url, person.phone)
    before = chat.server_count()
    chat.send(person.id_last4)
    chat.wait_for_reply(person.masked_phone, after=before)  # "… sent to 138****8000"
    expect(chat.chip("重新发送" if person.language == "zh" else "Resend code")).to_be_visible()
    code = code_sent_after(gateway_url, person.phone, seen)
    if waiting_for_the_code is not None:
        waiting_for_the_code()

    before = chat.server_count()
    chat.send(code)
    answer = chat.wait_for_reply(person.balance, after=before)
    return code, answer


def assert_secrets_masked(chat: Chat, person: Person, code: str) -> None:
    """The widget shows the gateway's masked copies: no number, no code in clear."""
    expect(chat.find(".log > li.pending")).to_have_count(0)
    bubbles = chat.bubbles()
    said = [b["text"] for b in bubbles if b["sender"] == "customer"]
    assert person.masked_phone in said, said
    assert "******" in said, said
    for bubble in bubbles:
        assert code not in bubble["text"], bubble
        if bubble["sender"] == "customer":
            assert person.phone not in bubble["text"], bubble
    # What the customer sees, not only what the DOM holds.
    said_bubbles = chat.find(".log > li.from-customer .bubble")
    expect(said_bubbles.filter(has_text=person.masked_phone)).to_be_visible()
    expect(said_bubbles.filter(has_text=re.compile(r"^\*{6}$"))).to_be_visible()
    answers = chat.find(".log > li.from-bot .bubble")
    expect(answers.filter(has_text=person.balance).last).to_be_visible()


def test_verification_in_the_widget_zh(
    stack: RunningStack, browsing: Callable[..., Browsing], shoot: Shoot, axe: Axe
) -> None:
    session = browsing()
    page = session.new_page()
    page.goto(stack.gateway_url + "/")
    chat = Chat(page)
    chat.open()

    def mid_verification() -> None:
        axe.check(page, "widget during verification, the code sent")
        outbox = session.new_page()
        outbox.goto(stack.gateway_url + "/dev/sms")
        axe.check(outbox, "SMS outbox with the code")
        outbox.close()

    code, answer = verify_in_the_widget(chat, stack.gateway_url, ZHANG, mid_verification)
    assert "验证成功，张伟，您好！" in answer, answer
    assert "12,345.67 元" in answer, answer
    assert_secrets_masked(chat, ZHANG, code)
    expect(chat.find(".typing")).to_be_hidden()
    expect(chat.input).to_be_enabled()
    shoot(page, "30-verified-balance")
    axe.check(page, "widget verified, balance shown")
    assert_log_matches_server(chat, stack.gateway_url)
    session.assert_clean()


def test_verification_in_the_widget_en(
    stack: RunningStack, browsing: Callable[..., Browsing]
) -> None:
    session = browsing(locale="en-GB")
    page = session.new_page()
    page.goto(stack.gateway_url + "/?lang=en")
    chat = Chat(page)
    expect(chat.launcher).to_have_text("Chat with us")
    chat.open()

    code, answer = verify_in_the_widget(chat, stack.gateway_url, EMILY)
    assert "Thank you, Emily Chen, you're verified." in answer, answer
    assert "CNY 8,800.00" in answer, answer
    assert_secrets_masked(chat, EMILY, code)
    assert_log_matches_server(chat, stack.gateway_url)
    session.assert_clean()


# ---- handoff to an agent in the console -------------------------------------------------


@pytest.fixture
def desk(stack: RunningStack) -> Iterator[Desk]:
    """agent1 logged in over the API (so online); afterwards closes what the test claimed."""
    with desk_api(stack.gateway_url) as desk:
        yield desk


AGENT_HELLO = "您好，我是客服小王，请问有什么可以帮您？"
CUSTOMER_ANSWER = "我想了解一下信用卡的额度调整"


def test_handoff_to_an_agent_in_the_console(
    stack: RunningStack, desk: Desk, browsing: Callable[..., Browsing], shoot: Shoot, axe: Axe
) -> None:
    # The customer asks for a person and is queued.
    customer = browsing()
    page = customer.new_page()
    page.goto(stack.gateway_url + "/")
    chat = Chat(page)
    chat.open()
    before = chat.server_count()
    chat.send("转人工")
    chat.wait_for_reply("正在为您转接人工客服", after=before)
    queue_banner = chat.find(".banner.queue")
    expect(queue_banner).to_have_text(
        re.compile(
            r"^排队中：(下一位就是您|您前面还有 \d+ 位客户)，"
            r"预计等待(不到1分钟|约\d+分钟|\d+–\d+分钟)。$"
        )
    )
    expect(chat.find(".subtitle")).to_have_text("正在为您转接人工客服")
    handoff = desk.waiting(chat.session()["conversation_id"])
    handoff_id = handoff["id"]

    agent = browsing()
    console = agent.new_page()
    try:
        # The agent logs in to the console and sees the chat in the live queue.
        log_in(console, stack.gateway_url, "agent1")
        expect(console.locator("#link-status")).to_have_text(re.compile("Live"))
        row = console.locator("#queue-rows tr").filter(
            has=console.get_by_role("button", name=f"接入 Claim #{handoff_id}", exact=True)
        )
        expect(row).to_contain_text("要求人工 Asked for an agent")
        row.get_by_role("button", name=f"接入 Claim #{handoff_id}", exact=True).click()

        pane = console.get_by_role("article", name=re.compile(rf"^#{handoff_id} "))
        expect(pane).to_be_visible()
        expect(pane).to_contain_text(f"人工 Agent · {desk.name}")
        transcript = pane.get_by_role("list", name=f"对话记录 Transcript #{handoff_id}")
        expect(transcript).to_contain_text("转人工")
        reply = pane.get_by_label("回复客户 Reply")
        expect(reply).to_be_focused()
        assert handoff_id in desk.held()

        # The customer is told at once who joined.
        expect(chat.find(".subtitle")).to_have_text(f"人工客服 {desk.name} 为您服务")
        expect(queue_banner).to_have_count(0)

        # The agent greets the customer; the customer sees it with the agent's name.
        reply.fill(AGENT_HELLO)
        reply.press("Enter")
        expect(reply).to_have_value("")
        expect(transcript.locator("li.agent")).to_contain_text(AGENT_HELLO)
        shoot(console, "31-console-claimed")
        axe.check(console, "console, a chat claimed from the live queue")

        chat.wait_for_text(AGENT_HELLO)
        greeting = next(b for b in chat.bubbles() if b["text"] == AGENT_HELLO)
        assert greeting["sender"] == "agent" and greeting["who"] == desk.name, greeting
        agent_bubble = chat.find(".log > li.from-agent").filter(has_text=AGENT_HELLO)
        expect(agent_bubble.locator(".who")).to_have_text(desk.name)
        expect(agent_bubble.locator(".who")).to_be_visible()
        expect(chat.find(".banner.agent")).to_have_text(f"人工客服 {desk.name} 正在为您服务。")
        shoot(page, "32-customer-sees-agent")
        axe.check(page, "widget with an agent, live")

        # The customer answers; the agent sees it live, and the bot stays quiet.
        before = chat.server_count()
        chat.send(CUSTOMER_ANSWER)
        chat.wait_for_bubbles(before + 1)
        expect(transcript.locator("li.customer").filter(has_text=CUSTOMER_ANSWER)).to_have_count(1)
        page.wait_for_timeout(500)
        assert chat.server_count() == before + 1, chat.bubbles()[before:]

        # The agent closes the chat back to the bot.
        pane.get_by_label("处理结果 Resolution").fill("已解答信用卡额度问题")
        pane.get_by_label(re.compile("Return to the bot")).check()
        pane.get_by_role("button", name="结束会话 Close chat").click()
        expect(pane).to_have_count(0)
        expect(console.locator("#notice")).to_contain_text(f"Chat #{handoff_id} closed")
        assert handoff_id not in desk.held()

        # The customer is asked for a rating, rates, and the assistant is back.
        csat = chat.find(".csat")
        expect(csat).to_contain_text("请您对本次服务进行评价：")
        expect(csat.locator(".chip")).to_have_count(3)
        expect(chat.find(".subtitle")).to_have_text("智能客服 · 7×24 小时为您服务")
        expect(chat.input).to_be_enabled()
        with page.expect_response(lambda r: r.url.endswith("/csat")) as rated:
            csat.get_by_role("button", name="非常满意").click()
        assert rated.value.status == 200
        assert rated.value.json() == {"score": "very_satisfied"}
        expect(csat.locator(".thanks")).to_have_text("感谢您的评价！")
        axe.check(page, "widget rated, back with the assistant")

        before = chat.server_count()
        chat.send("你们几点开门")
        answer = chat.wait_for_reply("09:00", after=before)
        assert "17:00" in answer, answer
        last = [b for b in chat.bubbles() if b["seq"] is not None][-1]
        assert last["sender"] == "bot", last
        assert_log_matches_server(chat, stack.gateway_url)

        customer.assert_clean()
        agent.assert_clean()
    finally:
        # The console's own session ends too (the desk fixture closes the chat, if still open).
        log_out(console, stack.gateway_url)


def test_the_rating_is_offered_once_when_the_agent_hands_back_to_the_bot(
    stack: RunningStack, desk: Desk, browsing: Callable[..., Browsing]
) -> None:
    session = browsing()
    page = session.new_page()
    page.goto(stack.gateway_url + "/")
    chat = Chat(page)
    chat.open()
    before = chat.server_count()
    chat.send("转人工")
    chat.wait_for_reply("正在为您转接人工客服", after=before)
    handoff_id = desk.waiting(chat.session()["conversation_id"])["id"]
    desk.claim(handoff_id)
    expect(chat.find(".banner.agent")).to_be_visible()
    desk.close(handoff_id, return_to_bot=True)
    csat = chat.find(".csat")
    expect(csat.locator(".chip")).to_have_count(3)
    chat.wait_for_text("请问您对本次服务是否满意？")  # the server's prompt, with score buttons
    rating_titles = re.compile("^(非常满意|一般|不满意)$")
    offered = chat.find(".quick .chip").filter(has_text=rating_titles)
    expect(offered).to_have_count(0, timeout=2_000)  # one way to rate, not two

    csat.get_by_role("button", name="非常满意").click()
    expect(csat.locator(".thanks")).to_be_visible()
    expect(offered).to_have_count(0, timeout=2_000)  # and nothing left to rate again with
