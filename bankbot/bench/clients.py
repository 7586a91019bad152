"""The two ways into a stack: the public API through the gateway, and the engine itself.

Both expose one call per turn so the load generators can drive either and the
gateway's overhead is the difference between the two.
"""

from __future__ import annotations

import time
import uuid
import zlib
from dataclasses import dataclass, field

import httpx

from common import payloads


class TurnFailed(Exception):
    """A turn got no usable answer (an error status, or no reply at all)."""


@dataclass
class Conversation:
    """One customer's conversation and how far through its messages it is."""

    language: str
    messages: tuple[str, ...]
    turn: int = 0
    handle: dict[str, str] = field(default_factory=dict)

    @property
    def done(self) -> bool:
        """Every message has been sent."""
        return self.turn >= len(self.messages)


class GatewayPath:
    """Customers as the widget talks: create a conversation, post messages."""

    name = "gateway"

    def __init__(self, client: httpx.AsyncClient, base_url: str) -> None:
        self.client = client
        self.base = base_url.rstrip("/")
        self.handoffs = 0

    async def open(self, conversation: Conversation) -> None:
        """Create the conversation through the API (not part of any timed turn)."""
        response = await self.client.post(
            f"{self.base}/api/conversations",
            json={"channel": "web", "language": conversation.language},
        )
        if response.status_code != 201:
            raise TurnFailed(f"create: {response.status_code}")
        body = response.json()
        conversation.handle = {
            "url": f"{self.base}/api/conversations/{body['conversation_id']}/messages",
            "auth": f"Bearer {body['token']}",
        }

    async def turn(self, conversation: Conversation) -> float:
        """Send the next message; return how long the answer took (seconds)."""
        if not conversation.handle:
            await self.open(conversation)
        text = conversation.messages[conversation.turn]
        conversation.turn += 1
        started = time.perf_counter()
        response = await self.client.post(
            conversation.handle["url"],
            json={"text": text, "client_message_id": uuid.uuid4().hex},
            headers={"Authorization": conversation.handle["auth"]},
        )
        took = time.perf_counter() - started
        if response.status_code != 200 or not response.json().get("replies"):
            raise TurnFailed(f"message: {response.status_code}")
        if response.json().get("handoff"):
            self.handoffs += 1
        return took


class EnginePath:
    """The same messages straight to an engine's REST channel (what the gateway calls)."""

    name = "engine"

    def __init__(self, client: httpx.AsyncClient, engine_urls: list[str]) -> None:
        self.client = client
        self.urls = [url.rstrip("/") for url in engine_urls]
        self.handoffs = 0

    async def turn(self, conversation: Conversation) -> float:
        """Send the next message as the gateway would; return how long it took."""
        if not conversation.handle:
            sender = uuid.uuid4().hex
            url = self.urls[zlib.crc32(sender.encode()) % len(self.urls)]
            conversation.handle = {"sender": sender, "url": f"{url}/webhooks/rest/webhook"}
        text = conversation.messages[conversation.turn]
        conversation.turn += 1
        metadata = {
            payloads.METADATA_LANGUAGE: conversation.language,
            payloads.METADATA_CHANNEL: "web",
        }
        started = time.perf_counter()
        response = await self.client.post(
            conversation.handle["url"],
            json={"sender": conversation.handle["sender"], "message": text, "metadata": metadata},
        )
        took = time.perf_counter() - started
        if response.status_code != 200 or not response.json():
            raise TurnFailed(f"engine: {response.status_code}")
        if any(payloads.HANDOFF in (m.get("custom") or {}) for m in response.json()):
            self.handoffs += 1
        return took


def http_client(connections: int) -> httpx.AsyncClient:
    """A pooled client big enough for `connections` requests in flight."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(60.0, connect=5.0),
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
    )
