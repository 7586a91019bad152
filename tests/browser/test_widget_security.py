"""The widget is safe: text stays text, foreign sites are refused, host CSS stays out."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from pipeline.processes import free_port
from tests.browser.chat import Chat, assert_log_matches_server
from tests.browser.conftest import Browsing, GatewayProcess, Shoot, start_gateway
from tests.browser.gateway_db import write_as_the_bank
from tests.browser.host_pages import serve_host_page

pytestmark = pytest.mark.browser

XSS_SCRIPT = "<script>window.__xss = 1; alert(1)</script>"
XSS_IMAGE = '<img src=x onerror="window.__xss = 2; alert(2)">'
XSS_SVG = "<svg onload=alert(3)>"


@dataclass
class Sites:
    """A gateway, a bank page on an allowed origin, and one on a foreign origin."""

    gateway: GatewayProcess
    allowed: str
    foreign: str


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sites]:
    allowed_port, foreign_port = free_port(), free_port()
    allowed = f"http://127.0.0.1:{allowed_port}"
    gateway = start_gateway(tmp_path_factory.mktemp("gateway"), allowed_origins=(allowed,))
    with ExitStack() as stack:
        stack.enter_context(serve_host_page(allowed_port, gateway.url))
        foreign = stack.enter_context(serve_host_page(foreign_port, gateway.url))
        yield Sites(gateway, allowed, foreign)
    gateway.stop()


def assert_nothing_ran(chat: Chat) -> None:
    """No dialog, no flag set by injected code, no element made from message text."""
    assert chat.page.evaluate("() => window.__xss") is None
    counts = chat.page.evaluate(
        """() => {
          const root = document.querySelector('bankbot-chat').shadowRoot;
          return [root.querySelectorAll('img, script, svg:not([viewBox])').length,
                  document.querySelectorAll('img').length];
        }"""
    )
    assert counts == [0, 0]


@pytest.mark.parametrize("where", ["gateway page", "bank page without CSP"])
def test_html_in_messages_shows_as_characters_and_runs_nothing(
    sites: Sites, browsing: Callable[..., Browsing], shoot: Shoot, where: str
) -> None:
    session = browsing()
    page = session.new_page()
    page.goto(sites.gateway.url + "/" if where == "gateway page" else sites.allowed + "/")
    chat = Chat(page)
    chat.open()
    for payload in (XSS_SCRIPT, XSS_IMAGE):
        chat.send(payload)
    chat.wait_for_bubbles(5)
    customer = [b["text"] for b in chat.bubbles() if b["sender"] == "customer"]
    assert customer == [XSS_SCRIPT, XSS_IMAGE]

    # The other side of the chat and its buttons and names are text too.
    stored = chat.session()
    write_as_the_bank(
        sites.gateway.database_url,
        stored["conversation_id"],
        [("agent", XSS_SVG + " & <b>bold</b>", XSS_IMAGE)],
        buttons=[{"title": XSS_IMAGE, "payload": "/x"}],
    )
    page.reload()
    chat.wait_for_bubbles(6)
    agent = chat.bubbles()[-1]
    assert agent["text"] == XSS_SVG + " & <b>bold</b>" and agent["who"] == XSS_IMAGE
    expect(chat.chip(XSS_IMAGE)).to_have_text(XSS_IMAGE)
    expect(chat.find(".bubble b")).to_have_count(0)
    assert_nothing_ran(chat)
    assert_log_matches_server(chat, sites.gateway.url)
    if where == "gateway page":
        shoot(page, "11-html-shown-as-text")
    session.assert_clean()


def test_embedded_on_an_allowed_origin_the_widget_works(
    sites: Sites, browsing: Callable[..., Browsing], shoot: Shoot
) -> None:
    session = browsing()
    page = session.new_page()
    page.goto(sites.allowed + "/")
    chat = Chat(page)
    chat.open()
    assert chat.bubbles()[0]["text"].startswith("Hello")  # data-language="en"
    chat.send("hello from the bank's own site")
    chat.wait_for_bubbles(3)
    expect(chat.find(".banner.offline")).to_be_hidden()  # the WebSocket is up
    # The host page's hostile CSS does not reach inside the widget.
    style = page.evaluate(
        """() => {
          const root = document.querySelector('bankbot-chat').shadowRoot;
          const css = (sel) => getComputedStyle(root.querySelector(sel));
          return {send: css('.send').display, input: css('textarea').display,
                  log: css('.log').display, font: css('.bubble').fontSize,
                  color: css('.bubble').color, spacing: css('.bubble').letterSpacing,
                  family: css('.bubble').fontFamily};
        }"""
    )
    assert style["send"] != "none" and style["input"] != "none" and style["log"] != "none"
    assert style["font"] == "15px" and style["color"] != "rgb(255, 0, 0)"
    assert style["spacing"] == "normal" and "PingFang SC" in style["family"]
    shoot(page, "12-embedded-on-allowed-origin")
    session.assert_clean()


def test_embedded_on_a_foreign_origin_the_gateway_refuses(
    sites: Sites, browsing: Callable[..., Browsing]
) -> None:
    session = browsing()
    page = session.new_page()
    page.goto(sites.foreign + "/")
    chat = Chat(page)
    chat.launcher.click()
    error = chat.find(".banner.error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("The chat is not available")
    assert chat.bubbles() == []
    assert page.evaluate("() => Object.keys(sessionStorage).length") == 0
    # Nor can that site open a customer WebSocket (the handshake gets 403).
    ws_url = sites.gateway.url.replace("http", "ws") + "/ws/conversations/abc"
    outcome = page.evaluate(
        """(url) => new Promise((resolve) => {
          const ws = new WebSocket(url);
          ws.onopen = () => resolve('open');
          ws.onclose = (e) => resolve('closed ' + e.code);
        })""",
        ws_url,
    )
    assert outcome == "closed 1006"  # refused before any WebSocket existed
    # The browser's CORS errors are expected here; nothing else went wrong.
    assert session.watch.page_errors == [] and session.watch.csp_violations == []
