"""A customer as the tests play one: the public API only, as the widget uses it."""

from __future__ import annotations

import uuid
from typing import Any

import httpx


class Customer:
    """One conversation driven over HTTP (sync client: integration tests)."""

    def __init__(self, client: httpx.Client, language: str | None = "zh", channel: str = "web"):
        self.client = client
        response = client.post(
            "/api/conversations", json={"channel": channel, "language": language}
        )
        response.raise_for_status()
        body = response.json()
        self.id: str = body["conversation_id"]
        self.token: str = body["token"]
        self.greeting: list[dict[str, Any]] = body["replies"]

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def say(self, text: str, client_message_id: str | None = None) -> dict[str, Any]:
        response = self.client.post(
            f"/api/conversations/{self.id}/messages",
            json={"text": text, "client_message_id": client_message_id or uuid.uuid4().hex},
            headers=self.auth,
        )
        assert response.status_code == 200, response.text
        return response.json()

    def history(self, after: int = 0) -> list[dict[str, Any]]:
        response = self.client.get(
            f"/api/conversations/{self.id}/messages", params={"after": after}, headers=self.auth
        )
        response.raise_for_status()
        return response.json()["messages"]


def reply_text(turn: dict[str, Any]) -> str:
    """All reply texts of a turn, joined: what the customer reads."""
    return "\n".join(r["text"] for r in turn["replies"])
