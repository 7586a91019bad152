"""Live updates survive a gateway crash: reconnect with backoff, catch up by seq."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.browser.chat import Chat, assert_log_matches_server
from tests.browser.conftest import Browsing, GatewayProcess, Shoot
from tests.browser.gateway_db import write_as_the_bank

pytestmark = pytest.mark.browser


def test_reconnects_after_a_gateway_restart_without_gaps_or_duplicates(
    own_gateway: GatewayProcess, browsing: Callable[..., Browsing], shoot: Shoot
) -> None:
    session = browsing()
    page = session.new_page()
    page.goto(own_gateway.url + "/")
    chat = Chat(page)
    chat.open()
    chat.send("断线前的消息")
    chat.wait_for_bubbles(3)
    stored = chat.session()

    # The gateway dies mid-conversation.
    own_gateway.kill()
    offline = chat.find(".banner.offline")
    expect(offline).to_be_visible()
    expect(offline).to_have_text("网络连接已断开，正在重新连接…")
    # A message typed now cannot be delivered: it waits with a retry.
    chat.send("断线时发送的消息")
    expect(chat.find(".msg.failed .retry")).to_be_visible()
    shoot(page, "13-offline-banner-and-retry")
    # Meanwhile the bank wrote to the conversation (the widget heard nothing of it).
    write_as_the_bank(
        own_gateway.database_url,
        stored["conversation_id"],
        [("system", "断线期间的系统消息一", None), ("system", "断线期间的系统消息二", None)],
    )

    own_gateway.start()
    expect(offline).to_be_hidden(timeout=45_000)  # reconnected by its own backoff
    chat.wait_for_text("断线期间的系统消息二")
    chat.find(".msg.failed .retry").click()
    chat.wait_for_bubbles(7)  # greeting, 2 before, 2 written while down, the retried turn
    expect(chat.find(".msg.pending")).to_have_count(0)
    history = assert_log_matches_server(chat, own_gateway.url)
    texts = [m["text"] for m in history if m["sender"] == "customer"]
    assert texts == ["断线前的消息", "断线时发送的消息"]

    # Still live after the restart: a new message and its answer arrive once each.
    chat.send("重连后的消息")
    chat.wait_for_bubbles(9)
    assert_log_matches_server(chat, own_gateway.url)
    session.assert_clean()
