"""A customer played over the public API and its WebSocket, for tests about the staff's pages."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
from websockets.sync.client import connect


class ApiCustomer:
    """A conversation of its own, with a WebSocket recording what is pushed to it."""

    def __init__(self, gateway_url: str, language: str = "zh") -> None:
        self.client = httpx.Client(base_url=gateway_url, timeout=15)
        conv = self.client.post(
            "/api/conversations", json={"channel": "web", "language": language}
        ).json()
        self.id, self.token = conv["conversation_id"], conv["token"]
        self.pushed: list[dict[str, Any]] = []
        self._ws = connect(gateway_url.replace("http://", "ws://") + f"/ws/conversations/{self.id}")
        self._ws.send(json.dumps({"type": "auth", "token": self.token}))
        assert json.loads(self._ws.recv(timeout=10))["type"] == "ready"
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        try:
            while True:
                self.pushed.append(json.loads(self._ws.recv()))
        except Exception:  # noqa: BLE001 - closed at the end of the test
            return

    def say(self, text: str) -> dict[str, Any]:
        response = self.client.post(
            f"/api/conversations/{self.id}/messages",
            json={"text": text, "client_message_id": uuid.uuid4().hex},
            headers={"Authorization": f"Bearer {self.token}"},
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    def queue_up(self, complaint: str = "我要投诉") -> None:
        """Ask for a person (with the engine down, the gateway queues the customer)."""
        self.say(complaint)
        assert self.say("/request_human")["state"] == "queued"

    def history(self) -> list[dict[str, Any]]:
        response = self.client.get(
            f"/api/conversations/{self.id}/messages",
            headers={"Authorization": f"Bearer {self.token}"},
        )
        return list(response.json()["messages"])

    def wait_for_push(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 15
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in list(self.pushed):
                if predicate(event):
                    return event
            time.sleep(0.05)
        raise AssertionError(f"not pushed; got {self.pushed}")

    def close(self) -> None:
        self._ws.close()
        self.client.close()
