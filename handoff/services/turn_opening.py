"""A customer turn's first four statements as one, on PostgreSQL.

A turn opens with the token check, the message id's reservation, the seq
claim and the message's row (`services/turn_store.py`). On PostgreSQL each
is a round trip of about 0.6 ms through the driver, on the gateway's hot
path. Data-modifying common table expressions let one statement do all
four, with the meaning of four:

* every part sees the database as it was when the statement began, so the
  token check reads the conversation *before* the claim stamps it with this
  turn's time, as the separate check did;
* the reservation is made only for a conversation that exists, and the
  claim only when the reservation was new (a retried message takes no seq);
* the message is stored as the transcript shows it only when that does not
  depend on what the conversation waits for (`READ_FIRST`: a code is
  masked, the ID's last four hidden) nor on the buttons offered (a
  command); otherwise the caller stores it after reading the claim;
* the token is judged in Python afterwards; if it fails, or the
  conversation has ended, the transaction rolls back, all four with it.

SQLite has no data-modifying CTEs; it keeps the separate statements (on
SQLite they cost about 0.1 ms each).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BindParameter,
    Boolean,
    Row,
    Select,
    Table,
    bindparam,
    exists,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql

from common import payloads
from handoff.models import Conversation, IdempotentReply, Message, Sender
from handoff.services import idempotency
from handoff.services.access import TokenHolder
from handoff.services.conversations import seq_claim
from handoff.services.known_tokens import TokenFacts

_CONVERSATIONS: Table = Conversation.__table__  # type: ignore[assignment]
_REPLIES: Table = IdempotentReply.__table__  # type: ignore[assignment]
_MESSAGES: Table = Message.__table__  # type: ignore[assignment]
READ_FIRST = (payloads.EXPECT_OTP, payloads.EXPECT_ID_LAST4)
"""While the bot waits for one of these, the transcript shows less than was typed."""
_TOKEN_COLUMNS = ("token_hash", "keep_open_until", "updated_at", "created_at")
_CLAIMED = "claimed_"
"""Prefix of the claimed conversation's columns in the result (the token's share names)."""


def _statement() -> Select[Any]:
    cid: BindParameter[str] = bindparam("cid")
    before = (
        select(*(_CONVERSATIONS.c[name] for name in _TOKEN_COLUMNS))
        .where(_CONVERSATIONS.c.id == cid)
        .cte("before")
    )
    new_row = select(
        cid,
        bindparam("client_message_id"),
        bindparam("response", type_=_REPLIES.c.response.type),
        bindparam("reserved_at", type_=_REPLIES.c.created_at.type),
    ).where(exists(before.select()))
    reserved = (
        postgresql.insert(_REPLIES)
        .from_select(["conversation_id", "client_message_id", "response", "created_at"], new_row)
        .on_conflict_do_nothing(index_elements=["conversation_id", "client_message_id"])
        .returning(_REPLIES.c.id)
        .cte("reserved")
    )
    claimed = (
        update(_CONVERSATIONS)
        .where(_CONVERSATIONS.c.id == cid, exists(select(reserved.c.id)))
        .values(
            last_seq=_CONVERSATIONS.c.last_seq + bindparam("count"), updated_at=bindparam("now")
        )
        .returning(*_CONVERSATIONS.c)
        .cte("claimed")
    )
    as_said = select(
        cid,
        claimed.c.last_seq,
        bindparam("sender", Sender.customer, type_=_MESSAGES.c.sender.type),
        bindparam("shown", type_=_MESSAGES.c.text.type),
        bindparam("reserved_at", type_=_MESSAGES.c.created_at.type),
    ).where(
        bindparam("as_said", type_=Boolean),
        or_(claimed.c.expecting.is_(None), claimed.c.expecting.not_in(READ_FIRST)),
    )
    stored = (
        insert(_MESSAGES)
        .from_select(["conversation_id", "seq", "sender", "text", "created_at"], as_said)
        .returning(_MESSAGES.c.seq)
        .cte("stored")
    )
    return select(
        *before.c,
        reserved.c.id.label("reserved"),
        *(column.label(_CLAIMED + column.name) for column in claimed.c),
        stored.c.seq.label("stored"),
    ).select_from(
        before.outerjoin(reserved, true()).outerjoin(claimed, true()).outerjoin(stored, true())
    )


OPENING = _statement()
"""Built once: building a statement costs more than running it."""


@dataclass(frozen=True)
class Opening:
    """What opening a turn found, by this statement or step by step (`turn_store._open`).

    The token's facts (None: no such conversation), the reservation's id
    (None: the message id was taken before), the conversation as claimed
    (None unless reserved), and the message as stored (None: not yet).
    """

    token: TokenHolder | None
    reserved: int | None
    claimed: Mapping[Any, Any] | None
    stored: str | None = None


def parameters(conversation_id: str, client_message_id: str, shown: str | None) -> dict[str, Any]:
    """The opening's parameters: the reservation's, the claim's and the message's.

    `shown`: the message as the transcript shows it unless the bot waits for
    a code or the ID's last four (`READ_FIRST`); None when it cannot be
    stored before the conversation is read (a command: `commands`).
    """
    _, reservation = idempotency.reservation("postgresql", conversation_id, client_message_id)
    _, claim = seq_claim(Conversation(id=conversation_id), 1)
    return {
        "cid": conversation_id,
        "client_message_id": client_message_id,
        "response": reservation["response"],
        "reserved_at": reservation["created_at"],  # not "created_at": the claim would set it
        "now": claim["now"],
        "count": claim["count"],
        "shown": shown or "",
        "as_said": shown is not None,
    }


def read(row: Row[Any] | None, shown: str | None) -> Opening:
    """The opening's row, taken apart; `shown` as given to `parameters`."""
    if row is None:
        return Opening(None, None, None)
    values = row._mapping
    token = TokenFacts(**{name: values[name] for name in _TOKEN_COLUMNS})
    reserved = values["reserved"]
    if reserved is None:
        return Opening(token, None, None)
    claimed = {
        name[len(_CLAIMED):]: value for name, value in values.items() if name.startswith(_CLAIMED)
    }
    return Opening(token, int(reserved), claimed, shown if values["stored"] is not None else None)
