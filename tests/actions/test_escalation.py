"""actions/escalation.py: the handoffs the engine's escalation policy predicts.

What is due is decided in the engine (common/escalation.py, tested in
tests/common/test_escalation.py); here the slot ``escalation`` is set as the
engine sets it, and the handoff actions run.
"""

from __future__ import annotations

from typing import Any

import pytest

from actions.deps import Deps
from actions.escalation import ActionHandoffEmotion, ActionHandoffRepeatedQuestion
from tests.actions.conftest import ZHANG, Chat, Turn


def due(chat: Chat, reason: str) -> None:
    """The engine found ``reason`` due after the latest message."""
    chat.events.append({"event": "slot", "name": "escalation", "value": reason})
    chat.slots["escalation"] = reason


def handoffs(turn: Turn) -> list[dict[str, Any]]:
    return turn.handoffs


async def test_the_repeated_question_handoff(chat_en: Chat) -> None:
    chat_en.slots["need_counts"] = {"faq/opening_hours": 3}
    chat_en.user("what time do you open", "faq")
    due(chat_en, "repeated_question")
    turn = await chat_en.run(ActionHandoffRepeatedQuestion())
    assert turn.responses == ["utter_handoff_repeated_question"]
    assert handoffs(turn) == [{"reason": "repeated_question", "priority": "normal"}]
    assert chat_en.slots["escalation"] is None and chat_en.slots["need_counts"] == {}
    assert chat_en.slots["handoff_reason"] == "repeated_question"


@pytest.mark.parametrize(
    ("language", "emotion", "response"),
    [
        ("zh", "anger", "utter_handoff_emotion"),
        ("en", "anger", "utter_handoff_emotion"),
        ("zh", "distress", "utter_handoff_emotion_distress"),
        ("en", "distress", "utter_handoff_emotion_distress"),
    ],
)
async def test_the_emotion_handoff_apologises_or_reassures_then_hands_over_high(
    bank: Deps, language: str, emotion: str, response: str
) -> None:
    chat = Chat(bank, language)
    chat.user("…", "faq", emotion=emotion)
    due(chat, "emotion")
    turn = await chat.run(ActionHandoffEmotion())
    assert turn.responses == [response]
    assert handoffs(turn) == [{"reason": "emotion", "priority": "high"}]
    assert chat.slots["escalation"] is None


async def test_an_upset_customer_during_verification_is_handed_over_and_the_code_dies(
    chat: Chat, bank: Deps
) -> None:
    chat.user("查余额", "check_balance")
    from actions.accounts import ActionCheckBalance

    await chat.run(ActionCheckBalance())
    chat.user(ZHANG["phone"], "nlu_fallback", phone=ZHANG["phone"])
    await chat.form_turn()
    chat.user(ZHANG["id_last4"])
    await chat.form_turn()
    assert bank.verifications.open_challenge(chat.sender_id) is not None
    chat.user("你们到底有完没完，急死我了", "nlu_fallback", emotion="distress")
    due(chat, "emotion")
    turn = await chat.run(ActionHandoffEmotion())
    assert handoffs(turn) == [{"reason": "emotion", "priority": "high"}]
    assert chat.active_loop is None
    assert bank.verifications.open_challenge(chat.sender_id) is None
    assert all(
        chat.slots.get(s) is None for s in ("verify_phone", "verify_id_last4", "pending_service")
    )
