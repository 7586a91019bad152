"""A customer turn's reads and writes, each run whole on a worker thread.

Every customer message needs the same few statements: the token check, the
message id's reservation, the seq (which reads the conversation back fresh
under its lock), the message and the commit; then, for the bot's answer, the
replies' seqs, the replies, the facts, the outcome and the answer kept for
retries. Awaited one at a time through SQLAlchemy's asyncio layer they cost
the event loop far more than the database does: about 1.7 ms for the first
transaction on SQLite, against about 0.6 ms as one blocking transaction on a
thread, while the loop serves other requests (README, "Benchmarks"). So they
run here, on a blocking engine of the same database
(`core.db.make_sync_engine`): one thread on SQLite, which lets one
connection write at a time (a queue is fairer than its sleeping retries),
four on PostgreSQL. The rest of the gateway uses its asyncio sessions.

The first transaction also decides what the customer said for the transcript
and what the engine receives (`commands`, `common.codes`,
`common.identifiers`): a code typed while the bot waits for one is never
stored, and the ID's last four and phone numbers reach the engine only as
digests and tokens.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, bindparam, select
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from common import codes, identifiers, payloads
from common.redaction import redact, redact_for_engine
from handoff.core.db import make_sync_engine, retry_when_locked
from handoff.core.errors import Conflict, NotFound, Unauthorized
from handoff.models import (
    Channel,
    Conversation,
    ConversationFacts,
    ConversationState,
    HandoffReason,
    Message,
    Sender,
)
from handoff.services import commands, idempotency, outcomes, summary, turn_opening
from handoff.services.access import Expiry, check_customer_token, require_token
from handoff.services.clock import clock
from handoff.services.conversations import (
    INSERT_MESSAGES,
    message_rows,
    new_conversation,
    note_change,
    seq_claim,
    took_seqs,
)
from handoff.services.desk import CSAT_SCORES
from handoff.services.engine import BotReply
from handoff.services.known_tokens import KnownTokens, TokenFacts
from handoff.services.language import guess_language
from handoff.services.turn_opening import Opening

THREADS = {"sqlite": 1, "postgresql": 4}
"""Worker threads by backend. SQLite lets one connection write at a time and makes the
others sleep and retry; one thread queues the turns' writes in order instead."""

T = TypeVar("T")

_CONVERSATIONS = Conversation.__table__
TOKEN_CHECK = select(
    _CONVERSATIONS.c.token_hash,
    _CONVERSATIONS.c.keep_open_until,
    _CONVERSATIONS.c.updated_at,
    _CONVERSATIONS.c.created_at,
).where(_CONVERSATIONS.c.id == bindparam("cid"))
"""What `access.check_customer_token` reads of a conversation."""
RATING_AWAITED = select(ConversationFacts.__table__.c.csat_pending).where(
    ConversationFacts.__table__.c.conversation_id == bindparam("cid")
)


class Kind(enum.Enum):
    """How a customer's message begins its turn."""

    turn = "turn"  # stored; the bot, the queue or the agent answers it
    duplicate = "duplicate"  # its id was seen before: the stored answer (or the apology)
    rating = "rating"  # a satisfaction button sent as text while a rating is awaited


@dataclass
class Started:
    """The turn's first transaction, committed.

    For `Kind.turn`: `conversation` as read back under the lock (in no
    session), with the turn's first changes (`changes`, written with the
    replies); the message as stored (`stored`, masked); what the engine
    receives (`engine_text`); the customer's text with any code masked
    (`text`, raw otherwise: a callback needs the phone number the transcript
    masks). For `Kind.rating`, `text` is the score.
    """

    kind: Kind
    conversation_id: str
    reserved: int | None = None
    conversation: Conversation | None = None
    text: str = ""
    seq: int = 0
    shown: str = ""
    engine_text: str = ""
    code_typed: bool = False
    was_expecting: str | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    stored: Message | None = None


@dataclass(frozen=True)
class Answered:
    """A bot turn's answer, to store after it was sent (or with its handoff).

    `replies`: what the engine said, None when it did not answer (nothing to
    record); `outgoing`: what the customer got, as said (masked when stored);
    `body`: the API's answer, kept for retries.
    """

    replies: list[BotReply] | None
    reason: HandoffReason | None
    outgoing: list[tuple[str, list[dict[str, str]]]]
    body: dict[str, Any]


@dataclass(frozen=True)
class Opened:
    """A customer's message let in at the door: its conversation and the token it came with."""

    conversation_id: str
    token: str


