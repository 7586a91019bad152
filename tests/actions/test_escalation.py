"""actions/escalation.py: counting needs, deciding what is due, and the two handoffs.

``action_track_escalation`` runs on every customer message (a custom slot
mapping); the tests play messages with the parse data the engine would send
(intent, FAQ ranking, the ``emotion`` entity of bot/emotion.py) and read the
slots it sets, then run the handoff actions the escalation policy predicts.
"""

from __future__ import annotations

from typing import Any

import pytest

from actions.deps import Deps
from actions.escalation import (
    REPEAT_LIMIT,
    ActionHandoffEmotion,
    ActionHandoffRepeatedQuestion,
    ActionTrackEscalation,
    need_of,
)
from tests.actions.conftest import ZHANG, Chat, Turn


def faq(chat: Chat, text: str, key: str, confidence: float = 0.95, **entities: str) -> None:
    """The customer asks a FAQ the classifier maps to ``key``."""
    chat.user(text, "faq", **entities)
    chat.latest_message["response_selector"] = {
        "faq": {
            "response": {"intent_response_key": f"faq/{key}", "confidence": confidence},
            "ranking": [{"intent_response_key": f"faq/{key}", "confidence": confidence}],
        }
    }


async def track(chat: Chat) -> Turn:
    return await chat.run(ActionTrackEscalation())


def handoffs(turn: Turn) -> list[dict[str, Any]]:
    return turn.handoffs


# --------------------------------------------------------------------------- repeated needs


async def test_the_same_faq_in_other_words_a_third_time_is_due(chat: Chat) -> None:
    for n, text in enumerate(["你们几点开门", "营业时间是几点", "周末开门吗"], start=1):
        faq(chat, text, "opening_hours")
        turn = await track(chat)
        assert chat.slots["need_counts"] == {"faq/opening_hours": n}
        due = chat.slots.get("escalation")
        assert due == ("repeated_question" if n == REPEAT_LIMIT else None), (n, turn.events)
    assert (await track(chat)).messages == []  # it never talks itself


async def test_different_needs_and_small_talk_do_not_add_up(chat: Chat) -> None:
    faq(chat, "你们几点开门", "opening_hours")
    await track(chat)
    for intent in ("greet", "thank", "affirm", "deny", "goodbye", "nlu_fallback", "out_of_scope"):
        chat.user("…", intent)
        await track(chat)
    faq(chat, "转账手续费多少", "transfer_fees")
    await track(chat)
    faq(chat, "几点开门", "opening_hours")
    await track(chat)
    assert chat.slots["need_counts"] == {"faq/opening_hours": 2, "faq/transfer_fees": 1}
    assert chat.slots.get("escalation") is None


async def test_an_unsure_faq_is_not_counted_but_the_button_chosen_is(chat: Chat) -> None:
    faq(chat, "手续费", "transfer_fees", confidence=0.3)  # the customer is asked what they meant
    await track(chat)
    assert chat.slots.get("need_counts") in (None, {})
    chat.user('/choose_faq{"faq_key":"transfer_fees"}', "choose_faq", faq_key="transfer_fees")
    await track(chat)
    assert chat.slots["need_counts"] == {"faq/transfer_fees": 1}


def test_a_service_request_is_one_need_per_month_amount_and_card() -> None:
    def message(intent: str, **entities: str) -> dict[str, Any]:
        return {
            "intent": {"name": intent},
            "entities": [{"entity": k, "value": v} for k, v in entities.items()],
        }

    assert need_of(message("check_balance")) == "check_balance"
    october = need_of(message("check_transactions", month="2026-10"))
    november = need_of(message("check_transactions", month="2026-11"))
    assert october != november and october == "check_transactions|month=2026-10"
    assert need_of(message("freeze_card", card_last4="6789")) == "freeze_card|card_last4=6789"
    for not_a_need in (
        "request_human",
        "complain",
        "report_fraud",
        "submit_code",
        "third_party_info",
    ):
        assert need_of(message(not_a_need)) is None


async def test_counting_starts_again_after_a_handoff(chat: Chat) -> None:
    for text in ("查余额", "余额多少"):
        chat.user(text, "check_balance")
        await track(chat)
    assert chat.slots["need_counts"] == {"check_balance": 2}
    turn = await chat.run(ActionHandoffRepeatedQuestion())  # any handoff sets handoff_reason
    assert handoffs(turn)
    # the agent hands the conversation back; the customer asks again
    chat.user("帮我查一下余额", "check_balance")
    await track(chat)
    assert chat.slots["need_counts"] == {"check_balance": 1}
    assert chat.slots.get("escalation") is None


async def test_counting_starts_again_in_a_new_session(chat: Chat) -> None:
    for _ in range(2):
        faq(chat, "几点开门", "opening_hours")
        await track(chat)
    chat.events.append({"event": "session_started"})
    chat.events.append({"event": "slot", "name": "need_counts", "value": {"faq/opening_hours": 2}})
    faq(chat, "几点开门", "opening_hours")
    await track(chat)
    assert chat.slots["need_counts"] == {"faq/opening_hours": 1}


