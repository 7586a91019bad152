"""The action server's one dependency container: settings, the core bank, its stores, SMS, time.

Every action reaches the outside world through :func:`deps`, built once from
:class:`~actions.config.ActionSettings`; tests build their own :class:`Deps`
(a temporary core bank, a clock they move, an SMS adapter that records) and
install it with :func:`use_deps`. Database calls are synchronous and run off
the event loop through :func:`db`; work that must not hold up a reply (an SMS)
runs in the background through :meth:`Deps.in_background`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from actions.config import ActionSettings, get_action_settings
from actions.sms import SmsSender, sender_from_settings
from actions.store.complaints import ComplaintStore
from actions.store.verification import Policy, VerificationStore
from corebank.db import make_engine
from corebank.repository import CoreBankRepository

log = logging.getLogger(__name__)

T = TypeVar("T")


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Deps:
    """Everything the actions use besides the tracker."""

    settings: ActionSettings
    repo: CoreBankRepository
    verifications: VerificationStore
    complaints: ComplaintStore
    sms: SmsSender
    clock: Callable[[], datetime] = _now
    last_purge: datetime | None = None
    _background: set[asyncio.Task[None]] = field(default_factory=set)

    def in_background(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` without making the reply wait for it."""
        task = asyncio.get_running_loop().create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def drain(self) -> None:
        """Wait for background work still under way (tests)."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)


def policy_from(settings: ActionSettings) -> Policy:
    """The verification store's rule numbers from the settings."""
    return Policy(
        code_ttl=timedelta(seconds=settings.otp_ttl_s),
        resend_after=timedelta(seconds=settings.otp_resend_after_s),
        max_sends_per_hour=settings.otp_max_sends_per_hour,
        max_failures=settings.verify_max_failures,
        lockout=timedelta(seconds=settings.verify_lockout_s),
        phone_max_failures=settings.verify_phone_max_failures,
        phone_failure_window=timedelta(seconds=settings.verify_phone_failure_window_s),
    )


def from_settings(settings: ActionSettings) -> Deps:
    """The container for a running action server (tables created when missing)."""
    engine = make_engine(settings.core_database_url)
    verifications = VerificationStore(engine, policy=policy_from(settings))
    verifications.ensure_schema()
    complaints = ComplaintStore(engine)
    complaints.ensure_schema()
    return Deps(
        settings=settings,
        repo=CoreBankRepository(engine),
        verifications=verifications,
        complaints=complaints,
        sms=sender_from_settings(settings),
    )


_deps: Deps | None = None


def deps() -> Deps:
    """The process-wide container, built on first use."""
    global _deps
    if _deps is None:
        _deps = from_settings(get_action_settings())
    return _deps


def use_deps(replacement: Deps | None) -> None:
    """Install a container (tests), or ``None`` to build from settings again."""
    global _deps
    _deps = replacement


async def db(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a synchronous core-bank call off the event loop."""
    return await asyncio.to_thread(fn, *args, **kwargs)
