"""Customers under load for the fault tests: bounded, loopback only, self-stopping.

Each simulated customer holds one conversation and asks everyday questions in
turn (each numbered, so every message is unique), waits for the answer,
pauses, and asks the next; every :data:`PERSON_EVERY`-th message asks for a
person instead (a quarter of the customers at any moment). The engine
answers FAQ questions alone, so those requests are what keeps the action
server on the load's path (it files the handoff). A
conversation that was handed to a person no longer needs the engine, so its
customer leaves it and opens a new one: the load keeps going through the
engine and the action server, which the fault tests rely on. Like the widget, a message
that could not be delivered (connection refused, 503) is sent again with the
same `client_message_id`, to the next gateway (as a load balancer would), so
the test can check that every message is stored exactly once.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

QUESTIONS = (
    "what are your opening hours?",
    "how much does a transfer to another bank cost?",
    "what is the interest rate on personal loans?",
    "how do I apply for a credit card?",
    "what are your fixed deposit rates?",
    "where can I download the mobile app?",
    "what services do you offer for elderly customers?",
    "what documents do I need for a mortgage?",
    "how do credit card points work?",
    "what are the ATM withdrawal limits?",
)
"""Ten different needs: a customer asks each at most twice per conversation's first 20 messages."""

ASK_FOR_A_PERSON = "can I talk to a person please?"
PERSON_EVERY = 4
"""With 20 customers pausing 2 s, a 3 s fault sees about 7 such requests."""

APOLOGY_MARKERS = (
    "系统正在升级", "system is being upgraded", "系统暂时繁忙", "cannot take messages",
)  # fmt: skip


def is_apology(text: str) -> bool:
    """The polite fallback (rule 17) or the gateway's 503 wording."""
    return any(marker in text for marker in APOLOGY_MARKERS)


@dataclass
class Outcome:
    """One attempt to deliver one message."""

    conversation: str
    text: str
    sent_at: float
    seconds: float
    status: int  # HTTP status, or 0 when no gateway answered
    reply: str
    gateway: str
    handed_over: bool = False


@dataclass
class Load:
    """`customers` conversations spread over `gateways`, until `stop()`."""

    gateways: list[str]
    customers: int = 20
    pause_s: float = 1.0
    outcomes: list[Outcome] = field(default_factory=list)
    conversations: dict[str, dict[str, Any]] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        for index in range(self.customers):
            thread = threading.Thread(target=self._customer, args=(index,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(60)

    def since(self, moment: float) -> list[Outcome]:
        """Attempts sent at or after `moment` (time.monotonic())."""
        with self._lock:
            return [o for o in self.outcomes if o.sent_at >= moment]

    def _open(self, home: int) -> tuple[str, dict[str, str], int] | None:
        """A new conversation on the home gateway (or the next one while it is down)."""
        while not self._stop.is_set():
            try:
                response = httpx.post(
                    f"{self.gateways[home]}/api/conversations",
                    json={"channel": "web", "language": "en"}, timeout=10,
                )  # fmt: skip
                conversation = response.json() if response.status_code == 201 else None
            except (httpx.HTTPError, ValueError):
                conversation = None
            if conversation is None:  # down, or a polite 503 while a fault lasts
                home = (home + 1) % len(self.gateways)
                time.sleep(0.5)
                continue
            cid = conversation["conversation_id"]
            headers = {"Authorization": f"Bearer {conversation['token']}"}
            with self._lock:
                self.conversations[cid] = {"headers": headers, "delivered": []}
            return cid, headers, home
        return None

    def _customer(self, index: int) -> None:
        opened = self._open(index % len(self.gateways))
        number = 0
        while opened is not None and not self._stop.is_set():
            cid, headers, home = opened
            number += 1
            question = QUESTIONS[number % len(QUESTIONS)]
            if (number + index) % PERSON_EVERY == 0:  # customers move in step: stagger
                question = ASK_FOR_A_PERSON
            text = f"{question} (customer {index}, question {number})"
            key = uuid.uuid4().hex
            attempt = 0
            handed_over = False
            while not self._stop.is_set():
                gateway = self.gateways[(home + attempt) % len(self.gateways)]
                outcome = self._send(gateway, cid, headers, text, key)
                with self._lock:
                    self.outcomes.append(outcome)
                if outcome.status == 200:
                    with self._lock:
                        self.conversations[cid]["delivered"].append(text)
                    handed_over = outcome.handed_over
                    break
                attempt += 1
                time.sleep(0.3)
            time.sleep(self.pause_s)
            if handed_over and not self._stop.is_set():
                opened = self._open(home)

    @staticmethod
    def _send(gateway: str, cid: str, headers: dict[str, str], text: str, key: str) -> Outcome:
        started, wall = time.monotonic(), time.monotonic()
        try:
            response = httpx.post(
                f"{gateway}/api/conversations/{cid}/messages",
                json={"text": text, "client_message_id": key}, headers=headers, timeout=30,
            )  # fmt: skip
            body = response.json()
            reply = (
                "\n".join(r["text"] for r in body.get("replies", []))
                if response.status_code == 200
                else str(body.get("error", {}).get("message", ""))
            )
            status = response.status_code
            handed_over = status == 200 and bool(body.get("handoff"))
        except (httpx.HTTPError, ValueError) as exc:
            reply, status, handed_over = type(exc).__name__, 0, False
        return Outcome(
            cid, text, wall, time.monotonic() - started, status, reply, gateway, handed_over
        )