async def test_the_repeated_question_handoff(chat_en: Chat) -> None:
    for text in ("opening hours?", "when are you open", "what time do you open"):
        faq(chat_en, text, "opening_hours")
        await track(chat_en)
    assert chat_en.slots["escalation"] == "repeated_question"
    turn = await chat_en.run(ActionHandoffRepeatedQuestion())
    assert turn.responses == ["utter_handoff_repeated_question"]
    assert handoffs(turn) == [{"reason": "repeated_question", "priority": "normal"}]
    assert chat_en.slots["escalation"] is None and chat_en.slots["need_counts"] == {}
    assert chat_en.slots["handoff_reason"] == "repeated_question"


# --------------------------------------------------------------------------- emotion


async def test_an_upset_message_is_due_whatever_it_asks(chat: Chat) -> None:
    faq(chat, "垃圾银行，几点开门", "opening_hours", emotion="anger")
    await track(chat)
    assert chat.slots["escalation"] == "emotion"
    chat.user("气死我了 转人工", "request_human", emotion="anger")
    await track(chat)
    assert chat.slots["escalation"] == "emotion"  # high beats a plain request for a person
    chat.user("你们几点开门", "faq")
    await track(chat)
    assert chat.slots["escalation"] is None  # cleared on the next calm message


async def test_an_upset_complaint_is_left_to_the_complaint_form(chat: Chat) -> None:
    """It is registered with what it says first, then a person takes over."""
    chat.user("我要投诉，昨天在人民路支行，柜员对我大喊大叫", "complain", emotion="anger")
    await track(chat)
    assert chat.slots.get("escalation") is None
    chat.user("气死我了，你们银行怎么回事", "nlu_fallback", emotion="anger")
    await track(chat)
    assert chat.slots["escalation"] == "emotion"  # outside a complaint: a person at once


async def test_an_upset_message_barely_read_as_a_complaint_is_an_upset_customer(
    chat: Chat,
) -> None:
    chat.user("这破银行，转账三天了", "complain", emotion="anger")
    chat.latest_message["intent"]["confidence"] = 0.38
    await track(chat)
    assert chat.slots["escalation"] == "emotion"


async def test_a_distressed_customer_gets_help_not_a_ticket(chat: Chat) -> None:
    chat.user("急死我了，工资卡被冻结了，明天要交房租，我要投诉", "complain", emotion="distress")
    await track(chat)
    assert chat.slots["escalation"] == "emotion"


async def test_emotion_wins_over_a_repeated_need(chat: Chat) -> None:
    for _ in range(2):
        faq(chat, "几点开门", "opening_hours")
        await track(chat)
    faq(chat, "到底几点开门！！！气死了", "opening_hours", emotion="anger")
    await track(chat)
    assert chat.slots["escalation"] == "emotion"


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
    await track(chat)
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
    await track(chat)
    turn = await chat.run(ActionHandoffEmotion())
    assert handoffs(turn) == [{"reason": "emotion", "priority": "high"}]
    assert chat.active_loop is None
    assert bank.verifications.open_challenge(chat.sender_id) is None
    assert all(
        chat.slots.get(s) is None for s in ("verify_phone", "verify_id_last4", "pending_service")
    )


# --------------------------------------------------------------------------- the complaint flow


async def test_inside_the_complaint_form_upset_is_remembered_not_escalated(chat: Chat) -> None:
    chat.active_loop = "complaint_form"
    for _ in range(3):
        chat.user("柜员态度太恶劣了，气死我了", "complain", emotion="anger")
        await track(chat)
    assert chat.slots.get("escalation") is None
    assert chat.slots["complaint_upset"] is True
    assert chat.slots.get("need_counts") in (None, {})


async def test_an_offer_of_a_person_lapses_unless_answered_at_once(chat: Chat) -> None:
    chat.user("我要投诉", "complain")
    chat.events.append({"event": "slot", "name": "complaint_offer", "value": "human"})
    chat.slots["complaint_offer"] = "human"
    chat.user("好的", "affirm")
    await track(chat)
    assert chat.slots["complaint_offer"] == "human"  # the answer to the offer
    chat.user("几点开门", "faq")
    await track(chat)
    assert chat.slots["complaint_offer"] is None


async def test_an_offer_carried_into_a_new_session_has_lapsed(chat: Chat) -> None:
    chat.user("我要投诉", "complain")
    chat.events.append({"event": "session_started"})
    chat.events.append({"event": "slot", "name": "complaint_offer", "value": "human"})
    chat.slots["complaint_offer"] = "human"
    chat.user("好的", "affirm")
    await track(chat)
    assert chat.slots["complaint_offer"] is None


def test_a_faq_added_in_the_content_tool_counts_too() -> None:
    message = {
        "intent": {"name": "faq"},
        "response_selector": {
            "faq": {"ranking": [{"intent_response_key": "faq/new_thing", "confidence": 0.9}]}
        },
    }
    assert need_of(message) is None  # not in the live model's domain
    domain = {"responses": {"utter_faq/new_thing": [{"text": "…"}]}}
    assert need_of(message, domain) == "faq/new_thing"


async def test_a_follow_up_on_the_answer_is_not_asked_again_unless_reworded(chat: Chat) -> None:
    faq(chat, "怎么提高转账额度", "transfer_limits")
    await track(chat)
    for text, reworded in [("那周末呢", False), ("就是上限能不能调高一点", True)]:
        faq(chat, text, "transfer_limits")
        chat.latest_message["followup"] = {
            "topic": "transfer_limits",
            "key": "transfer_limits",
            "reworded": reworded,
        }
        await track(chat)
    assert chat.slots["need_counts"] == {"faq/transfer_limits": 2}
