"""The numbered message log: a bot turn's replies are stored in one go, in order.

`claim_seqs` takes the seqs (reading the conversation back fresh) and
`insert_messages` stores the replies under them with one insert.
"""

from __future__ import annotations

from handoff.core.config import Settings
from handoff.core.db import make_engine, make_sessionmaker
from handoff.models import Channel, Sender
from handoff.services.conversations import (
    append_message,
    claim_seqs,
    create_conversation,
    insert_messages,
    messages_after,
)


async def test_replies_follow_the_customer_message_in_order(gateway_settings: Settings) -> None:
    engine = make_engine(gateway_settings.database_url)
    sessions = make_sessionmaker(engine)
    try:
        async with sessions() as session:
            conversation, _ = await create_conversation(session, Channel.web, "zh")
            await append_message(session, conversation, Sender.customer, "你们几点开门")
            items = [
                ("营业时间是…", []),
                ("还有别的问题吗？", [{"title": "有", "payload": "/affirm"}]),
            ]
            last = await claim_seqs(session, conversation, len(items))
            replies = await insert_messages(
                session, conversation.id, last - len(items) + 1, Sender.bot, items
            )
            assert last == conversation.last_seq == 3
            assert await claim_seqs(session, conversation, 0) == 3  # nothing taken
            assert await insert_messages(session, conversation.id, 4, Sender.bot, []) == []
            await append_message(session, conversation, Sender.customer, "谢谢")
            await session.commit()
        async with sessions() as session:
            stored = await messages_after(session, conversation.id, 0)
        assert [(m.seq, m.sender, m.text) for m in stored] == [
            (1, Sender.customer, "你们几点开门"),
            (2, Sender.bot, "营业时间是…"),
            (3, Sender.bot, "还有别的问题吗？"),
            (4, Sender.customer, "谢谢"),
        ]
        assert stored[2].buttons == [{"title": "有", "payload": "/affirm"}]
        assert stored[1].buttons is None
        assert [r.seq for r in replies] == [2, 3]
    finally:
        await engine.dispose()
