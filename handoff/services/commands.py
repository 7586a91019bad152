"""What the engine receives instead of what the customer typed, in two cases.

1. Rasa treats a message starting with `/` as an intent with entities. A
   customer may only send such a message by pressing a button the bot offered;
   anything else is neutralised, so nobody can type `/submit_code{...}` or
   jump into a flow by hand.
2. A one-time code typed while the bot waits for one is sent as a keyed digest
   (`common.codes.code_command`), so the code itself never reaches the
   engine, its tracker store or any log; the transcript shows `******`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam, select

from handoff.models import Message, Sender

_RECENT = 10


_MESSAGES = Message.__table__
RECENT_MESSAGES = (
    select(_MESSAGES.c.sender, _MESSAGES.c.buttons)
    .where(_MESSAGES.c.conversation_id == bindparam("cid"))
    .order_by(_MESSAGES.c.seq.desc())
    .limit(_RECENT)
)
"""Who wrote the conversation's last messages and their buttons, newest first (`cid`)."""


def offered_payloads(recent: Iterable[Any]) -> set[str]:
    """Button payloads the bot or staff offered since the customer last wrote.

    `recent`: the rows `RECENT_MESSAGES` reads, newest first.
    """
    payloads: set[str] = set()
    for message in recent:
        if message.sender == Sender.customer:
            break
        payloads.update(b.get("payload", "") for b in message.buttons or [])
    return payloads


def neutralise_command(text: str, offered: set[str]) -> str:
    """Keep offered payloads; turn any other leading `/` into a harmless full-width one."""
    if not text.startswith("/") or text in offered:
        return text
    return "\uff0f" + text[1:]
