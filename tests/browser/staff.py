"""Bank staff in the browser tests: the login form in a page, or the desk's API over HTTP."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from playwright.sync_api import Page, expect

CONSOLE_CSRF = {"X-Requested-With": "bankbot-console"}


def password(username: str) -> str:
    """The development seed's password of `username` (README)."""
    return f"{username}-demo-password"


def log_in(page: Page, base_url: str, username: str, path: str = "/console") -> None:
    """Open `path` (it leads to the login form), log in with the form, land on `path`."""
    page.goto(base_url + path)
    expect(page).to_have_url(re.compile(r"/console/login$"))
    page.get_by_label("用户名 Username").fill(username)
    page.get_by_label("密码 Password").fill(password(username))
    page.get_by_role("button", name="登录 Log in").click()
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))


def log_out(page: Page, base_url: str) -> None:
    """End the page's staff session (as the console's logout button does)."""
    page.context.request.post(
        base_url + "/api/agent/logout", headers=CONSOLE_CSRF, fail_on_status_code=False
    )


@dataclass
class Desk:
    """A staff member on the desk's API; remembers the handoffs it met, to clean up after."""

    client: httpx.Client
    name: str
    handoffs: set[int] = field(default_factory=set)

    def waiting(self, conversation_id: str, timeout_s: float = 15) -> dict[str, Any]:
        """The queue entry of a conversation (the queue may be shared with other tests)."""
        deadline = time.monotonic() + timeout_s
        while True:
            items = self.client.get("/api/agent/queue").json()["items"]
            found = [i for i in items if i["conversation_id"] == conversation_id]
            if found:
                self.handoffs.add(found[0]["id"])
                return dict(found[0])
            assert time.monotonic() < deadline, f"{conversation_id} is not in the queue: {items}"
            time.sleep(0.2)

    def claim(self, handoff_id: int) -> None:
        response = self.client.post(f"/api/agent/handoffs/{handoff_id}/claim")
        assert response.status_code == 200, response.text
        self.handoffs.add(handoff_id)

    def say(self, handoff_id: int, text: str) -> None:
        response = self.client.post(
            f"/api/agent/handoffs/{handoff_id}/messages", json={"text": text}
        )
        assert response.status_code == 201, response.text

    def close(self, handoff_id: int, *, return_to_bot: bool, resolution: str = "resolved") -> None:
        response = self.client.post(
            f"/api/agent/handoffs/{handoff_id}/close",
            json={"resolution": resolution, "return_to_bot": return_to_bot},
        )
        assert response.status_code == 200, response.text

    def held(self) -> set[int]:
        return {i["id"] for i in self.client.get("/api/agent/handoffs").json()["items"]}

    def release_everything_claimed(self) -> None:
        """Close the handoffs met here (claimed or still waiting): none is left held."""
        for handoff_id in self.handoffs:
            detail = self.client.get(f"/api/agent/handoffs/{handoff_id}")
            status = detail.json().get("status") if detail.status_code == 200 else None
            if status == "waiting":
                self.client.post(f"/api/agent/handoffs/{handoff_id}/claim")
            if status in ("waiting", "claimed") or handoff_id in self.held():
                self.client.post(
                    f"/api/agent/handoffs/{handoff_id}/close",
                    json={"resolution": "browser test cleanup", "return_to_bot": False},
                )
        assert not self.handoffs & self.held(), f"{self.name} still holds a chat of this test"


def waiting_handoff_id(base_url: str, conversation_id: str) -> int:
    """The desk's id for a queued conversation, as a supervisor sees it (nothing claimed)."""
    with httpx.Client(base_url=base_url, timeout=15) as client:
        login = client.post(
            "/api/agent/login",
            json={"username": "supervisor1", "password": password("supervisor1")},
        )
        assert login.status_code == 200, login.text
        client.headers["Authorization"] = f"Bearer {login.json()['token']}"
        try:
            return int(Desk(client, "supervisor").waiting(conversation_id)["id"])
        finally:
            client.post("/api/agent/logout")


@contextmanager
def desk_api(base_url: str, username: str = "agent1") -> Iterator[Desk]:
    """`username` logged in over the API (so online at the desk); releases and logs out after."""
    with httpx.Client(base_url=base_url, timeout=15) as client:
        login = client.post(
            "/api/agent/login", json={"username": username, "password": password(username)}
        )
        assert login.status_code == 200, login.text
        client.headers["Authorization"] = f"Bearer {login.json()['token']}"
        desk = Desk(client, login.json()["agent"]["name"])
        try:
            yield desk
        finally:
            try:
                desk.release_everything_claimed()
            finally:
                client.post("/api/agent/logout")
