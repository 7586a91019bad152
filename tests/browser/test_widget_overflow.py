"""Long queues in the widget (issue 18): the offer's three choices, in both languages.

With nobody online the handoff reply offers to keep waiting, a callback at a
chosen slot, or a message answered later. The last one is followed across a
closed page: the agent answers while the customer is away, and the next
visit shows the reply with an unread badge on the launcher.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.browser.chat import Chat
from tests.browser.conftest import Browsing, GatewayProcess, Shoot
from tests.browser.staff import desk_api

pytestmark = pytest.mark.browser

WORDS = {
    "zh": {
        "path": "/",
        "locale": "zh-CN",
        "ask": "我要转人工",
        "human": "转人工客服",
        "keep": "继续排队",
        "callback": "预约回电",
        "message": "留言，稍后看回复",
        "offer": "目前暂无客服在线",
        "still": "您的消息已收到",
        "slots": "请选择方便接听电话的时段",
        "phone": "请输入您的11位手机号码",
        "booked": "已为您预约回电",
        "left": "您可以先关闭页面",
        "notice": "您已留言，客服的回复会显示在这里",
        "question": "我的转账一直没到账",
        "noted": "您的留言已收到",
        "reply": "您好，转账已于今天到账，请查收。",
        "unread": "在线客服，1 条新消息",
    },
    "en": {
        "path": "/?lang=en",
        "locale": "en-GB",
        "ask": "I want a person",
        "human": "Talk to an agent",
        "keep": "Keep waiting",
        "callback": "Call me back",
        "message": "Leave a message",
        "offer": "No agent is available right now",
        "still": "Your message has been received",
        "slots": "Please choose a time for our call",
        "phone": "Please type your 11-digit mobile number",
        "booked": "Your callback is booked",
        "left": "You can close the page",
        "notice": "Message left: the agent's reply will appear here",
        "question": "My transfer never arrived",
        "noted": "Your message is with our team",
        "reply": "Hello, the transfer arrived today; please check your account.",
        "unread": "Chat with us, 1 new message",
    },
}


def queue_up(chat: Chat, words: dict[str, str]) -> None:
    """Ask for a person; the engine is down, so the gateway's own offer is taken."""
    chat.open()
    chat.send(words["ask"])
    chat.chip(words["human"]).click()
    chat.wait_for_text(words["offer"])
    for choice in ("keep", "callback", "message"):
        expect(chat.chip(words[choice])).to_be_visible()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_keep_waiting_then_book_a_callback_at_a_chosen_slot(
    gateway: GatewayProcess, browsing: Callable[..., Browsing], language: str
) -> None:
    words = WORDS[language]
    session = browsing(locale=words["locale"])
    page = session.new_page()
    page.goto(gateway.url + words["path"])
    chat = Chat(page)
    queue_up(chat, words)

    chat.chip(words["keep"]).click()
    chat.wait_for_text(words["still"])
    expect(chat.find(".banner.queue")).to_be_visible()
    # Still nobody online: the three ways on are offered again.
    chat.chip(words["callback"]).click()
    chat.wait_for_text(words["slots"])
    slots = chat.find(".quick .chip")
    expect(slots).to_have_count(7)  # six slots within agent hours, then "keep waiting"
    slot = slots.first.text_content() or ""
    assert re.search(r"\d\d:\d\d", slot), slot
    slots.first.click()
    chat.wait_for_text(words["phone"])
    chat.send("13800138000")
    chat.wait_for_text(words["booked"])
    booked = [b for b in chat.bubbles() if words["booked"] in b["text"]][0]["text"]
    assert slot.split("（")[0].split(" (")[0] in booked and "138****8000" in booked
    expect(chat.input).to_be_disabled()  # the chat is closed: the bank calls back
    session.assert_clean()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_leave_a_message_close_the_page_and_read_the_reply_later(
    gateway: GatewayProcess,
    browsing: Callable[..., Browsing],
    shoot: Shoot,
    language: str,
) -> None:
    words = WORDS[language]
    session = browsing(locale=words["locale"])
    page = session.new_page()
    page.goto(gateway.url + words["path"])
    chat = Chat(page)
    queue_up(chat, words)
    chat.chip(words["message"]).click()
    chat.wait_for_text(words["left"])
    expect(chat.find(".banner.queue")).to_have_text(re.compile(re.escape(words["notice"])))
    chat.send(words["question"])
    chat.wait_for_text(words["noted"])
    conversation_id = chat.session()["conversation_id"]
    shoot(page, f"30-message-left-{language}")
    page.close()  # the customer leaves

    with desk_api(gateway.url) as agent:
        items = agent.client.get("/api/agent/message-queue").json()["items"]
        mine = [item for item in items if item["conversation_id"] == conversation_id]
        assert len(mine) == 1 and mine[0]["mode"] == "message", items
        agent.claim(mine[0]["id"])
        detail = agent.client.get(f"/api/agent/handoffs/{mine[0]['id']}").json()
        assert words["question"] in [m["text"] for m in detail["transcript"]]
        agent.say(mine[0]["id"], words["reply"])

        # Later, the customer opens the bank's page again: the launcher shows a new reply.
        later = session.new_page()
        later.goto(gateway.url + words["path"])
        back = Chat(later)
        expect(back.launcher).to_be_visible()
        expect(back.find(".launcher .badge")).to_have_text("1")
        expect(back.launcher).to_have_attribute("aria-label", words["unread"])
        shoot(later, f"31-reply-waiting-badge-{language}")
        back.launcher.click()
        back.wait_for_text(words["reply"])
        expect(back.find(".launcher .badge")).to_be_hidden()
        texts = [b["text"] for b in back.bubbles()]
        assert words["question"] in texts  # the same conversation, its whole transcript
        assert back.session()["conversation_id"] == conversation_id
        # Answering goes to the agent who replied.
        back.send("thanks" if language == "en" else "谢谢")
        back.wait_for_bubbles(len([b for b in back.bubbles() if b["seq"] is not None]))
    session.assert_clean()


def test_in_the_app_chat_the_reply_is_there_when_the_customer_comes_back(
    gateway: GatewayProcess, browsing: Callable[..., Browsing]
) -> None:
    words = WORDS["zh"]
    session = browsing()
    page = session.new_page()
    page.goto(gateway.url + "/chat?channel=app")
    chat = Chat(page)
    chat.wait_for_bubbles(1)  # full screen: the chat starts without a launcher
    chat.send(words["ask"])
    chat.chip(words["human"]).click()
    chat.wait_for_text(words["offer"])
    chat.chip(words["message"]).click()
    chat.wait_for_text(words["left"])
    chat.send(words["question"])
    chat.wait_for_text(words["noted"])
    conversation_id = chat.session()["conversation_id"]
    page.close()

    with desk_api(gateway.url) as agent:
        items = agent.client.get("/api/agent/message-queue").json()["items"]
        mine = [item for item in items if item["conversation_id"] == conversation_id]
        agent.claim(mine[0]["id"])
        agent.say(mine[0]["id"], words["reply"])
        later = session.new_page()
        later.goto(gateway.url + "/chat?channel=app")
        back = Chat(later)
        back.wait_for_text(words["reply"])
        assert back.session()["conversation_id"] == conversation_id
        assert words["question"] in [b["text"] for b in back.bubbles()]
    session.assert_clean()
