"""What a customer turn's first transaction costs the gateway, awaited or on a thread.

``python -m bankbot.bench.turn_store`` builds a throw-away SQLite gateway
database with a few conversations, then stores messages for them one after
another in two ways and prints the time and the CPU per turn:

- **awaited**: the statements one at a time through SQLAlchemy's asyncio
  session, as the gateway did before (the conversation read for the token
  check, the reservation, the seq, the message, the commit);
- **on a thread**: ``TurnStore.begin``, the same statements as one blocking
  transaction on the gateway's writer thread (the token checked inside it);
- **with the answer**: ``TurnStore.begin``, then ``TurnStore.finish`` storing a
  one-line bot answer (its reply, the turn's outcome, the answer kept for
  retries): a whole bot turn's database work; **with an FAQ answer**, the
  same for an answer that reports the FAQ for the summary (the facts row).

CPU is the whole process's (the worker threads included). It is why the
gateway runs a turn's transactions on a thread (``handoff/services/turn_store.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

from handoff.core.db import make_engine, make_sessionmaker
from handoff.migrate import upgrade
from handoff.models import Channel, Conversation, Sender
from handoff.services import idempotency
from handoff.services.access import Expiry
from handoff.services.conversations import claim_seqs, create_conversation, insert_messages
from handoff.services.engine import BotReply
from handoff.services.turn_store import Answered, Opened, TurnStore

EXPIRY = Expiry(idle=timedelta(hours=1), max_age=timedelta(days=1))
KEY = "k" * 32


async def _measure(turn: Callable[[int], Awaitable[None]], turns: int) -> tuple[float, float]:
    """(wall µs, CPU µs) per turn after a warm-up."""
    for number in range(50):
        await turn(-1 - number)
    wall, cpu = time.perf_counter(), time.process_time()
    for number in range(turns):
        await turn(number)
    return (
        (time.perf_counter() - wall) / turns * 1e6,
        (time.process_time() - cpu) / turns * 1e6,
    )


async def _run(database_url: str, turns: int) -> None:
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    store = TurnStore(database_url, EXPIRY)
    opened: list[Opened] = []
    async with sessions() as session:
        for _ in range(20):
            conversation, token = await create_conversation(session, Channel.web, "en")
            opened.append(Opened(conversation.id, token))
        await session.commit()

    async def awaited(number: int) -> None:
        who = opened[number % len(opened)]
        async with sessions() as session:
            conversation = await session.get(Conversation, who.conversation_id)
            assert conversation is not None
            await idempotency.reserve(session, who.conversation_id, f"a{number}")
            seq = await claim_seqs(session, conversation, 1)
            await insert_messages(session, conversation.id, seq, Sender.customer, [("hi", [])])
            await session.commit()

    async def threaded(number: int) -> None:
        await store.begin(opened[number % len(opened)], "hi", f"t{number}", KEY)

    async def with_answer(message_id: str, number: int, custom: dict[str, str] | None) -> None:
        started = await store.begin(opened[number % len(opened)], "hi", message_id, KEY)
        said: list[tuple[str, list[dict[str, str]]]] = [("We open at 9.", [])]
        body = {"replies": [{"text": said[0][0], "buttons": []}], "state": "bot", "handoff": None}
        reply = BotReply(text=said[0][0], custom=custom)
        await store.finish(started, Answered([reply], None, said, body))

    async def answered(number: int) -> None:
        await with_answer(f"f{number}", number, None)

    async def faq_answered(number: int) -> None:
        await with_answer(f"q{number}", number, {"faq": "opening_hours"})

    turns_measured = (
        ("awaited (asyncio session)", awaited),
        ("on a thread", threaded),
        ("on a thread, with the answer", answered),
        ("... with an FAQ answer", faq_answered),
    )
    try:
        for name, turn in turns_measured:
            wall, cpu = await _measure(turn, turns)
            print(f"  {name:30s} {wall:7.0f} µs per turn, CPU {cpu:7.0f} µs")
    finally:
        store.close()
        await engine.dispose()


def main() -> int:
    """Print both ways' cost per turn."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bankbot-turns-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'gateway.db'}"
        upgrade(url)
        print(f"a turn's first transaction, {args.turns} turns one after another (SQLite):")
        asyncio.run(_run(url, args.turns))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
