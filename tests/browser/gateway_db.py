"""Writing into a gateway's database from a test, as parts of the bank not driven here would."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from handoff.core.db import make_engine, make_sessionmaker
from handoff.models import Conversation, ConversationState, Sender
from handoff.services.conversations import append_message


def write_as_the_bank(
    database_url: str,
    conversation_id: str,
    messages: list[tuple[str, str, str | None]],
    *,
    state: str | None = None,
    buttons: list[dict[str, str]] | None = None,
) -> None:
    """Append `(sender, text, agent_name)` messages with the gateway's own code; set the state.

    The running gateway does not hear of them (no event is published), so a
    widget sees them only by fetching: after a reload or a reconnect.
    `buttons` go on the last message.
    """

    async def write() -> None:
        engine = make_engine(database_url)
        try:
            async with make_sessionmaker(engine)() as session:
                conversation = await session.get(Conversation, conversation_id)
                assert conversation is not None
                for index, (sender, text, agent_name) in enumerate(messages):
                    last = index == len(messages) - 1
                    await append_message(
                        session,
                        conversation,
                        Sender(sender),
                        text,
                        agent_name=agent_name,
                        buttons=buttons if last else None,
                    )
                if state is not None:
                    conversation.state = ConversationState(state)
                await session.commit()
        finally:
            await engine.dispose()

    # Playwright's sync API owns this thread's event loop: run ours on another thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, write()).result()
