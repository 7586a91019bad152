"""The chat widget on the demo page, in Chromium, against a real gateway whose engine is down.

With the engine down the gateway still answers every message (an apology and
a "转人工客服" button) and takes the customer to the queue, which is all the
widget's own behaviour needs: buttons, typing, queue, reload, retry, rating.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Route, expect

from tests.browser.chat import Chat, assert_log_matches_server, server_history
from tests.browser.conftest import Browsing, GatewayProcess, Shoot
from tests.browser.gateway_db import write_as_the_bank

pytestmark = pytest.mark.browser


def open_demo(
    browsing: Callable[..., Browsing], gateway: GatewayProcess, path: str = "/"
) -> tuple[Browsing, Chat]:
    session = browsing()
    page = session.new_page()
    page.goto(gateway.url + path)
    return session, Chat(page)


def is_post_message(url: str) -> bool:
    return bool(re.search(r"/api/conversations/[^/]+/messages$", url))


def test_launcher_opens_a_conversation_and_greets(
    browsing: Callable[..., Browsing], gateway: GatewayProcess, shoot: Shoot
) -> None:
    session, chat = open_demo(browsing, gateway)
    expect(chat.launcher).to_be_visible()
    expect(chat.launcher).to_have_text(re.compile("在线客服"))
    expect(chat.window).to_be_hidden()
    shoot(chat.page, "01-demo-page-launcher")
    # No conversation is created before the customer asks for one.
    assert chat.page.evaluate("() => Object.keys(sessionStorage).length") == 0

    chat.open()
    greeting = chat.bubbles()[0]
    assert greeting["sender"] == "bot" and "海港银行" in greeting["text"]
    expect(chat.find(".log time").first).to_have_text(re.compile(r"^\d\d:\d\d$"))
    expect(chat.input).to_be_focused()
    # The transcript is a list; what is new is said once by the polite live region.
    expect(chat.page.get_by_role("list", name="聊天记录")).to_be_visible()
    expect(chat.find("[aria-live=polite]")).to_have_count(1)
    # The token lives in sessionStorage, never in the URL.
    stored = chat.session()
    assert stored["conversation_id"] and len(stored["token"]) >= 32
    assert stored["token"] not in chat.page.url
    shoot(chat.page, "02-window-open-greeting")
    session.assert_clean()


def test_typing_indicator_buttons_and_queue_position(
    browsing: Callable[..., Browsing], gateway: GatewayProcess, shoot: Shoot
) -> None:
    session, chat = open_demo(browsing, gateway)
    chat.open()
    # Hold the POST so the "typing" state can be seen, then let it through.
    held: list[Route] = []
    chat.page.route(is_post_message, lambda route: held.append(route))
    chat.send("你们几点开门")
    expect(chat.find(".typing")).to_be_visible()
    expect(chat.find(".msg.pending .bubble")).to_have_text("你们几点开门")
    shoot(chat.page, "03-typing-indicator")
    assert len(held) == 1
    held[0].continue_()
    chat.page.unroute(is_post_message)

    chat.wait_for_text("非常抱歉")
    expect(chat.find(".typing")).to_be_hidden()
    human = chat.chip("转人工客服")
    expect(human).to_be_visible()
    shoot(chat.page, "04-quick-reply-button")

    human.click()
    # The offer is used up (the queued reply brings its own "leave the queue" chip).
    expect(chat.chip("转人工客服")).to_have_count(0)
    # The customer's bubble shows the button's title, not its payload.
    chat.wait_for_bubbles(3, sender="bot")
    customer = [b["text"] for b in chat.bubbles() if b["sender"] == "customer"]
    assert customer == ["你们几点开门", "转人工客服"]
    banner = chat.find(".banner.queue")
    expect(banner).to_be_visible()
    # Nobody is online at this gateway: no wait is made up.
    expect(banner).to_have_text("排队中：下一位就是您，目前暂无客服在线。")
    expect(chat.find(".subtitle")).to_have_text(re.compile("转接人工客服"))
    stored = assert_log_matches_server(chat, gateway.url)
    assert stored[3]["text"] == "/request_human"
    shoot(chat.page, "05-queued-position-and-wait")
    session.assert_clean()


def test_reload_keeps_the_conversation_and_its_history(
    browsing: Callable[..., Browsing], gateway: GatewayProcess
) -> None:
    session, chat = open_demo(browsing, gateway)
    chat.open()
    for text in ("第一个问题", "second question"):
        chat.send(text)
    chat.wait_for_bubbles(5)
    before = chat.bubbles()
    conversation = chat.session()["conversation_id"]

    chat.page.reload()
    chat.wait_for_bubbles(5)
    expect(chat.window).to_be_visible()  # it was open: it stays open
    after = chat.bubbles()
    assert [(b["seq"], b["sender"], b["text"]) for b in after] == [
        (b["seq"], b["sender"], b["text"]) for b in before
    ]
    assert chat.session()["conversation_id"] == conversation
    assert chat.session()["last_seq"] == 5
    # The conversation goes on after the reload, without repeating anything.
    chat.send("third")
    chat.wait_for_bubbles(7)
    assert_log_matches_server(chat, gateway.url)
    session.assert_clean()


def test_a_failed_message_is_retried_with_the_same_client_message_id(
    browsing: Callable[..., Browsing], gateway: GatewayProcess, shoot: Shoot
) -> None:
    session, chat = open_demo(browsing, gateway)
    chat.open()
    attempts: list[dict[str, Any]] = []

    def first_fails(route: Route) -> None:
        attempts.append(json.loads(route.request.post_data or "{}"))
        if len(attempts) == 1:
            route.abort("connectionreset")
        else:
            route.continue_()

    chat.page.route(is_post_message, first_fails)
    chat.send("请帮我查一下")
    retry = chat.find(".msg.failed .retry")
    expect(retry).to_be_visible()
    expect(chat.find(".msg.failed .status")).to_contain_text("发送失败")
    shoot(chat.page, "06-failed-message-retry")

    retry.click()
    chat.wait_for_bubbles(3)
    expect(chat.find(".msg.failed")).to_have_count(0)
    assert len(attempts) == 2
    assert attempts[0]["client_message_id"] == attempts[1]["client_message_id"]
    stored = assert_log_matches_server(chat, gateway.url)
    assert [m["text"] for m in stored if m["sender"] == "customer"] == ["请帮我查一下"]
    session.assert_clean()


def test_language_toggle_switches_the_interface_and_the_assistant(
    browsing: Callable[..., Browsing], gateway: GatewayProcess, shoot: Shoot
) -> None:
    session, chat = open_demo(browsing, gateway)
    chat.open()
    toggle = chat.find("header .tool").filter(has_text="English")
    toggle.click()
    expect(chat.find(".send")).to_have_text("Send")
    expect(chat.find("#bb-title")).to_have_text("Harbour Bank chat")
    expect(chat.input).to_have_attribute("placeholder", "Type your question…")
    # The assistant is told in the conversation itself, and answers in English.
    chat.wait_for_bubbles(3)
    customer = [b["text"] for b in chat.bubbles() if b["sender"] == "customer"]
    assert customer == ["please answer in English"]
    assert "sorry" in chat.bubbles()[-1]["text"].lower()
    shoot(chat.page, "07-english-interface")

    # A new conversation starts in the chosen language.
    chat.find("header .tool").filter(has_text="End chat").click()
    chat.find(".csat .link").filter(has_text="Skip").click()
    chat.find(".csat .primary").filter(has_text="Start a new chat").click()
    chat.wait_for_bubbles(1)
    assert chat.bubbles()[0]["text"].startswith("Hello, this is Harbour Bank")
    # And back to Chinese.
    chat.find("header .tool").filter(has_text="中文").click()
    expect(chat.find(".send")).to_have_text("发送")
    chat.wait_for_bubbles(1, sender="customer")
    assert [b["text"] for b in chat.bubbles() if b["sender"] == "customer"] == ["请用中文回答"]
    session.assert_clean()


def test_satisfaction_prompt_at_the_end_then_a_new_chat(
    browsing: Callable[..., Browsing], gateway: GatewayProcess, shoot: Shoot
) -> None:
    session, chat = open_demo(browsing, gateway)
    chat.open()
    first = chat.session()
    chat.find("header .tool").filter(has_text="结束对话").click()
    expect(chat.find(".csat")).to_be_visible()
    expect(chat.find(".csat .chip")).to_have_text(["非常满意", "一般", "不满意"])
    expect(chat.find(".csat .chip").first).to_be_focused()
    shoot(chat.page, "08-satisfaction-prompt")

    with chat.page.expect_response(lambda r: r.url.endswith("/csat")) as rated:
        chat.find(".csat .chip").filter(has_text="非常满意").click()
    assert rated.value.status == 200
    assert rated.value.request.post_data_json == {"score": "very_satisfied", "comment": None}
    expect(chat.find(".csat .thanks")).to_have_text("感谢您的评价！")
    expect(chat.input).to_be_disabled()
    shoot(chat.page, "09-satisfaction-thanks")
    # The ended conversation is forgotten: a new one starts on request.
    assert chat.page.evaluate("() => Object.keys(sessionStorage).length") == 0
    chat.find(".csat .primary").click()
    chat.wait_for_bubbles(1)
    assert chat.session()["conversation_id"] != first["conversation_id"]
    expect(chat.input).to_be_enabled()
    session.assert_clean()


def test_agent_messages_show_the_agent_name(
    browsing: Callable[..., Browsing], gateway: GatewayProcess, shoot: Shoot
) -> None:
    session, chat = open_demo(browsing, gateway)
    chat.open()
    stored = chat.session()
    # An agent joins and writes (straight into the gateway's database, as the desk would).
    write_as_the_bank(
        gateway.database_url,
        stored["conversation_id"],
        [
            ("system", "人工客服 小王 已加入对话", None),
            ("agent", "您好，我是客服小王，请问有什么可以帮您？", "小王"),
        ],
        state="agent",
    )
    chat.page.reload()
    chat.wait_for_bubbles(3)
    agent = chat.bubbles()[-1]
    assert agent["sender"] == "agent" and agent["who"] == "小王"
    expect(chat.find(".subtitle")).to_have_text("人工客服 小王 为您服务")
    expect(chat.find(".banner.agent")).to_have_text("人工客服 小王 正在为您服务。")
    shoot(chat.page, "10-agent-joined")
    assert (
        server_history(gateway.url, stored["conversation_id"], stored["token"])[-1]["agent_name"]
        == "小王"
    )
    session.assert_clean()
