"""Work a customer's turn finishes after its answer has gone out.

A bot turn that hands nobody over needs nothing from the database to answer:
its replies are stored, its outcome and facts recorded and its answer kept
for retries just after the customer has it (`services/relay.py`). The
conversation's lock stays held until then, so the next message of the
conversation, and any retry of this one, sees those writes; the customer's
own transcript read on this gateway waits for them too (`settled_for`). The
tasks are kept here so that shutdown waits for them and a failure is logged,
never lost silently: the message's reservation then stays pending, and a
retry gets the apology rather than a second bot turn.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)

SETTLE_WITHIN_S = 5.0
"""How long a transcript read waits for a turn being stored before reading anyway."""


class AfterReply:
    """The turns still being stored after their answer was sent, by conversation."""

    def __init__(self) -> None:
        self._tasks: dict[asyncio.Task[None], str] = {}

    def start(self, conversation_id: str, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Run `work` (storing a turn of `conversation_id`) now, beside the answer being sent."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks[task] = conversation_id
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.pop(task, None)
        if not task.cancelled() and task.exception() is not None:
            log.error(
                "a turn's replies could not be stored after its answer (%s); "
                "a retry of its message gets the apology",
                type(task.exception()).__name__,
            )

    @property
    def pending(self) -> int:
        """How many turns are still being stored."""
        return len(self._tasks)

    async def settled_for(self, conversation_id: str) -> None:
        """Wait (bounded) until this gateway has stored every answered turn of the conversation."""
        waiting = {task for task, owner in self._tasks.items() if owner == conversation_id}
        if waiting:
            await asyncio.wait(waiting, timeout=SETTLE_WITHIN_S)

    async def stop(self, within_s: float = 10.0) -> None:
        """Let the turns in flight finish storing before the database closes."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=within_s)


async def settled(task: asyncio.Task[None]) -> None:
    """Wait for `task` without taking on its failure (logged by `AfterReply`).

    The route runs this as the response's background task: a server sends the
    answer first, and an in-process client (the tests) sees the turn stored.
    """
    await asyncio.wait({task})
