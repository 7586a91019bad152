"""The agent console in Chromium against a real gateway: log in, claim, reply, close.

The customer side is played through the public API and its WebSocket (the
widget has its own browser tests), so this test sees exactly what a customer
would receive from the agent.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Browsing, GatewayProcess, Shoot
from tests.browser.customers import ApiCustomer

pytestmark = pytest.mark.browser

XSS = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def test_an_agent_logs_in_claims_replies_and_closes(
    browsing: Callable[..., Browsing], gateway: GatewayProcess, shoot: Shoot
) -> None:
    customer = ApiCustomer(gateway.url)
    try:
        customer.say("我的卡好像被盗刷了 " + XSS)
        assert customer.say("/request_human")["state"] == "queued"

        session = browsing()
        page = session.new_page()
        page.goto(gateway.url + "/console")
        expect(page).to_have_url(re.compile(r"/console/login$"))
        page.get_by_label("用户名 Username").fill("agent1")
        page.get_by_label("密码 Password").fill("agent1-demo-password")
        page.get_by_label("密码 Password").press("Enter")
        expect(page).to_have_url(re.compile(r"/console$"))
        expect(page.locator("#link-status")).to_have_text(re.compile("Live"))
        # The session cookie is out of the script's reach.
        assert "bankbot_staff" not in page.evaluate("() => document.cookie")

        row = page.locator("#queue-rows tr").first
        expect(row).to_contain_text("系统故障")
        shoot(page, "console-01-queue")
        claim = row.get_by_role("button", name=re.compile("Claim"))
        claim.focus()
        page.keyboard.press("Enter")  # keyboard first

        pane = page.locator("article.pane").first
        expect(pane).to_be_visible()
        expect(pane.locator(".verification")).to_have_text(re.compile("未验证"))
        expect(pane.locator(".transcript")).to_contain_text(XSS)  # as text, never as HTML
        assert page.locator("article.pane img").count() == 0
        reply = pane.get_by_label("回复客户 Reply")
        expect(reply).to_be_focused()
        joined = customer.wait_for_push(
            lambda e: e["type"] == "message" and e["message"]["sender"] == "system"
        )
        assert "王芳" in joined["message"]["text"]

        reply.fill("您好，我是王芳，请问卡号尾号是多少？")
        reply.press("Enter")
        pushed = customer.wait_for_push(
            lambda e: e["type"] == "message" and e["message"]["sender"] == "agent"
        )
        assert pushed["message"]["text"] == "您好，我是王芳，请问卡号尾号是多少？"
        assert pushed["message"]["agent_name"] == "王芳"
        expect(reply).to_have_value("")

        customer.say("尾号6789，谢谢")
        expect(pane.locator(".transcript")).to_contain_text("尾号6789，谢谢")

        pane.locator("details.canned summary").click()
        pane.get_by_role("button", name="请稍等 Asking to wait").click()
        expect(reply).to_have_value("请稍等，我马上为您查询/办理。")
        pane.get_by_role("button", name="发送 Send").click()
        customer.wait_for_push(
            lambda e: (
                e["type"] == "message" and e["message"]["text"] == "请稍等，我马上为您查询/办理。"
            )
        )
        shoot(page, "console-02-chat")

        pane.get_by_label("处理结果 Resolution").fill("已协助客户冻结银行卡")
        pane.get_by_label(re.compile("Return to the bot")).check()
        pane.get_by_role("button", name="结束会话 Close chat").click()
        expect(page.locator("article.pane")).to_have_count(0)
        expect(page.locator("#notice")).to_contain_text("closed")

        state = customer.wait_for_push(lambda e: e["type"] == "state" and e["state"] == "bot")
        assert state["state"] == "bot"
        stored = customer.history()
        assert stored[-1]["sender"] == "system" and stored[-1]["buttons"]
        assert [m["sender"] for m in stored].count("agent") == 2
        session.assert_clean()
    finally:
        customer.close()
