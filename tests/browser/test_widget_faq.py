"""The widget with the real assistant behind it (engine, action server, gateway)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from bankbot.local_stack import RunningStack
from tests.browser.chat import Chat, assert_log_matches_server
from tests.browser.conftest import Browsing, Shoot

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_faq_answered_in_chinese_then_in_english(
    stack: RunningStack, browsing: Callable[..., Browsing], shoot: Shoot
) -> None:
    session = browsing()
    page = session.new_page()
    page.goto(stack.gateway_url + "/")
    chat = Chat(page)
    chat.open()

    before = chat.server_count()
    chat.send("你们几点开门")
    answer = chat.wait_for_reply("09:00", after=before)
    assert "17:00" in answer, answer
    expect(chat.find(".typing")).to_be_hidden()
    shoot(page, "17-faq-answer-chinese")

    # The toggle switches the interface and tells the assistant.
    chat.find("header .tool").filter(has_text="English").click()
    expect(chat.find(".send")).to_have_text("Send")
    chat.wait_for_bubbles(2, sender="customer")
    before = chat.server_count()
    chat.send("what are your opening hours")
    answer = chat.wait_for_reply("09:00", after=before)
    assert "Monday" in answer, answer
    shoot(page, "18-faq-answer-english")
    assert_log_matches_server(chat, stack.gateway_url)
    session.assert_clean()


def test_english_page_starts_an_english_conversation(
    stack: RunningStack, browsing: Callable[..., Browsing]
) -> None:
    session = browsing(locale="en-GB")
    page = session.new_page()
    page.goto(stack.gateway_url + "/?lang=en")
    chat = Chat(page)
    expect(chat.launcher).to_have_text("Chat with us")
    chat.open()
    assert chat.bubbles()[0]["text"].startswith("Hello")
    before = chat.server_count()
    chat.send("what are your opening hours")
    answer = chat.wait_for_reply("09:00", after=before)
    assert "Monday" in answer, answer
    session.assert_clean()
