"""actions/fraud.py: the warning, then an urgent handoff.

Who is a victim is decided in the engine (common/escalation.py, tested in
tests/common/test_fraud.py); here the slot ``escalation`` is ``fraud_risk`` as
the engine sets it, and the action the escalation policy predicts runs.
"""

from __future__ import annotations

import pytest

from actions.deps import Deps
from actions.domain_faqs import answer
from actions.fraud import ActionReportFraud
from tests.actions.conftest import DOMAIN, ZHANG, Chat


def judged(chat: Chat, victim: bool, score: float, source: str = "model") -> None:
    """Put the detectors' judgement on the latest message, as bot/judgement.py does."""
    chat.latest_message["judgement"] = {
        "upset": {"score": 0.01, "flag": False, "kind": None, "source": source},
        "fraud_victim": {"score": score, "flag": victim, "source": source},
    }


def prevention_faq(chat: Chat, text: str) -> None:
    """The classifier chose the prevention FAQ, confidently."""
    chat.user(text, "faq")
    chat.latest_message["response_selector"] = {
        "faq": {"ranking": [{"intent_response_key": "faq/fraud_prevention", "confidence": 0.9}]}
    }


def due(chat: Chat) -> None:
    """The engine found a victim in the latest message."""
    chat.events.append({"event": "slot", "name": "escalation", "value": "fraud_risk"})
    chat.slots["escalation"] = "fraud_risk"


@pytest.mark.parametrize("language", ["zh", "en"])
async def test_the_warning_then_an_urgent_handoff(bank: Deps, language: str) -> None:
    chat = Chat(bank, language)
    prevention_faq(chat, "…")
    judged(chat, victim=True, score=0.9)
    due(chat)
    turn = await chat.run(ActionReportFraud())
    assert turn.messages[0]["text"] == answer(DOMAIN, "fraud_prevention", language)
    assert turn.responses == ["utter_fraud_handoff"]
    assert {"reason": "fraud_risk", "priority": "urgent"} in turn.handoffs
    assert chat.slots["handoff_reason"] == "fraud_risk"
    assert chat.slots["escalation"] is None and chat.slots["need_counts"] == {}


async def test_a_victim_during_verification_stops_the_form_and_its_code(
    chat: Chat, bank: Deps
) -> None:
    from actions.accounts import ActionCheckBalance

    chat.user("查余额", "check_balance")
    await chat.run(ActionCheckBalance())
    chat.user(ZHANG["phone"], "nlu_fallback", phone=ZHANG["phone"])
    await chat.form_turn()
    chat.user(ZHANG["id_last4"])
    await chat.form_turn()
    assert bank.verifications.open_challenge(chat.sender_id) is not None
    chat.user("刚才有人打电话让我把验证码告诉他，我已经说了", "submit_code")
    judged(chat, victim=True, score=0.95)
    due(chat)
    turn = await chat.run(ActionReportFraud())
    assert {"reason": "fraud_risk", "priority": "urgent"} in turn.handoffs
    assert chat.active_loop is None
    assert bank.verifications.open_challenge(chat.sender_id) is None
