"""Keyboard-only use, the app's full-screen mode at phone size, and 200 % zoom."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.chat import Chat, assert_log_matches_server
from tests.browser.conftest import Browsing, GatewayProcess, Shoot

pytestmark = pytest.mark.browser


def inside_viewport(page: Page, chat: Chat, selector: str) -> bool:
    box = chat.find(selector).first.bounding_box()
    size = page.viewport_size
    assert box is not None and size is not None
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= size["width"] + 0.5
        and box["y"] + box["height"] <= size["height"] + 0.5
    )


def no_horizontal_scroll(page: Page) -> bool:
    return bool(
        page.evaluate(
            """() => {
              const root = document.querySelector('bankbot-chat').shadowRoot;
              const win = root.querySelector('.window');
              return document.documentElement.scrollWidth <= window.innerWidth
                && win.scrollWidth <= win.clientWidth
                && root.querySelector('.log').scrollWidth <= root.querySelector('.log').clientWidth;
            }"""
        )
    )


def test_keyboard_only(
    browsing: Callable[..., Browsing], gateway: GatewayProcess, shoot: Shoot
) -> None:
    session = browsing()
    page = session.new_page()
    page.goto(gateway.url + "/")
    chat = Chat(page)
    expect(chat.launcher).to_be_visible()
    # Tab through the bank's page until the launcher has the focus.
    for _ in range(40):
        page.keyboard.press("Tab")
        if chat.focused() == "launcher":
            break
    assert chat.focused() == "launcher"
    outline = chat.launcher.evaluate(
        "(el) => getComputedStyle(el).outlineStyle + ' ' + getComputedStyle(el).outlineWidth"
    )
    assert outline == "solid 3px"  # a visible focus ring
    shoot(page, "14-keyboard-focus-on-launcher")

    page.keyboard.press("Enter")
    expect(chat.window).to_be_visible()
    chat.wait_for_bubbles(1)
    expect(chat.input).to_be_focused()  # focus moved into the window
    page.keyboard.type("你们几点开门")
    page.keyboard.press("Enter")
    chat.wait_for_text("非常抱歉")
    expect(chat.chip("转人工客服")).to_be_visible()
    # The quick reply is one Shift+Tab away from the input.
    page.keyboard.press("Shift+Tab")
    expect(chat.chip("转人工客服")).to_be_focused()
    page.keyboard.press("Enter")
    expect(chat.find(".banner.queue")).to_be_visible()
    # Shift+Enter makes a new line instead of sending.
    chat.input.focus()
    page.keyboard.type("第一行")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("第二行")
    expect(chat.input).to_have_value("第一行\n第二行")

    # Esc closes the window and gives the focus back to the launcher.
    page.keyboard.press("Escape")
    expect(chat.window).to_be_hidden()
    assert chat.focused() == "launcher"
    page.keyboard.press("Enter")
    expect(chat.window).to_be_visible()
    expect(chat.input).to_be_focused()
    expect(chat.input).to_have_value("第一行\n第二行")  # a draft survives closing
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
    assert created.value.post_data_json == {"channel": "app", "language": "zh"}
    chat = Chat(page)
    chat.wait_for_bubbles(1)
    expect(chat.find(".launcher")).to_have_count(0)
    expect(chat.find(".tool.close")).to_have_count(0)  # nothing to close in an app
    box = chat.window.bounding_box()
    assert box == {"x": 0, "y": 0, "width": 360, "height": 740}
    chat.send("我的银行卡丢了，怎么办？这是一条比较长的消息，用来检查在窄屏上的换行是否正常。")
    chat.wait_for_bubbles(3)
    assert inside_viewport(page, chat, "#bb-input") and inside_viewport(page, chat, ".send")
    assert inside_viewport(page, chat, "header")
    assert no_horizontal_scroll(page)
    shoot(page, "15-app-mode-360x740")
    page.reload()
    chat.wait_for_bubbles(3)  # the app's web view keeps the conversation too
    assert_log_matches_server(chat, gateway.url)
    session.assert_clean()


def test_readable_at_200_percent_zoom(
    browsing: Callable[..., Browsing], gateway: GatewayProcess, shoot: Shoot
) -> None:
    # 200 % zoom of a 1280x800 window = a 640x400 CSS-pixel viewport at twice the pixels.
    session = browsing(viewport={"width": 640, "height": 400}, device_scale_factor=2)
    page = session.new_page()
    page.goto(gateway.url + "/")
    chat = Chat(page)
    assert inside_viewport(page, chat, ".launcher")
    chat.open()
    chat.send("你们几点开门")
    chat.wait_for_text("非常抱歉")
    for selector in ("header", "#bb-input", ".send", ".quick .chip", "header .tool.close"):
        assert inside_viewport(page, chat, selector), selector
    assert no_horizontal_scroll(page)
    size = chat.find(".bubble").first.evaluate("(el) => parseFloat(getComputedStyle(el).fontSize)")
    assert size >= 14
    shoot(page, "16-zoom-200-percent")
    session.assert_clean()
