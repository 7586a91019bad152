"""A live handoff: the customer in the widget, an agent on the desk's API.

The agent console's own browser test lives in test_console.py; here the agent
side is plain HTTP so this test is about what the customer sees, live over
the WebSocket: the queue, the agent's name, their messages, the rating.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import expect

from tests.browser.chat import Chat, assert_log_matches_server
from tests.browser.conftest import Browsing, GatewayProcess, Shoot
from tests.browser.staff import Desk, desk_api

pytestmark = pytest.mark.browser


@pytest.fixture
def agent(gateway: GatewayProcess) -> Iterator[Desk]:
    """agent1 (王芳), logged in and so online at the desk."""
    with desk_api(gateway.url) as desk:
        yield desk


def test_customer_sees_the_queue_the_agent_and_rates_the_chat(
    gateway: GatewayProcess, agent: Desk, browsing: Callable[..., Browsing], shoot: Shoot
) -> None:
    session = browsing()
    page = session.new_page()
    page.goto(gateway.url + "/")
    chat = Chat(page)
    chat.open()
    chat.send("我要投诉，你们的服务太差了")
    chat.chip("转人工客服").click()
    expect(chat.find(".banner.queue")).to_be_visible()
    handoff = agent.waiting(chat.session()["conversation_id"])

    # The agent claims the chat: the customer sees it at once, by name, without a reload.
    agent.claim(handoff["id"])
    expect(chat.find(".subtitle")).to_have_text("人工客服 王芳 为您服务")
    expect(chat.find(".banner.agent")).to_have_text("人工客服 王芳 正在为您服务。")
    expect(chat.find(".banner.queue")).to_have_count(0)
    # The customer has closed the window meanwhile: the launcher counts what arrives.
    page.keyboard.press("Escape")
    agent.say(handoff["id"], "您好，我是王芳，请问遇到了什么问题？")
    expect(chat.find(".launcher .badge")).to_have_text("1")
    expect(chat.launcher).to_have_attribute("aria-label", "在线客服，1 条新消息")
    chat.launcher.click()
    expect(chat.find(".launcher .badge")).to_be_hidden()
    chat.wait_for_text("我是王芳")
    last = chat.bubbles()[-1]
    assert last["sender"] == "agent" and last["who"] == "王芳"
    expect(chat.find(".typing")).to_be_hidden()
    shoot(page, "19-agent-joined-live")

    # The customer's answer reaches the agent; the bot stays quiet.
    before = chat.server_count()
    chat.send("转账一直没有到账")
    chat.wait_for_bubbles(before + 1)
    page.wait_for_timeout(500)
    assert chat.server_count() == before + 1  # no bot reply while an agent holds the chat
    transcript = agent.client.get(f"/api/agent/handoffs/{handoff['id']}").json()
    assert "转账一直没有到账" in str(transcript)

    # The agent ends the chat: the customer is asked for a rating, live.
    agent.close(handoff["id"], resolution="已解释到账时间", return_to_bot=False)
    expect(chat.find(".csat .chip")).to_have_count(3)
    expect(chat.input).to_be_disabled()
    expect(chat.find(".subtitle")).to_have_text("对话已结束")
    shoot(page, "20-closed-by-agent-rating")
    assert_log_matches_server(chat, gateway.url)
    with page.expect_response(lambda r: r.url.endswith("/csat")) as rated:
        chat.find(".csat .chip").filter(has_text="一般").click()
    assert rated.value.status == 200
    expect(chat.find(".csat .thanks")).to_be_visible()
    session.assert_clean()


def test_back_to_the_bot_after_the_agent_asks_for_a_rating_and_goes_on(
    gateway: GatewayProcess, agent: Desk, browsing: Callable[..., Browsing]
) -> None:
    session = browsing()
    page = session.new_page()
    page.goto(gateway.url + "/")
    chat = Chat(page)
    chat.open()
    chat.send("转人工")
    chat.chip("转人工客服").click()
    expect(chat.find(".banner.queue")).to_be_visible()
    handoff = agent.waiting(chat.session()["conversation_id"])
    agent.claim(handoff["id"])
    expect(chat.find(".banner.agent")).to_be_visible()
    agent.close(handoff["id"], return_to_bot=True)
    expect(chat.find(".csat .chip")).to_have_count(3)
    expect(chat.input).to_be_enabled()  # the chat goes on with the assistant
    expect(chat.find(".subtitle")).to_have_text("智能客服 · 7×24 小时为您服务")
    chat.find(".csat .chip").filter(has_text="非常满意").click()
    expect(chat.find(".csat .thanks")).to_have_text("感谢您的评价！")
    expect(chat.input).to_be_focused()
    session.assert_clean()
