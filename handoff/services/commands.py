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

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.models import Message, Sender

_RECENT = 10


async def offered_payloads(session: AsyncSession, conversation_id: str) -> set[str]:
    """Button payloads the bot or staff offered since the customer last wrote."""
    recent = await session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation_id)
        .order_by(Message.seq.desc())
        .limit(_RECENT)
    )
    payloads: set[str] = set()
    for message in recent:
        if message.sender == Sender.customer:
            break
        payloads.update(b.get("payload", "") for b in message.buttons or [])
    return payloads


async def as_engine_command(session: AsyncSession, conversation_id: str, text: str) -> str:
    """What the engine may receive for `text` (before the message itself is stored).

    Only a message starting with `/` needs the offered buttons, so only then is
    the transcript read: a plain message costs no query.
    """
    if not text.startswith("/"):
        return text
    return neutralise_command(text, await offered_payloads(session, conversation_id))


def neutralise_command(text: str, offered: set[str]) -> str:
    """Keep offered payloads; turn any other leading `/` into a harmless full-width one."""
    if not text.startswith("/") or text in offered:
        return text
    return "\uff0f" + text[1:]