class TurnStore:
    """The token check, the turn's first transaction and the bot's answer, on worker threads."""

    def __init__(self, database_url: str, expiry: Expiry) -> None:
        self._engine: Engine = make_sync_engine(database_url)
        self._expiry = expiry
        self._threads = ThreadPoolExecutor(
            max_workers=THREADS[self._engine.dialect.name], thread_name_prefix="turn-store"
        )
        self.known = KnownTokens()

    async def authenticate(self, conversation_id: str, token: str | None) -> Opened:
        """Let the message in if `token` is the conversation's and has not expired (else 404 / 401).

        From the copy in `known` when it says yes; read otherwise
        (`services/known_tokens.py`). `begin` checks again.
        """
        token, expiry, now = require_token(token), self._expiry, clock.now()
        known = self.known.get(conversation_id)
        if known is not None:
            with contextlib.suppress(Unauthorized):  # maybe stale: read afresh
                check_customer_token(known, token, expiry, now)
                return Opened(conversation_id, token)
        row = await self._run(_token_facts, self._engine, conversation_id)
        if row is None:
            self.known.forget(conversation_id)
        else:
            self.known.remember(conversation_id, row)
        check_customer_token(row, token, expiry, now)
        return Opened(conversation_id, token)

    async def begin(
        self, opened: Opened, text: str, client_message_id: str, key: str
    ) -> Started:
        """Check the token again, reserve the message id, store the message: one transaction."""
        now = clock.now()
        try:
            started = await self._run(
                _begin, self._engine, opened, self._expiry, now, text, client_message_id, key
            )
        except (NotFound, Unauthorized):
            self.known.forget(opened.conversation_id)
            raise
        if started.conversation is not None:
            self.known.remember(opened.conversation_id, TokenFacts.of(started.conversation))
        return started

    async def start_conversation(
        self,
        channel: Channel,
        language: str | None,
        client: str | None,
        browser_hash: str | None,
        greeting: str,
    ) -> tuple[Conversation, str]:
        """A new conversation with the bot's greeting, and the customer's token for it."""
        conversation, token = new_conversation(
            channel, language, client, browser_hash=browser_hash
        )
        await self._run(_start, self._engine, conversation, greeting)
        self.known.remember(conversation.id, TokenFacts.of(conversation))
        return conversation, token

    async def finish(self, started: Started, answered: Answered) -> list[Message]:
        """Store the bot's answer: replies (masked), facts, outcome, the answer for retries."""
        return await self._run(_finish, self._engine, started, answered)

    def close(self) -> None:
        """Let the turns in flight finish, then close the connections."""
        self._threads.shutdown(wait=True)
        self._engine.dispose()

    async def _run(self, function: Callable[..., T], *args: Any) -> T:
        work = functools.partial(function, *args)
        if self._engine.dialect.name == "sqlite":
            work = functools.partial(retry_when_locked, work)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._threads, work)


def _token_facts(engine: Engine, conversation_id: str) -> TokenFacts | None:
    with engine.connect() as connection:
        row = connection.execute(TOKEN_CHECK, {"cid": conversation_id}).one_or_none()
    return None if row is None else TokenFacts(**row._mapping)


def _start(engine: Engine, conversation: Conversation, greeting: str) -> None:
    with Session(engine, expire_on_commit=False) as session:
        session.add(conversation)
        session.flush()
        claim, claimed = seq_claim(conversation, 1)
        seq = took_seqs(conversation, session.execute(claim, claimed).one())
        greeted = message_rows(conversation.id, seq, Sender.bot, [(greeting, [])])
        session.execute(INSERT_MESSAGES, greeted)
        session.commit()


def _begin(
    engine: Engine,
    opened: Opened,
    expiry: Expiry,
    now: datetime,
    text: str,
    client_message_id: str,
    key: str,
) -> Started:
    conversation_id = opened.conversation_id
    with engine.connect() as connection:
        opened_as = _open(connection, opened, expiry, now, text, client_message_id)
        if isinstance(opened_as, Started):  # a retry, or a rating
            return opened_as
        assert opened_as.reserved is not None and opened_as.claimed is not None
        conversation = Conversation(id=conversation_id)
        seq = took_seqs(conversation, opened_as.claimed)
        make_transient_to_detached(conversation)
        if conversation.state == ConversationState.closed:
            raise Conflict("This conversation has ended; please start a new one.", code="closed")
        started = _read_text(connection, conversation, text, key)
        started.reserved, started.seq = opened_as.reserved, seq
        rows = message_rows(conversation_id, seq, Sender.customer, [(started.shown, [])])
        if opened_as.stored is None:
            connection.execute(INSERT_MESSAGES, rows)
        elif opened_as.stored != started.shown:  # the two readings of the message must agree
            raise RuntimeError("the message was stored as it must not be shown")
        connection.commit()
    started.stored = Message(**rows[0])
    return started


