"""A conversation that expired (idle or too old) starts afresh in the widget, politely."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.chat import Chat
from tests.browser.conftest import Browsing, GatewayProcess, Shoot, start_gateway

pytestmark = pytest.mark.browser
IDLE_S = 4


@pytest.fixture
def quick_expiry(tmp_path: Path) -> Iterator[GatewayProcess]:
    """A gateway whose conversations expire after a few idle seconds."""
    process = start_gateway(
        tmp_path / "gateway", extra_env={"CONVERSATION_IDLE_TIMEOUT_S": str(IDLE_S)}
    )
    yield process
    process.stop()


def test_an_idle_chat_starts_afresh_and_keeps_what_was_typed(
    quick_expiry: GatewayProcess, browsing: Callable[..., Browsing], shoot: Shoot
) -> None:
    session = browsing()
    page = session.new_page()
    page.goto(quick_expiry.url + "/")
    chat = Chat(page)
    chat.open()
    chat.send("第一条消息")
    chat.wait_for_bubbles(3)
    old = chat.session()

    time.sleep(IDLE_S + 1)
    # The old token no longer works...
    refused = httpx.get(
        f"{quick_expiry.url}/api/conversations/{old['conversation_id']}/messages",
        headers={"Authorization": f"Bearer {old['token']}"},
    )
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "conversation_expired"
    # ... and the customer's next message starts a new chat with a polite word.
    chat.send("过了很久才发的消息")
    notice = chat.find(".banner.error")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("为保护您的信息安全")
    expect(notice).to_contain_text("我们已为您开始新的对话")
    new = chat.session()
    assert new["conversation_id"] != old["conversation_id"]
    # The new chat shows its greeting only; what was typed waits in the box to be sent.
    chat.wait_for_bubbles(1)
    texts = [b["text"] for b in chat.bubbles() if b["seq"] is not None]
    assert len(texts) == 1 and texts[0].startswith("您好")
    expect(chat.input).to_have_value("过了很久才发的消息")
    shoot(page, "expired-chat-started-afresh")
    chat.input.press("Enter")
    chat.wait_for_bubbles(3)
    customer = [b["text"] for b in chat.bubbles() if b["sender"] == "customer"]
    assert customer == ["过了很久才发的消息"]
    expect(notice).to_be_hidden()
    assert session.watch.page_errors == []
