"""The low-confidence handoff of actions/escalation.py: misunderstood twice.

What the whole conversation adds up to is decided in the engine
(common/conversation.py, tested in tests/common/test_conversation.py); here
the slots are as the engine leaves them, and the handoff runs.
"""

from __future__ import annotations

from actions.escalation import ActionHandoffLowConfidence
from tests.actions.conftest import Chat


async def test_misunderstood_twice_goes_to_a_person(chat: Chat) -> None:
    chat.slots["recent_turns"] = [
        {"upset": 0.0, "miss": True},
        {"upset": 0.15, "miss": False},
        {"upset": 0.3, "miss": True},
    ]
    chat.user("哎呀就是手机上有个小房子的图标", "nlu_fallback")
    chat.events.append({"event": "slot", "name": "escalation", "value": "low_confidence"})
    chat.slots["escalation"] = "low_confidence"
    turn = await chat.run(ActionHandoffLowConfidence())
    assert turn.responses == ["utter_handoff_low_confidence"]
    assert {"reason": "low_confidence", "priority": "normal"} in turn.handoffs
    assert chat.slots["recent_turns"] == [] and chat.slots["escalation"] is None
    assert chat.slots["faq_misses"] == 0
