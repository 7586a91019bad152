"""Stopping the gateway's background loops for sure, and in bounded time.

Each loop (leader renewal, desk jobs, content polling, the Redis listener)
wraps its work in `except Exception` so one failed tick does not end it. A
cancel that lands inside a Redis or database call can come back out of the
client as an ordinary error; the loop catches it and goes on, and awaiting the
cancelled task then waits forever (CI saw this as a hung test). Cancelling
again, at random moments so as not to keep hitting the same call, until the
task is done lands a cancel in the loop's sleep.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any

log = logging.getLogger(__name__)

RECANCEL_WITHIN_S = 0.1


async def stop_task(task: asyncio.Task[Any] | None, within_s: float = 3.0) -> bool:
    """Cancel `task` until it ends; False (and a warning) if it outlives `within_s`."""
    if task is None:
        return True
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within_s
    while not task.done():
        remaining = deadline - loop.time()
        if remaining <= 0:
            log.warning("background task %s did not stop within %.1f s", task.get_name(), within_s)
            return False
        task.cancel()
        await asyncio.wait({task}, timeout=min(random.uniform(0.01, RECANCEL_WITHIN_S), remaining))
    if not task.cancelled() and task.exception() is not None:
        log.warning("background task %s ended with %r", task.get_name(), task.exception())
    return True
