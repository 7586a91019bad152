"""What stands between a flood of logins and the accounts and the CPU.

- Every attempt is counted *before* the password is checked, per account and
  per client (atomically, in Redis when configured), so parallel guesses
  cannot all slip under the limit; a successful login gives its attempt back.
  Past the account's limit the account is locked for the rest of the window
  (a `lockout` event); past the client's, that client is refused.
- Password hashing (argon2id: deliberately slow) runs in at most
  `hashing_slots` threads at once per gateway, with at most `hashing_queue`
  waiting; beyond that a login is refused at once with 429 instead of piling
  up work the CPU cannot do.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from typing import TypeVar

from handoff.core.config import Settings
from handoff.core.errors import TooManyRequests
from handoff.services.ratelimit import Counters

T = TypeVar("T")


def _account(username: str) -> str:
    name = username.strip().lower()
    return "login:account:" + hashlib.sha256(name.encode()).hexdigest()[:32]


class LoginGuard:
    """Attempt counters per account and per client (a keyed digest of the address)."""

    def __init__(self, counters: Counters, settings: Settings) -> None:
        self.counters = counters
        self.per_account = settings.login_failures_per_account
        self.per_client = settings.login_failures_per_client
        self.window_s = settings.login_window_s

    async def attempt(self, username: str, client: str) -> None:
        """Count this attempt; 429 when the account or the client is over its limit."""
        account = await self.counters.add(_account(username), self.window_s)
        from_client = await self.counters.add("login:client:" + client, self.window_s)
        if account > self.per_account:
            raise TooManyRequests(
                "This account is locked for a few minutes after repeated failed logins.",
                code="account_locked",
                event="lockout" if account == self.per_account + 1 else "login_limited",
                actor=username[:40],
            )
        if from_client > self.per_client:
            raise TooManyRequests(
                "Too many failed logins; please wait a few minutes and try again.",
                code="too_many_logins",
                event="login_limited",
                actor=username[:40],
            )

    async def succeeded(self, username: str, client: str) -> None:
        """A good login clears the account's count and gives the client its attempt back."""
        await self.counters.clear(_account(username))
        await self.counters.add("login:client:" + client, self.window_s, amount=-1)


class HashingGate:
    """At most `slots` password hashes at once, at most `queue` waiting (else 429)."""

    def __init__(self, slots: int, queue: int) -> None:
        self.slots = max(1, slots)
        self.queue = max(0, queue)
        self._semaphore: asyncio.Semaphore | None = None
        self._waiting = 0
        self.running = 0
        self.peak = 0  # the most hashes seen running at once (for tests and the log)

    async def run(self, work: Callable[..., T], *args: object) -> T:
        """Run `work(*args)` in a thread once a slot is free."""
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.slots)
        if self._waiting >= self.slots + self.queue:
            raise TooManyRequests(
                "The login service is busy; please try again in a moment.",
                code="login_busy",
                event="login_limited",
            )
        self._waiting += 1
        try:
            async with self._semaphore:
                self.running += 1
                self.peak = max(self.peak, self.running)
                try:
                    return await asyncio.to_thread(work, *args)
                finally:
                    self.running -= 1
        finally:
            self._waiting -= 1
