"""The gateway's client for the Rasa engine's REST channel.

Every failure (refused connection, timeout, 5xx, an empty answer caused by a
dead action server) becomes `EngineUnavailable`, so the relay has one case to
handle: apologise and offer a human (docs/requirements.md, rule 17).

A dead action server shows in the engine's own answer: the turn whose custom
action failed says nothing (the engine's events of the action are lost), and a
new session, whose `action_session_start` failed, gets only the engine's
fallback (`utter_default`). Only then is the action server probed, not on
every turn: an answer the engine gave from its domain alone is a real answer.

Each engine works on at most `max_in_flight` turns at once; later turns wait
their turn in the gateway, first come first served, and a turn that cannot
get a place within `queue_timeout` is answered as if the engine were down.
The engine is one process busy with the CPU: past a few turns at once it
gets no faster, and under overload its event loop went round all of them
before it read any one answer from the action server, so a conversation's
first turn (its session start asks the action server) waited many such
rounds while the others went by: through the gateway or straight to the
engine, the slowest turns under overload took more than ten times the
median (``make bench``, closed loop).

The client is aiohttp's: a keep-alive POST with a JSON answer costs about
0.14 ms with aiohttp and 0.52 ms with httpx (``python -m
bankbot.bench.http_client``), and this call is on every turn's path.
"""

from __future__ import annotations

import asyncio
import logging
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

log = logging.getLogger(__name__)

PROBE_TIMEOUT = aiohttp.ClientTimeout(total=2.0)
"""Health probes give up after this long: a hung engine is a down engine."""

FALLBACK_MARKERS = ("再描述一遍", "describe the question once more")
"""Words of the engine's fallback (`utter_default` in `domain/core.yml`, both languages)."""


class EngineUnavailable(Exception):
    """The engine could not produce an answer.

    `replies` holds what the engine did say when only the action server's
    probe failed: the relay still honours a code request among them.
    """

    def __init__(self, message: str, replies: list[BotReply] | None = None) -> None:
        super().__init__(message)
        self.replies = replies or []


@dataclass(frozen=True)
class BotReply:
    """One message from the engine as the gateway uses it."""

    text: str | None = None
    buttons: list[dict[str, str]] = field(default_factory=list)
    custom: dict[str, Any] | None = None


