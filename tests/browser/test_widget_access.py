"""Keyboard-only use with a visible focus, text contrast in every state, phone size and zoom.

axe leaves disabled controls out of its contrast rule and cannot scroll or zoom, so
these are measured in the page (tests/browser/page_checks.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Route, expect

from tests.browser.chat import Chat, assert_log_matches_server
from tests.browser.conftest import Browsing, GatewayProcess, Shoot
from tests.browser.page_checks import (
    assert_contrast,
    assert_focus_visible,
    assert_nothing_cut_off,
    zoomed,
)
from tests.browser.staff import Desk, desk_api

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(gateway: GatewayProcess) -> Iterator[Desk]:
    """agent1 (王芳), online at the desk through its API."""
    with desk_api(gateway.url) as agent:
        yield agent


def is_post_message(url: str) -> bool:
    return bool(re.search(r"/api/conversations/[^/]+/messages$", url))


def test_a_customer_goes_from_opening_the_chat_to_rating_it_by_keyboard_alone(
    browsing: Callable[..., Browsing], gateway: GatewayProcess, desk: Desk, shoot: Shoot
) -> None:
    session = browsing()
    page = session.new_page()
    page.goto(gateway.url + "/")
    chat = Chat(page)
    expect(chat.launcher).to_be_visible()
    # Tab through the bank's page until the launcher has the focus.
    for _ in range(40):
        page.keyboard.press("Tab")
        assert_focus_visible(page)  # the bank's links, then the launcher: always a ring
        if chat.focused() == "launcher":
            break
    assert chat.focused() == "launcher"
    shoot(page, "14-keyboard-focus-on-launcher")

    page.keyboard.press("Enter")
    expect(chat.window).to_be_visible()
    chat.wait_for_bubbles(1)
    expect(chat.input).to_be_focused()  # focus moved into the window
    assert_focus_visible(page)
    page.keyboard.type("你们几点开门")
    page.keyboard.press("Enter")
    chat.wait_for_text("非常抱歉")
    expect(chat.chip("转人工客服")).to_be_visible()
    # The quick reply is one Shift+Tab away from the input; after it, the focus is back there.
    page.keyboard.press("Shift+Tab")
    expect(chat.chip("转人工客服")).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(chat.find(".banner.queue")).to_be_visible()
    expect(chat.input).to_be_focused()
    # Shift+Enter makes a new line instead of sending.
    page.keyboard.type("第一行")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("第二行")
    expect(chat.input).to_have_value("第一行\n第二行")

    # Esc closes the window and gives the focus back to the launcher.
    page.keyboard.press("Escape")
    expect(chat.window).to_be_hidden()
    assert chat.focused() == "launcher"
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(chat.window).to_be_visible()
    expect(chat.input).to_be_focused()
    expect(chat.input).to_have_value("第一行\n第二行")  # a draft survives closing

    # An agent takes the chat; the customer answers and the agent ends it.
    handoff = desk.waiting(chat.session()["conversation_id"])["id"]
    desk.claim(handoff)
    desk.say(handoff, "您好，我是王芳，请问有什么可以帮您？")
    chat.wait_for_text("我是王芳")
    page.keyboard.press("Control+A")
    page.keyboard.type("没有问题了，谢谢")
    page.keyboard.press("Enter")
    chat.wait_for_text("没有问题了，谢谢")
    desk.close(handoff, return_to_bot=False)

    # The rating takes the focus; Tab moves along the scores, Enter gives one.
    expect(chat.find(".csat .chip").first).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.press("Tab")
    expect(chat.find(".csat .chip").filter(has_text="一般")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    with page.expect_response(lambda r: r.url.endswith("/csat")) as rated:
        page.keyboard.press("Enter")
    assert rated.value.request.post_data_json == {"score": "very_satisfied", "comment": None}
    expect(chat.find(".csat .thanks")).to_have_text("感谢您的评价！")
    # The chat is over: the focus waits on "start a new chat".
    expect(chat.find(".csat .primary")).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    chat.wait_for_bubbles(1)
    expect(chat.input).to_be_focused()
    session.assert_clean()


def test_every_text_keeps_its_contrast_in_every_state(
    browsing: Callable[..., Browsing], gateway: GatewayProcess, desk: Desk
) -> None:
    session = browsing()
    page = session.new_page()
    page.goto(gateway.url + "/")
    chat = Chat(page)
    assert_contrast(page, "demo page with the launcher")
    chat.open()
    assert_contrast(page, "widget open")

    held: list[Route] = []
    page.route(is_post_message, lambda route: held.append(route))
    chat.send("你们几点开门")
    expect(chat.find(".typing")).to_be_visible()
    assert_contrast(page, "waiting for the answer")
    held[0].continue_()
    page.unroute(is_post_message)
    expect(chat.chip("转人工客服")).to_be_visible()
    chat.chip("转人工客服").hover()
    assert_contrast(page, "hovering a quick reply")

    page.route(is_post_message, lambda route: route.abort("connectionreset"))
    chat.send("这条消息发不出去")
    expect(chat.find(".msg.failed .retry")).to_be_visible()
    chat.find(".msg.failed .retry").hover()
    assert_contrast(page, "a message that failed, hovering retry")
    page.unroute(is_post_message)
    chat.find(".msg.failed .retry").click()
    expect(chat.find(".msg.failed")).to_have_count(0)

    chat.chip("转人工客服").click()
    expect(chat.find(".banner.queue")).to_be_visible()
    assert_contrast(page, "queued")
    handoff = desk.waiting(chat.session()["conversation_id"])["id"]
    desk.claim(handoff)
    page.keyboard.press("Escape")
    desk.say(handoff, "您好，我是王芳")
    expect(chat.find(".launcher .badge")).to_have_text("1")
    assert_contrast(page, "the launcher counting an unread message")
    chat.launcher.click()
    chat.wait_for_text("我是王芳")
    assert_contrast(page, "with an agent")

    desk.close(handoff, return_to_bot=False)
    expect(chat.find(".csat .chip")).to_have_count(3)
    ratings: list[Route] = []
    page.route("**/csat", lambda route: ratings.append(route))
    chat.find(".csat .chip").first.click()
    expect(chat.find(".csat .chip").first).to_be_disabled()
    assert_contrast(page, "rating being sent, its buttons disabled")
    ratings[0].continue_()
    expect(chat.find(".csat .thanks")).to_be_visible()
    expect(chat.input).to_be_disabled()
    expect(chat.find(".send")).to_be_disabled()
    chat.find(".send").hover()
    assert_contrast(page, "chat over, input and send disabled")

    failing = browsing().new_page()
    failing.route("**/api/conversations", lambda route: route.abort("connectionrefused"))
    failing.goto(gateway.url + "/")
    Chat(failing).launcher.click()
    expect(Chat(failing).find(".banner.error")).to_be_visible()
    assert_contrast(failing, "the chat could not start")
    session.assert_clean()


def test_accessible_names_and_roles(
    browsing: Callable[..., Browsing], gateway: GatewayProcess
) -> None:
    session = browsing()
    page = session.new_page()
    page.goto(gateway.url + "/")
    chat = Chat(page)
    expect(page.get_by_role("button", name="在线客服")).to_be_visible()
    chat.open()
    expect(page.get_by_role("dialog", name="海港银行在线客服")).to_be_visible()
    expect(page.get_by_role("list", name="聊天记录")).to_be_visible()
    expect(page.get_by_role("textbox", name="输入您的消息")).to_be_visible()
    expect(page.get_by_role("button", name="发送")).to_be_visible()
    expect(page.get_by_role("button", name="关闭聊天窗口")).to_be_visible()
    expect(chat.launcher).to_have_attribute("aria-expanded", "true")
    session.assert_clean()


def test_app_mode_fills_a_360_by_740_phone_screen(
    browsing: Callable[..., Browsing], gateway: GatewayProcess, shoot: Shoot
) -> None:
    session = browsing(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = session.new_page()
    with page.expect_request(lambda r: r.url.endswith("/api/conversations")) as created:
        page.goto(gateway.url + "/chat?channel=app")
    body = dict(created.value.post_data_json)
    assert isinstance(body.pop("browser"), str)  # a pseudonymous browser id, for FCR
    assert body == {"channel": "app", "language": "zh"}
    chat = Chat(page)
    chat.wait_for_bubbles(1)
    expect(chat.find(".launcher")).to_have_count(0)
    expect(chat.find(".tool.close")).to_have_count(0)  # nothing to close in an app
    box = chat.window.bounding_box()
    assert box == {"x": 0, "y": 0, "width": 360, "height": 740}
    chat.send("我的银行卡丢了，怎么办？这是一条比较长的消息，用来检查在窄屏上的换行是否正常。")
    chat.wait_for_bubbles(3)
    expect(chat.input).to_be_in_viewport(ratio=1)
    expect(chat.find(".send")).to_be_in_viewport(ratio=1)
    assert_nothing_cut_off(page, "app at 360x740")
    shoot(page, "15-app-mode-360x740")
    page.reload()
    chat.wait_for_bubbles(3)  # the app's web view keeps the conversation too
    assert_log_matches_server(chat, gateway.url)
    session.assert_clean()


@pytest.mark.parametrize("zoom", [2, 4])
def test_nothing_is_cut_off_at_200_and_400_percent_zoom(
    browsing: Callable[..., Browsing], gateway: GatewayProcess, desk: Desk, shoot: Shoot, zoom: int
) -> None:
    # A 1280x800 window zoomed in: 640x400 CSS pixels at 200 %, 320x200 at 400 %.
    session = zoomed(browsing, zoom)
    page = session.new_page()
    page.goto(gateway.url + "/")
    chat = Chat(page)
    expect(chat.launcher).to_be_visible()
    assert_nothing_cut_off(page, f"launcher at {zoom}00 %")
    chat.open()
    chat.send("你们几点开门")
    chat.wait_for_text("非常抱歉")
    expect(chat.chip("转人工客服")).to_be_visible()
    assert_nothing_cut_off(page, f"an answer with a quick reply at {zoom}00 %")
    size = chat.find(".bubble").first.evaluate("(el) => parseFloat(getComputedStyle(el).fontSize)")
    assert size >= 14
    shoot(page, f"16-zoom-{zoom}00-percent")

    chat.chip("转人工客服").click()
    expect(chat.find(".banner.queue")).to_be_visible()
    assert_nothing_cut_off(page, f"queued at {zoom}00 %")
    handoff = desk.waiting(chat.session()["conversation_id"])["id"]
    desk.claim(handoff)
    desk.say(handoff, "您好，我是王芳，请问有什么可以帮您？" * 3)
    chat.wait_for_text("我是王芳")
    assert_nothing_cut_off(page, f"with an agent at {zoom}00 %")
    desk.close(handoff, return_to_bot=False)
    expect(chat.find(".csat .chip")).to_have_count(3)
    assert_nothing_cut_off(page, f"at the rating at {zoom}00 %")
    # What is below the fold is reached by scrolling, inside the window.
    chat.find(".csat .link").filter(has_text="跳过").scroll_into_view_if_needed()
    expect(chat.find(".csat .link").filter(has_text="跳过")).to_be_in_viewport()

    app = zoomed(browsing, zoom).new_page()
    app.goto(gateway.url + "/chat?channel=app")
    Chat(app).wait_for_bubbles(1)
    assert_nothing_cut_off(app, f"app chat at {zoom}00 %")
    session.assert_clean()
