"""The console's side of long queues (issue 18): left messages and callbacks, in Chromium.

Customers are played over the public API with nobody online, so each gets
the overflow offer: one leaves a message, one books a callback. The agent
then answers the message (the customer is not in the chat) and makes the
call with the conversation in front of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import Axe
from tests.browser.conftest import Browsing, GatewayProcess, Shoot
from tests.browser.customers import ApiCustomer
from tests.browser.staff import log_in

pytestmark = pytest.mark.browser


def test_an_agent_answers_a_left_message_and_makes_a_callback(
    browsing: Callable[..., Browsing], gateway: GatewayProcess, shoot: Shoot, axe: Axe
) -> None:
    writer, caller = ApiCustomer(gateway.url), ApiCustomer(gateway.url, "en")
    try:
        writer.say("我要转人工")
        offer = writer.say("/request_human")["replies"][-1]
        assert "/leave_message" in [b["payload"] for b in offer["buttons"]]
        assert writer.say("/leave_message")["handoff"]["mode"] == "message"
        writer.say("我的转账三天了还没到账")

        caller.say("I want a person")
        caller.say("/request_human")
        slots = caller.say("/callback")["replies"][0]["buttons"]
        caller.say(slots[0]["payload"])
        assert caller.say("13900139000")["state"] == "closed"

        session = browsing()
        page = session.new_page()
        log_in(page, gateway.url, "agent1")
        expect(page.locator("#link-status")).to_have_text(re.compile("Live"))

        # The left message waits in its own list, not in the live queue.
        expect(page.locator("#queue-empty")).to_be_visible()
        message = page.locator("#message-rows li")
        expect(message).to_have_count(1)
        expect(message).to_contain_text("系统故障")
        expect(page.locator("#messages-count")).to_have_text("1")
        callback = page.locator("#callbacks li")
        expect(callback).to_have_count(1)
        expect(callback).to_contain_text("139****9000")
        axe.check(page, "console with a left message and a callback")
        shoot(page, "console-10-messages-and-callbacks")

        message.get_by_role("button", name=re.compile("Answer")).click()
        pane = page.locator("article.pane").first
        expect(pane.locator(".transcript")).to_contain_text("我的转账三天了还没到账")
        expect(pane).to_contain_text("留言 Left a message")
        reply = pane.get_by_label("回复客户 Reply")
        reply.fill("您好，转账已查到，今天下午到账。")
        reply.press("Enter")
        writer.wait_for_push(
            lambda e: e["type"] == "message" and e["message"]["sender"] == "agent"
        )
        # Nobody joined a chat the customer is not in: the reply is the first thing they read.
        seen = writer.history()
        assert [m["sender"] for m in seen[-3:]] == ["customer", "bot", "agent"]
        assert not any("已接入" in m["text"] for m in seen)
        expect(page.locator("#messages-empty")).to_be_visible()

        callback.get_by_role("button", name=re.compile("Open")).click()
        detail = page.locator("#callback-detail")
        expect(detail).to_be_visible()
        expect(detail).to_contain_text("I want a person")
        expect(detail.locator(".verification")).to_have_text(re.compile("not verified"))
        axe.check(page, "console with a callback open")
        detail.get_by_label("通话记录 How the call went").fill("Called back, transfer explained")
        detail.get_by_role("button", name="已回电 Call made").click()
        expect(page.locator("#callbacks-empty")).to_be_visible()
        session.assert_clean()
    finally:
        writer.close()
        caller.close()
