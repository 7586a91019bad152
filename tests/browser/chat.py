"""The widget as a customer sees it (Playwright's locators pierce its open shadow root)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
from playwright.sync_api import Locator, Page, expect

if TYPE_CHECKING:
    from tests.browser.conftest import Browsing

# The widget's own state, read from inside its shadow root.
_BUBBLES_JS = """() => {
  const root = document.querySelector('bankbot-chat')?.shadowRoot;
  if (!root) return [];
  return [...root.querySelectorAll('.log > li')].map((li) => ({
    seq: li.dataset.seq ? Number(li.dataset.seq) : null,
    sender: [...li.classList].find((c) => c.startsWith('from-')).slice(5),
    text: li.querySelector('.bubble').textContent,
    who: li.querySelector('.who')?.textContent ?? '',
    pending: li.classList.contains('pending'),
  }));
}"""

# What a screen reader would be told: every node added inside a live region of the widget,
# recorded from before the widget starts (its shadow root is observed as it is attached).
_LISTEN_JS = """(() => {
  window.__heard = [];
  const LIVE = '[aria-live]:not([aria-live=off]), [role=status], [role=log], [role=alert]';
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attach.call(this, init);
    new MutationObserver((records) => {
      for (const record of records) {
        const region = record.target.nodeType === 1 ? record.target.closest(LIVE) : null;
        if (!region || !record.target.checkVisibility()) continue; // hidden regions say nothing
        for (const node of record.addedNodes) {
          const text = node.textContent.trim();
          if (!text) continue;
          const langs = node.nodeType === 1
            ? [node, ...node.querySelectorAll('[lang]')].filter((n) => n.lang).map((n) => n.lang)
            : [];
          window.__heard.push({ text, langs });
        }
      }
    }).observe(root, { childList: true, subtree: true });
    return root;
  };
})()"""

_FOCUSED_JS = """() => {
  const host = document.querySelector('bankbot-chat');
  if (document.activeElement !== host) return document.activeElement?.tagName ?? null;
  const el = host.shadowRoot.activeElement;
  return el ? (el.id || el.className || el.tagName) : null;
}"""


@dataclass
class Chat:
    """One page with the widget on it."""

    page: Page

    # ---- finding things ----
    def find(self, selector: str) -> Locator:
        return self.page.locator("bankbot-chat").locator(selector)

    @property
    def launcher(self) -> Locator:
        return self.find(".launcher")

    @property
    def window(self) -> Locator:
        return self.find("#bb-window")

    @property
    def input(self) -> Locator:
        return self.find("#bb-input")

    def chip(self, title: str) -> Locator:
        return self.find(".quick .chip").filter(has_text=title)

    def bubbles(self) -> list[dict[str, Any]]:
        """Every message in the log, in DOM order: seq, sender, text, pending."""
        result: list[dict[str, Any]] = self.page.evaluate(_BUBBLES_JS)
        return result

    def focused(self) -> str | None:
        """The id (or class) of the focused element inside the widget."""
        result: str | None = self.page.evaluate(_FOCUSED_JS)
        return result

    def session(self) -> dict[str, Any]:
        """What the widget keeps in sessionStorage: conversation id, token, last seq."""
        raw = self.page.evaluate(
            "() => Object.entries(sessionStorage).find(([k]) => k.startsWith('bankbot:'))?.[1]"
        )
        assert raw, "no conversation in sessionStorage"
        value: dict[str, Any] = json.loads(raw)
        return value

    def heard(self) -> list[dict[str, Any]]:
        """What the live regions said since the page loaded (`listen()` first): text, langs."""
        result: list[dict[str, Any]] = self.page.evaluate("() => window.__heard")
        return result

    def heard_texts(self) -> list[str]:
        return [entry["text"] for entry in self.heard()]

    # ---- doing things ----
    def open(self) -> None:
        self.launcher.click()
        expect(self.window).to_be_visible()
        self.wait_for_bubbles(1)

    def send(self, text: str) -> None:
        self.input.fill(text)
        self.input.press("Enter")

    def wait_for_bubbles(
        self, count: int, sender: str | None = None, timeout_ms: int = 15_000
    ) -> None:
        """Until at least `count` server messages (of `sender`, if given) are shown."""
        wanted = json.dumps(sender)
        self.page.wait_for_function(
            f"""() => ({_BUBBLES_JS})().filter((b) => b.seq !== null
                 && ({wanted} === null || b.sender === {wanted})).length >= {count}""",
            timeout=timeout_ms,
        )

    def wait_for_reply(self, text: str, after: int, timeout_ms: int = 60_000) -> str:
        """Until a bot or agent message after the first `after` messages contains `text`."""
        self.page.wait_for_function(
            f"""() => ({_BUBBLES_JS})().filter((b) => b.seq !== null).slice({after})
                 .some((b) => b.sender !== 'customer' && b.text.includes({json.dumps(text)}))""",
            timeout=timeout_ms,
        )
        shown = [b for b in self.bubbles() if b["seq"] is not None][after:]
        return "\n".join(b["text"] for b in shown if b["sender"] != "customer")

    def server_count(self) -> int:
        """How many server messages the log shows now."""
        return len([b for b in self.bubbles() if b["seq"] is not None])

    def wait_for_text(self, text: str, timeout_ms: int = 30_000) -> None:
        """Until a message containing `text` is shown."""
        self.page.wait_for_function(
            f"() => ({_BUBBLES_JS})().some((b) => b.text.includes({json.dumps(text)}))",
            timeout=timeout_ms,
        )


def listen(page: Page) -> None:
    """Record what the widget's live regions announce on `page` (from its next load on)."""
    page.add_init_script(_LISTEN_JS)


def open_widget(
    browsing: Callable[..., Browsing], url: str, *, listening: bool = False, **context: Any
) -> tuple[Browsing, Chat]:
    """A new customer (own browser context) on `url` who opens the widget and is greeted."""
    session = browsing(**context)
    page = session.new_page()
    if listening:
        listen(page)
    page.goto(url)
    chat = Chat(page)
    chat.open()
    return session, chat


def server_history(gateway_url: str, conversation_id: str, token: str) -> list[dict[str, Any]]:
    """The conversation as the gateway stores it."""
    response = httpx.get(
        f"{gateway_url}/api/conversations/{conversation_id}/messages",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    response.raise_for_status()
    messages: list[dict[str, Any]] = response.json()["messages"]
    return messages


def assert_log_matches_server(chat: Chat, gateway_url: str) -> list[dict[str, Any]]:
    """The log shows every stored message exactly once, in seq order: no gaps, no duplicates."""
    session = chat.session()
    stored = server_history(gateway_url, session["conversation_id"], session["token"])
    shown = [b for b in chat.bubbles() if b["seq"] is not None]
    assert [b["seq"] for b in shown] == [m["seq"] for m in stored]
    assert [b["seq"] for b in shown] == list(range(1, len(stored) + 1))
    assert [b["sender"] for b in shown] == [m["sender"] for m in stored]
    return stored
