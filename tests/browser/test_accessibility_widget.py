"""The widget for people who use screen readers: axe in every state, what is announced, `lang`.

With the engine down the gateway still answers, queues and hands over to agent1,
who works on the desk's API; axe-core runs inside the page (and the widget's
open shadow root) at each state a customer goes through.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Route, WebSocketRoute, expect

from tests.browser.accessibility import Axe
from tests.browser.chat import Chat, listen, open_widget
from tests.browser.conftest import Browsing, GatewayProcess
from tests.browser.customers import ApiCustomer
from tests.browser.gateway_db import write_as_the_bank
from tests.browser.page_checks import running_animations
from tests.browser.staff import Desk, desk_api

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(gateway: GatewayProcess) -> Iterator[Desk]:
    """agent1 (王芳), online at the desk through its API."""
    with desk_api(gateway.url) as agent:
        yield agent


def is_post_message(url: str) -> bool:
    return bool(re.search(r"/api/conversations/[^/]+/messages$", url))


def test_every_widget_state_passes_axe(
    browsing: Callable[..., Browsing], gateway: GatewayProcess, desk: Desk, axe: Axe
) -> None:
    session = browsing()
    page = session.new_page()
    page.goto(gateway.url + "/")
    chat = Chat(page)
    expect(chat.launcher).to_be_visible()
    axe.check(page, "widget closed on the demo page")

    chat.open()
    axe.check(page, "widget open, greeted")
    chat.send("你们几点开门")
    expect(chat.chip("转人工客服")).to_be_visible()
    axe.check(page, "widget open after one answer")

    page.route(is_post_message, lambda route: route.abort("connectionreset"))
    chat.send("这条消息发不出去")
    expect(chat.find(".msg.failed .retry")).to_be_visible()
    axe.check(page, "widget with a message that failed")
    page.unroute(is_post_message)
    chat.find(".msg.failed .retry").click()
    expect(chat.find(".msg.failed")).to_have_count(0)

    chat.chip("转人工客服").click()
    expect(chat.find(".banner.queue")).to_be_visible()
    axe.check(page, "widget queued")

    handoff = desk.waiting(chat.session()["conversation_id"])["id"]
    desk.claim(handoff)
    expect(chat.find(".banner.agent")).to_be_visible()
    page.keyboard.press("Escape")  # closed meanwhile: the launcher counts the agent's message
    desk.say(handoff, "您好，我是王芳，请问有什么可以帮您？")
    expect(chat.find(".launcher .badge")).to_have_text("1")
    axe.check(page, "widget closed with an unread message")
    chat.launcher.click()
    chat.wait_for_text("我是王芳")
    axe.check(page, "widget with an agent")

    desk.close(handoff, return_to_bot=False)
    expect(chat.find(".csat .chip")).to_have_count(3)
    axe.check(page, "widget at the rating")
    chat.find(".csat .chip").filter(has_text="非常满意").click()
    expect(chat.find(".csat .thanks")).to_be_visible()
    axe.check(page, "widget rated, offering a new chat")

    chat.find("header .tool").filter(has_text="English").click()
    expect(chat.find(".send")).to_have_text("Send")
    axe.check(page, "widget in English")
    session.assert_clean()


def test_the_app_chat_and_a_failed_start_pass_axe(
    browsing: Callable[..., Browsing], gateway: GatewayProcess, axe: Axe
) -> None:
    session = browsing(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = session.new_page()
    page.goto(gateway.url + "/chat?channel=app")
    chat = Chat(page)
    chat.wait_for_bubbles(1)
    axe.check(page, "app chat, greeted")
    chat.send("我的银行卡丢了")
    chat.wait_for_bubbles(3)
    axe.check(page, "app chat after one answer")

    # The gateway cannot be reached when the chat starts: an error with a way to try again.
    failing = browsing().new_page()
    failing.route("**/api/conversations", lambda route: route.abort("connectionrefused"))
    failing.goto(gateway.url + "/")
    Chat(failing).launcher.click()
    expect(Chat(failing).find(".banner.error")).to_contain_text("95-000")
    axe.check(failing, "widget that could not start a chat")
    session.assert_clean()


def announced(chat: Chat, before: int) -> list[str]:
    """What the widget announced after the first `before` announcements."""
    return chat.heard_texts()[before:]


def spoken(bubble: dict[str, str], chinese: bool) -> str:
    """How a message is announced: who said it (a notice needs no name), then the text."""
    if bubble["sender"] == "system":
        return bubble["text"]
    return bubble["who"] + ("：" if chinese else ": ") + bubble["text"]


def test_screen_readers_hear_each_reply_queue_change_and_agent_once(
    browsing: Callable[..., Browsing], own_gateway: GatewayProcess
) -> None:
    ahead = ApiCustomer(own_gateway.url)
    with desk_api(own_gateway.url) as desk:
        ahead.queue_up()
        session, chat = open_widget(browsing, own_gateway.url + "/", listening=True)

        def said_since(count: int) -> list[str]:
            """The server messages after the first `count`, as they should be announced."""
            shown = [b for b in chat.bubbles() if b["seq"] is not None][count:]
            chinese = chat.find(".root").get_attribute("lang") == "zh-CN"
            return [spoken(b, chinese) for b in shown if b["sender"] != "customer"]

        def wait_until_heard(count: int) -> None:
            chat.page.wait_for_function(f"() => window.__heard.length >= {count}")

        # The greeting of a new chat is news; what the customer types is not said back.
        wait_until_heard(1)
        assert chat.heard_texts() == said_since(0)
        assert chat.heard()[0]["langs"] == ["zh-CN"]
        count = chat.server_count()
        chat.send("转人工")
        chat.wait_for_bubbles(count + 2)
        wait_until_heard(2)
        assert announced(chat, 1) == said_since(count)

        # Queued behind one customer: the bot's words and the place in the queue, once each.
        heard, count = len(chat.heard()), chat.server_count()
        chat.chip("转人工客服").click()
        expect(chat.find(".banner.queue")).to_contain_text("您前面还有 1 位客户")
        chat.wait_for_bubbles(count + 2)
        expected = [*said_since(count + 1), chat.find(".banner.queue").inner_text()]
        wait_until_heard(heard + len(expected))
        assert sorted(announced(chat, heard)) == sorted(expected)

        # The customer ahead is served: the next reply brings the new place, said once.
        desk.claim(desk.waiting(ahead.id)["id"])
        heard, count = len(chat.heard()), chat.server_count()
        chat.send("还要等多久？")
        expect(chat.find(".banner.queue")).to_contain_text("下一位就是您")
        chat.wait_for_bubbles(count + 2)
        expected = [*said_since(count + 1), chat.find(".banner.queue").inner_text()]
        wait_until_heard(heard + len(expected))
        assert sorted(announced(chat, heard)) == sorted(expected)

        # The other language: the same place in new words is not news, the bot's reply is.
        for toggle in ("English", "中文"):
            heard, count = len(chat.heard()), chat.server_count()
            chat.find("header .tool").filter(has_text=toggle).click()
            chat.wait_for_bubbles(count + 2)
            expected = said_since(count)
            wait_until_heard(heard + len(expected))
            chat.page.wait_for_timeout(500)
            assert announced(chat, heard) == expected

        # The agent joins and writes, in Chinese and in English: each said in its language.
        heard = len(chat.heard())
        handoff = desk.waiting(chat.session()["conversation_id"])["id"]
        count = chat.server_count()
        desk.claim(handoff)
        expect(chat.find(".banner.agent")).to_have_text(f"人工客服 {desk.name} 正在为您服务。")
        chat.wait_for_text(desk.name + "已接入")
        desk.say(handoff, "您好，请问有什么可以帮您？")
        desk.say(handoff, "I can help in English too.")
        chat.wait_for_text("in English too")
        expected = [*said_since(count), f"人工客服 {desk.name} 正在为您服务。"]
        wait_until_heard(heard + len(expected))
        assert sorted(announced(chat, heard)) == sorted(expected)
        langs = {e["text"]: e["langs"] for e in chat.heard()}
        assert langs[f"{desk.name}：您好，请问有什么可以帮您？"] == ["zh-CN"]
        assert langs[f"{desk.name}：I can help in English too."] == ["en"]

        # A reload shows the history again but says none of it, nor the state it finds, even
        # when the history is in before the WebSocket's first frame (held back here) tells it.
        held: list[tuple[WebSocketRoute, str | bytes]] = []

        def hold_the_first_frame(socket: WebSocketRoute) -> None:
            server = socket.connect_to_server()
            server.on_message(
                lambda message: held.append((socket, message)) if not held else socket.send(message)
            )

        chat.page.route_web_socket(re.compile(r"/ws/conversations/"), hold_the_first_frame)
        count = chat.server_count()
        chat.page.reload()
        chat.wait_for_bubbles(count)
        chat.page.wait_for_timeout(500)
        socket, ready = held[0]
        socket.send(ready)
        expect(chat.find(".banner.agent")).to_be_visible()
        chat.page.wait_for_timeout(1_000)
        assert chat.heard_texts() == []
        desk.say(handoff, "还在吗？")
        wait_until_heard(1)
        chat.page.wait_for_timeout(500)
        assert chat.heard_texts() == [f"{desk.name}：还在吗？"]
        session.assert_clean()
    ahead.close()


def test_every_message_and_page_carries_its_language(
    browsing: Callable[..., Browsing], gateway: GatewayProcess
) -> None:
    session, chat = open_widget(browsing, gateway.url + "/")
    assert chat.page.evaluate("() => document.documentElement.lang") == "zh-CN"
    assert chat.find(".root").get_attribute("lang") == "zh-CN"
    chat.send("你们几点开门")
    chat.find("header .tool").filter(has_text="English").click()
    chat.wait_for_bubbles(5)
    assert chat.find(".root").get_attribute("lang") == "en"
    # The way back to Chinese is written, and so read, in Chinese.
    expect(chat.find("header .tool").filter(has_text="中文")).to_have_attribute("lang", "zh-CN")
    langs = chat.page.evaluate(
        """() => [...document.querySelector('bankbot-chat').shadowRoot
                 .querySelectorAll('.log > li .bubble')].map((b) => [b.textContent, b.lang])"""
    )
    by_text = dict(langs)
    assert by_text["你们几点开门"] == "zh-CN"
    assert by_text["please answer in English"] == "en"
    assert all(lang in ("zh-CN", "en") for _, lang in langs), langs

    # A notice in both languages (language not known yet): each line in its own.
    write_as_the_bank(
        gateway.database_url,
        chat.session()["conversation_id"],
        [("system", "请稍候，我们没有忘记您。\nThank you for waiting.", None)],
    )
    chat.page.reload()
    chat.wait_for_text("Thank you for waiting.")
    notice = chat.find(".log > li.from-system .bubble").last
    expect(notice).to_have_attribute("lang", "zh-CN")
    expect(notice.locator("span[lang=en]")).to_have_text("Thank you for waiting.")

    english = browsing(locale="en-GB").new_page()
    english.goto(gateway.url + "/?lang=en")
    assert english.evaluate("() => document.documentElement.lang") == "en"
    session.assert_clean()


@pytest.mark.parametrize("motion", ["reduce", "no-preference"])
def test_the_typing_dots_keep_still_for_people_who_want_less_motion(
    browsing: Callable[..., Browsing], gateway: GatewayProcess, motion: str
) -> None:
    session, chat = open_widget(browsing, gateway.url + "/", reduced_motion=motion)
    held: list[Route] = []
    chat.page.route(is_post_message, lambda route: held.append(route))
    chat.send("你们几点开门")
    expect(chat.find(".typing")).to_be_visible()
    moving = running_animations(chat.page)
    assert (moving == 0) if motion == "reduce" else (moving > 0), moving
    held[0].continue_()
    chat.wait_for_text("非常抱歉")
    session.assert_clean()


def test_a_page_without_the_widget_open_is_told_nothing(
    browsing: Callable[..., Browsing], gateway: GatewayProcess
) -> None:
    session = browsing()
    page = session.new_page()
    listen(page)
    page.goto(gateway.url + "/")
    chat = Chat(page)
    expect(chat.launcher).to_be_visible()
    page.wait_for_timeout(500)
    assert chat.heard() == []  # nothing said before the customer asks for the chat
    session.assert_clean()