def _open(
    connection: Connection,
    opened: Opened,
    expiry: Expiry,
    now: datetime,
    text: str,
    client_message_id: str,
) -> Opening | Started:
    """The token, the reservation and the claim: a retry or a rating ends the turn here.

    PostgreSQL: one statement, which also stores most messages
    (`turn_opening.py`). SQLite, and a satisfaction score typed (a rating
    when one is awaited): step by step.
    """
    conversation_id = opened.conversation_id
    rating_sent = text.strip() in CSAT_SCORES
    if connection.dialect.name == "postgresql" and not rating_sent:
        shown = None if text.startswith("/") else redact(text)
        params = turn_opening.parameters(conversation_id, client_message_id, shown)
        row = connection.execute(turn_opening.OPENING, params).one_or_none()
        opening = turn_opening.read(row, shown)
        check_customer_token(opening.token, opened.token, expiry, now)
        if opening.reserved is None or opening.claimed is None:
            return Started(Kind.duplicate, conversation_id)
        return opening
    found = connection.execute(TOKEN_CHECK, {"cid": conversation_id}).one_or_none()
    check_customer_token(found, opened.token, expiry, now)
    dialect = connection.dialect.name
    statement, params = idempotency.reservation(dialect, conversation_id, client_message_id)
    reserved = connection.execute(statement, params).scalar_one_or_none()
    if reserved is None:
        return Started(Kind.duplicate, conversation_id)
    if rating_sent and connection.execute(RATING_AWAITED, {"cid": conversation_id}).scalar():
        connection.commit()
        return Started(Kind.rating, conversation_id, reserved, text=text.strip())
    claim, params = seq_claim(Conversation(id=conversation_id), 1)
    return Opening(found, reserved, connection.execute(claim, params).one()._mapping)


def _finish(engine: Engine, started: Started, answered: Answered) -> list[Message]:
    conversation = started.conversation
    assert conversation is not None and started.reserved is not None
    outgoing = [(redact(text), buttons) for text, buttons in answered.outgoing]
    with engine.begin() as connection:  # plain statements; an ORM session for facts only
        if answered.replies is not None:
            _record(connection, conversation, started, answered.replies, answered.reason)
        rows: list[dict[str, Any]] = []
        if outgoing or started.changes:
            claim, claimed = seq_claim(conversation, len(outgoing), changed=bool(started.changes))
            last = took_seqs(conversation, connection.execute(claim, claimed).one())
            rows = message_rows(conversation.id, last - len(outgoing) + 1, Sender.bot, outgoing)
            if rows:
                connection.execute(INSERT_MESSAGES, rows)
        connection.execute(*idempotency.remembering(started.reserved, answered.body))
    return [Message(**row) for row in rows]


def _record(
    connection: Connection,
    conversation: Conversation,
    started: Started,
    replies: list[BotReply],
    reason: HandoffReason | None,
) -> None:
    """The facts the engine reported, and how the turn went (`services/outcomes.py`).

    A turn whose replies report no facts (a clarification, a form's question,
    a handoff) is stored with plain statements only. An FAQ answer or a
    verification reports facts: a session joins the turn's transaction for
    the facts row, which the summary code updates as an object.
    """
    reported = [
        reply.custom
        for reply in replies
        if reply.custom is not None and summary.reports_facts(reply.custom)
    ]
    if reported:
        with Session(bind=connection) as session:  # joins the turn's transaction
            facts = session.get(ConversationFacts, conversation.id)
            if facts is None:  # the conversation's first facts
                facts = summary.add_facts(session, conversation.id)
            for custom in reported:
                summary.record_custom(facts, custom)
                ref = outcomes.verified_customer(custom)
                if ref is not None:
                    for statement in outcomes.keyed_to_customer(conversation.id, ref):
                        session.execute(statement)
                    set_committed_value(conversation, "customer_ref", ref)
            session.flush()  # the facts, before the conversation's row is read back
    shown = "" if started.code_typed else started.shown
    row = outcomes.outcome_row(conversation, started.seq, shown, replies, reason)
    if row is not None:
        connection.execute(outcomes.INSERT_OUTCOME, [row])


def _read_text(
    connection: Connection, conversation: Conversation, text: str, key: str
) -> Started:
    """What the transcript shows, what the engine receives, and the turn's first changes."""
    started = Started(
        Kind.turn, conversation.id, conversation=conversation, was_expecting=conversation.expecting
    )
    expecting = conversation.expecting
    code = codes.as_code(text) if expecting == payloads.EXPECT_OTP else None
    if code is not None:
        started.shown, started.code_typed = codes.MASKED_CODE, True
        started.engine_text = codes.code_command(key, conversation.id, code)
    else:
        if expecting == payloads.EXPECT_OTP:
            text = codes.mask_codes(text)  # "my code is 123456"
        shown, sealed = redact(text), None
        if expecting == payloads.EXPECT_ID_LAST4:
            sealed = identifiers.seal_id_last4(key, conversation.id, redact_for_engine(text))
        if sealed is not None:  # the ID's last four: a digest; hidden in the transcript
            shown, engine_text = redact(identifiers.hide_id_last4(text)), sealed
        else:  # phone numbers reach the engine (and its tracker) only as tokens
            engine_text = redact_for_engine(identifiers.seal_phones(key, conversation.id, text))
        if engine_text.startswith("/"):  # only a button offered may send a command
            recent = connection.execute(commands.RECENT_MESSAGES, {"cid": conversation.id}).all()
            offered = commands.offered_payloads(recent)
            engine_text = commands.neutralise_command(engine_text, offered)
        started.shown, started.engine_text = shown, engine_text
        if not text.startswith("/"):  # a button payload says nothing about the language
            language = guess_language(text, default=conversation.language)
            note_change(conversation, started.changes, "language", language)
    note_change(conversation, started.changes, "expecting", None)
    started.text = text
    return started
