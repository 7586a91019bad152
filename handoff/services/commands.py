"""What the engine receives instead of what the customer typed, in two cases.

1. Rasa treats a message starting with `/` as an intent with entities. A
   customer may only send such a message by pressing a button the bot offered;
   anything else is neutralised, so nobody can type `/submit_code{...}` or
   jump into a flow by hand.
2. A one-time code typed while the bot waits for one is sent as a keyed digest
   (`/submit_code{"code_digest": …}`), so the code itself never reaches the
   engine, its tracker store or any log; the transcript shows `******`.
"""

from __future__ import annotations

import json
import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from actions.otp import code_digest
from handoff.models import Message, Sender

CODE_MASK = "******"
_CODE = re.compile(r"^\d{6}$")
_CODE_IN_TEXT = re.compile(r"(?<!\d)\d{6}(?!\d)")
_RECENT = 10


def as_code(text: str) -> str | None:
    """The 6-digit code in `text` (full-width digits and spaces allowed), if that is all it is."""
    compact = re.sub(r"\s", "", unicodedata.normalize("NFKC", text))
    return compact if _CODE.match(compact) else None


def mask_codes(text: str) -> str:
    """Hide 6-digit groups typed inside a sentence while a code is expected."""
    return _CODE_IN_TEXT.sub(CODE_MASK, unicodedata.normalize("NFKC", text))


def code_command(key: str, conversation_id: str, code: str) -> str:
    """The engine-side stand-in for a typed code."""
    digest = code_digest(key, conversation_id, code)
    return "/submit_code" + json.dumps({"code_digest": digest}, separators=(",", ":"))


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


def neutralise_command(text: str, offered: set[str]) -> str:
    """Keep offered payloads; turn any other leading `/` into a harmless full-width one."""
    if not text.startswith("/") or text in offered:
        return text
    return "\uff0f" + text[1:]
