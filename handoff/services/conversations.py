"""Creating conversations and appending to their numbered message log."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Table, Update, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from handoff.models import Channel, Conversation, Message, Sender
from handoff.models.base import utcnow
from handoff.services.access import hash_token, new_token

# The turn's hot statements go to the tables themselves (no unit of work to flush)
# and are built once: building a statement costs more than running it on SQLite.
_CONVERSATIONS: Table = Conversation.__table__  # type: ignore[assignment]
_MESSAGES: Table = Message.__table__  # type: ignore[assignment]
_TAKE_SEQS = (
    update(_CONVERSATIONS)
    .where(_CONVERSATIONS.c.id == bindparam("cid"))
    .values(last_seq=_CONVERSATIONS.c.last_seq + bindparam("count"), updated_at=bindparam("now"))
    .returning(*_CONVERSATIONS.c)
)
_TAKE_SEQS_AND_CHANGE = _TAKE_SEQS.values(
    language=bindparam("language"), expecting=bindparam("expecting")
)
INSERT_MESSAGES = insert(_MESSAGES)
TURN_CHANGES = frozenset({"language", "expecting"})
"""The conversation's columns a customer's turn changes (`claim_seqs` writes them)."""


async def create_conversation(
    session: AsyncSession,
    channel: Channel,
    language: str | None,
    client: str | None = None,
    *,
    browser_hash: str | None = None,
) -> tuple[Conversation, str]:
    """A new conversation in bot mode and the customer's token for it (flushed)."""
    conversation, token = new_conversation(channel, language, client, browser_hash=browser_hash)
    session.add(conversation)
    await session.flush()
    return conversation, token


def new_conversation(
    channel: Channel,
    language: str | None,
    client: str | None = None,
    *,
    browser_hash: str | None = None,
) -> tuple[Conversation, str]:
    """A new conversation in bot mode (not yet stored) and the customer's token for it.

    `client` is the keyed digest of the creator's address (never the address).
    """
    token = new_token()
    conversation = Conversation(
        id=secrets.token_hex(16),
        token_hash=hash_token(token),
        channel=channel,
        language=language,
        client_key=client,
        browser_hash=browser_hash,
    )
    return conversation, token


async def append_message(
    session: AsyncSession,
    conversation: Conversation,
    sender: Sender,
    text: str,
    *,
    buttons: list[dict[str, str]] | None = None,
    agent_name: str | None = None,
) -> Message:
    """Store a message under the next seq of its conversation (atomic on both backends)."""
    now = utcnow()
    seq = (
        await session.execute(
            update(Conversation)
            .where(Conversation.id == conversation.id)
            .values(last_seq=Conversation.last_seq + 1, updated_at=now)
            .returning(Conversation.last_seq)
        )
    ).scalar_one()
    set_committed_value(conversation, "last_seq", seq)  # written already: not dirty
    message = Message(
        conversation_id=conversation.id,
        seq=seq,
        sender=sender,
        text=text,
        buttons=buttons or None,
        agent_name=agent_name,
        created_at=now,
    )
    session.add(message)
    await session.flush()
    return message


async def claim_seqs(
    session: AsyncSession, conversation: Conversation, count: int, *, changed: bool = False
) -> int:
    """Take `count` seqs (maybe none): one UPDATE ... RETURNING; returns the last one.

    `changed`: the turn changed `conversation`'s language or expecting (set as
    committed values, see `TURN_CHANGES`), and the same UPDATE writes them. The
    row comes back whole, so `conversation` is fresh afterwards (what another
    turn committed meanwhile included) without a read of its own; its values
    are set as committed, so nothing is flushed again. Pending ORM changes are
    flushed first, so none is overwritten.
    """
    if session.dirty or session.new:
        await session.flush()
    statement, params = seq_claim(conversation, count, changed=changed)
    return took_seqs(conversation, (await session.execute(statement, params)).one())


def seq_claim(
    conversation: Conversation, count: int, *, changed: bool = False
) -> tuple[Update, dict[str, Any]]:
    """The statement and parameters of `claim_seqs` (also run on a worker thread)."""
    params: dict[str, Any] = {"cid": conversation.id, "count": count, "now": utcnow()}
    statement = _TAKE_SEQS
    if changed:
        statement = _TAKE_SEQS_AND_CHANGE
        params.update(language=conversation.language, expecting=conversation.expecting)
    return statement, params


def took_seqs(conversation: Conversation, row: Row[Any] | Mapping[str, Any]) -> int:
    """Set `conversation` to the row a seq claim returned; the last seq taken."""
    values = row._mapping if isinstance(row, Row) else row
    for name, value in values.items():
        set_committed_value(conversation, name, value)
    return int(values["last_seq"])


def note_change(
    conversation: Conversation, changes: dict[str, Any], name: str, value: Any
) -> None:
    """Note a change of the conversation for the turn's UPDATE (seen at once, never flushed).

    Only `TURN_CHANGES` columns: `claim_seqs` writes those (`changed=True`).
    """
    assert name in TURN_CHANGES
    if getattr(conversation, name) != value or name in changes:
        set_committed_value(conversation, name, value)
        changes[name] = value


async def insert_messages(
    session: AsyncSession,
    conversation_id: str,
    first_seq: int,
    sender: Sender,
    items: list[tuple[str, list[dict[str, str]]]],
) -> list[Message]:
    """Store messages (text, buttons) under seqs from `first_seq` taken with `claim_seqs`.

    One INSERT, no unit of work; the returned messages are detached copies for
    the answer and the fan-out.
    """
    rows = message_rows(conversation_id, first_seq, sender, items)
    if rows:
        await session.execute(INSERT_MESSAGES, rows)
    return [Message(**row) for row in rows]


def message_rows(
    conversation_id: str,
    first_seq: int,
    sender: Sender,
    items: list[tuple[str, list[dict[str, str]]]],
) -> list[dict[str, Any]]:
    """The rows `insert_messages` writes with `INSERT_MESSAGES`."""
    now = utcnow()
    return [
        {
            "conversation_id": conversation_id,
            "seq": first_seq + index,
            "sender": sender,
            "text": text,
            "buttons": buttons or None,
            "agent_name": None,
            "created_at": now,
        }
        for index, (text, buttons) in enumerate(items)
    ]


async def messages_after(
    session: AsyncSession, conversation_id: str, after: int, limit: int = 500
) -> list[Message]:
    """Messages with seq > `after`, oldest first."""
    rows = await session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.seq > after)
        .order_by(Message.seq)
        .limit(limit)
    )
    return list(rows)


def message_view(message: Message) -> dict[str, Any]:
    """The public shape of a message (API and WebSocket)."""
    view: dict[str, Any] = {
        "seq": message.seq,
        "sender": message.sender.value,
        "text": message.text,
        "created_at": _iso(message.created_at),
    }
    if message.buttons:
        view["buttons"] = message.buttons
    if message.agent_name:
        view["agent_name"] = message.agent_name
    return view


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