def _parse(raw: list[dict[str, Any]]) -> list[BotReply]:
    replies = []
    for item in raw:
        buttons = [
            {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
            for b in item.get("buttons") or []
        ]
        custom = item.get("custom")
        replies.append(
            BotReply(
                text=item.get("text"),
                buttons=buttons,
                custom=custom if isinstance(custom, dict) else None,
            )
        )
    return replies


def _may_be_failure(replies: list[BotReply]) -> bool:
    """Whether the answer is (or holds) the engine's fallback, which a failed action causes."""
    return any(
        reply.text and any(marker in reply.text for marker in FALLBACK_MARKERS) for reply in replies
    )


class EngineClient:
    """Talks to the engines; a model swap switches them to one new URL.

    With several engines each conversation goes to the one its id hashes to, so
    no balancer is needed and a conversation's turns stay on one engine while
    the set is unchanged (any engine could serve it: the tracker store is shared).
    The pool keeps connections to the engines open between turns.
    """

    def __init__(
        self,
        base_urls: list[str],
        token: str,
        *,
        connect_timeout: float,
        read_timeout: float,
        max_in_flight: int = 8,
        queue_timeout: float = 5.0,
        action_server_url: str | None = None,
        timing: Callable[[str, bool, float], None] | None = None,
    ) -> None:
        self.base_urls = [url.rstrip("/") for url in base_urls]
        # (kind "engine" | "actions", succeeded, seconds) for the metrics.
        self._timing = timing or (lambda kind, ok, seconds: None)
        self._token = token
        self._actions_health = (
            action_server_url.rstrip("/").rsplit("/", 1)[0] + "/health"
            if action_server_url
            else None
        )
        self._timeout = aiohttp.ClientTimeout(sock_connect=connect_timeout, sock_read=read_timeout)
        self._session: aiohttp.ClientSession | None = None  # made in the event loop that uses it
        self._max_in_flight = max_in_flight
        self._queue_timeout = queue_timeout
        self._places: dict[str, asyncio.Semaphore] = {}  # per engine URL, made in the loop

    def _client(self) -> aiohttp.ClientSession:
        """The pooled session (connections kept open between turns)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=self._timeout, connector=aiohttp.TCPConnector(limit=200)
            )
        return self._session

    @property
    def base_url(self) -> str:
        """The first engine (the only one unless several are configured)."""
        return self.base_urls[0]

    @base_url.setter
    def base_url(self, url: str) -> None:
        """Send every conversation to this engine from now on (a model swap)."""
        self.base_urls = [url.rstrip("/")]
        self._places = {}  # turns still at the old engine keep and give back their own place

    def url_for(self, conversation_id: str) -> str:
        """The engine this conversation's turns go to."""
        urls = self.base_urls
        return urls[zlib.crc32(conversation_id.encode()) % len(urls)] if len(urls) > 1 else urls[0]

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send(
        self, conversation_id: str, text: str, metadata: dict[str, Any]
    ) -> list[BotReply]:
        """Relay one customer message and return the bot's replies.

        An answer that may come from a failed action (the engine's fallback)
        makes the gateway probe the action server: when it is down the
        customer gets the system-failure apology instead (rule 17).
        """
        raw = await self._post_message(conversation_id, text, metadata)
        if not isinstance(raw, list) or not raw:
            # Every rule of the assistant ends in a reply: silence means the
            # action server failed inside the engine.
            raise EngineUnavailable("engine returned no reply")
        replies = _parse(raw)
        if _may_be_failure(replies) and not await self.actions_healthy():
            log.warning("action server unavailable")
            raise EngineUnavailable("action server unavailable", replies)
        return replies

    def _place(self, url: str) -> asyncio.Semaphore:
        """The places of one engine's turns (asyncio's semaphore serves waiters in order)."""
        place = self._places.get(url)
        if place is None:
            place = self._places[url] = asyncio.Semaphore(self._max_in_flight)
        return place

    async def _post_message(self, conversation_id: str, text: str, metadata: dict[str, Any]) -> Any:
        started = time.perf_counter()
        url = self.url_for(conversation_id)
        place = self._place(url)
        try:
            async with asyncio.timeout(self._queue_timeout):
                await place.acquire()
        except TimeoutError as exc:
            self._timing("engine", False, time.perf_counter() - started)
            log.warning("engine busy: no place within %.1f s", self._queue_timeout)
            raise EngineUnavailable("engine busy") from exc
        try:
            async with self._client().post(
                f"{url}/webhooks/rest/webhook",
                json={"sender": conversation_id, "message": text, "metadata": metadata},
            ) as response:
                response.raise_for_status()
                answer = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            self._timing("engine", False, time.perf_counter() - started)
            log.warning("engine unavailable: %s", type(exc).__name__)
            raise EngineUnavailable(str(exc)) from exc
        finally:
            place.release()
        self._timing("engine", True, time.perf_counter() - started)
        return answer

    async def actions_healthy(self) -> bool:
        """True when the action server answers its health endpoint (or none is configured)."""
        if self._actions_health is None:
            return True
        started = time.perf_counter()
        try:
            async with self._client().get(self._actions_health, timeout=PROBE_TIMEOUT) as response:
                up = response.status == 200
        except (aiohttp.ClientError, TimeoutError):
            up = False
        self._timing("actions", up, time.perf_counter() - started)
        return up

    async def healthy(self) -> bool:
        """True when the engine answers its status endpoint with a loaded model."""
        try:
            async with self._client().get(
                f"{self.base_url}/status", params={"token": self._token}, timeout=PROBE_TIMEOUT
            ) as response:
                if response.status != 200:
                    return False
                status = await response.json(content_type=None)
            return isinstance(status, dict) and bool(status.get("model_file"))
        except (aiohttp.ClientError, TimeoutError, ValueError):
            return False
