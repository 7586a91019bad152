"""common/escalation.py: counting needs and deciding what is due after each message.

The engine (bot/escalation.py) runs :func:`common.escalation.track` on every
customer message; the tests play messages with the parse data the engine
produces (intent, FAQ ranking, the ``emotion`` entity of bot/emotion.py) and
read the slots it sets. The handoff actions are tested on the action side
(tests/actions/test_escalation.py).
"""

from __future__ import annotations

from typing import Any

from common.escalation import REPEAT_LIMIT, need_of
from tests.common.talk import Talk

# --------------------------------------------------------------------------- repeated needs


def test_the_same_faq_in_other_words_a_third_time_is_due() -> None:
    talk = Talk()
    for n, text in enumerate(["你们几点开门", "营业时间是几点", "周末开门吗"], start=1):
        talk.faq(text, "opening_hours")
        changes = talk.track()
        assert talk.slots["need_counts"] == {"faq/opening_hours": n}
        due = talk.slots.get("escalation")
        assert due == ("repeated_question" if n == REPEAT_LIMIT else None), (n, changes)


def test_different_needs_and_small_talk_do_not_add_up() -> None:
    talk = Talk()
    talk.faq("你们几点开门", "opening_hours")
    talk.track()
    for intent in ("greet", "thank", "affirm", "deny", "goodbye", "nlu_fallback", "out_of_scope"):
        talk.user("…", intent)
        talk.track()
    talk.faq("转账手续费多少", "transfer_fees")
    talk.track()
    talk.faq("几点开门", "opening_hours")
    talk.track()
    assert talk.slots["need_counts"] == {"faq/opening_hours": 2, "faq/transfer_fees": 1}
    assert talk.slots.get("escalation") is None


def test_an_unsure_faq_is_not_counted_but_the_button_chosen_is() -> None:
    talk = Talk()
    talk.faq("手续费", "transfer_fees", confidence=0.3)  # the customer is asked what they meant
    talk.track()
    assert talk.slots.get("need_counts") in (None, {})
    talk.user('/choose_faq{"faq_key":"transfer_fees"}', "choose_faq", faq_key="transfer_fees")
    talk.track()
    assert talk.slots["need_counts"] == {"faq/transfer_fees": 1}


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


def test_counting_starts_again_after_a_handoff() -> None:
    talk = Talk()
    for text in ("查余额", "余额多少"):
        talk.user(text, "check_balance")
        talk.track()
    assert talk.slots["need_counts"] == {"check_balance": 2}
    talk.handoff("repeated_question")
    # the agent hands the conversation back; the customer asks again
    talk.user("帮我查一下余额", "check_balance")
    talk.track()
    assert talk.slots["need_counts"] == {"check_balance": 1}
    assert talk.slots.get("escalation") is None


def test_counting_starts_again_in_a_new_session() -> None:
    talk = Talk()
    for _ in range(2):
        talk.faq("几点开门", "opening_hours")
        talk.track()
    talk.events.append({"event": "session_started"})
    talk.set("need_counts", {"faq/opening_hours": 2})
    talk.faq("几点开门", "opening_hours")
    talk.track()
    assert talk.slots["need_counts"] == {"faq/opening_hours": 1}


def test_nothing_changed_sets_nothing() -> None:
    talk = Talk()
    talk.user("👍", "affirm")  # no words: not even the window changes
    assert talk.track() == []


# --------------------------------------------------------------------------- emotion


def test_an_upset_message_is_due_whatever_it_asks() -> None:
    talk = Talk()
    talk.faq("垃圾银行，几点开门", "opening_hours", emotion="anger")
    assert talk.due() == "emotion"
    talk.user("气死我了 转人工", "request_human", emotion="anger")
    assert talk.due() == "emotion"  # high beats a plain request for a person
    talk.user("你们几点开门", "faq")
    assert talk.due() is None  # cleared on the next calm message


def upset_reading(talk: Talk, intent: str, confidence: float, score: float) -> None:
    """The latest message as the engine reads it: sure of ``intent``, upset at ``score``."""
    talk.latest_message["intent"] = {"name": intent, "confidence": confidence}
    talk.latest_message["judgement"] = {
        "upset": {"score": score, "flag": score >= 0.62, "threshold": 0.62, "source": "model"}
    }


def test_a_greeting_the_classifier_is_sure_of_needs_a_sure_upset_flag() -> None:
    talk = Talk()
    talk.user("Hello! Hope you're doing well today.", "greet", emotion="anger")
    upset_reading(talk, "greet", 0.99, 0.65)
    assert talk.due() is None  # a friendly greeting stays with the bot
    talk.user("bye then, have a GREAT day with my money", "goodbye", emotion="anger")
    upset_reading(talk, "goodbye", 0.95, 0.91)
    assert talk.due() == "emotion"  # sure enough to be an upset customer's goodbye
    talk.user("hello?? is anyone actually there??", "greet", emotion="anger")
    upset_reading(talk, "greet", 0.6, 0.7)
    assert talk.due() == "emotion"  # the classifier is unsure it is only a greeting


def test_a_plain_request_for_a_person_is_handed_over_as_asked_not_for_a_mood() -> None:
    talk = Talk()
    talk.user("我要转人工", "request_human", emotion="anger")
    upset_reading(talk, "request_human", 1.0, 0.63)
    assert talk.due() is None  # the request's own rule hands over (request_human)
    talk.user("GET ME A HUMAN NOW, this bot is useless", "request_human", emotion="anger")
    upset_reading(talk, "request_human", 0.97, 0.95)
    assert talk.due() == "emotion"  # sure enough: a person at high priority


def test_a_doubted_upset_flag_starts_no_rise_of_frustration() -> None:
    """The greeting's doubtful flag must not come back one message later as a rise."""
    talk = Talk()
    talk.user("Good morning, hope your week is going well!", "greet", emotion="anger")
    upset_reading(talk, "greet", 0.99, 0.65)
    assert talk.due() is None
    talk.faq("what does a transfer to Singapore cost?", "transfer_fees")
    upset_reading(talk, "faq", 0.95, 0.35)  # half the threshold and more: could end a rise
    assert talk.due() is None


def test_sarcastic_thanks_stay_upset() -> None:
    talk = Talk()
    talk.user("谢谢你们啊，什么都没做", "thank", emotion="anger")
    upset_reading(talk, "thank", 0.99, 0.66)
    assert talk.due() == "emotion"


def test_an_upset_complaint_is_left_to_the_complaint_form() -> None:
    """It is registered with what it says first, then a person takes over."""
    talk = Talk()
    talk.user("我要投诉，昨天在人民路支行，柜员对我大喊大叫", "complain", emotion="anger")
    assert talk.due() is None
    talk.user("气死我了，你们银行怎么回事", "nlu_fallback", emotion="anger")
    assert talk.due() == "emotion"  # outside a complaint: a person at once


def test_an_upset_message_barely_read_as_a_complaint_is_an_upset_customer() -> None:
    talk = Talk()
    talk.user("这破银行，转账三天了", "complain", emotion="anger")
    talk.latest_message["intent"]["confidence"] = 0.38
    assert talk.due() == "emotion"


def test_a_distressed_customer_gets_help_not_a_ticket() -> None:
    talk = Talk()
    talk.user("急死我了，工资卡被冻结了，明天要交房租，我要投诉", "complain", emotion="distress")
    assert talk.due() == "emotion"


def test_emotion_wins_over_a_repeated_need() -> None:
    talk = Talk()
    for _ in range(2):
        talk.faq("几点开门", "opening_hours")
        talk.track()
    talk.faq("到底几点开门！！！气死了", "opening_hours", emotion="anger")
    assert talk.due() == "emotion"


def test_an_upset_customer_during_a_form_is_due() -> None:
    talk = Talk()
    talk.active_loop = "verification_form"
    talk.user("你们到底有完没完，急死我了", "nlu_fallback", emotion="distress")
    assert talk.due() == "emotion"


# --------------------------------------------------------------------------- the complaint flow


def test_inside_the_complaint_form_upset_is_remembered_not_escalated() -> None:
    talk = Talk()
    talk.active_loop = "complaint_form"
    for _ in range(3):
        talk.user("柜员态度太恶劣了，气死我了", "complain", emotion="anger")
        talk.track()
    assert talk.slots.get("escalation") is None
    assert talk.slots["complaint_upset"] is True
    assert talk.slots.get("need_counts") in (None, {})


def test_an_offer_of_a_person_lapses_unless_answered_at_once() -> None:
    talk = Talk()
    talk.user("我要投诉", "complain")
    talk.set("complaint_offer", "human")
    talk.user("好的", "affirm")
    talk.track()
    assert talk.slots["complaint_offer"] == "human"  # the answer to the offer
    talk.user("几点开门", "faq")
    talk.track()
    assert talk.slots["complaint_offer"] is None


def test_an_offer_carried_into_a_new_session_has_lapsed() -> None:
    talk = Talk()
    talk.user("我要投诉", "complain")
    talk.events.append({"event": "session_started"})
    talk.set("complaint_offer", "human")
    talk.user("好的", "affirm")
    talk.track()
    assert talk.slots["complaint_offer"] is None


def test_a_faq_added_in_the_content_tool_counts_too() -> None:
    message = {
        "intent": {"name": "faq"},
        "response_selector": {
            "faq": {"ranking": [{"intent_response_key": "faq/new_thing", "confidence": 0.9}]}
        },
    }
    assert need_of(message) is None  # not in the live model's domain
    assert need_of(message, {"new_thing"}) == "faq/new_thing"


def test_a_follow_up_on_the_answer_is_not_asked_again_but_the_same_words_again_are() -> None:
    talk = Talk()
    talk.faq("怎么提高转账额度", "transfer_limits")
    talk.track()
    talk.faq("那周末呢", "transfer_limits")
    talk.latest_message["followup"] = {"topic": "transfer_limits", "key": "transfer_limits"}
    talk.track()
    assert talk.slots["need_counts"] == {"faq/transfer_limits": 1}
    # "就是…" is never answered with the answer just given (bot/followup.py):
    # it stays a miss, marked as that need asked again in other words
    talk.user("就是手机上给别人打钱那个")  # nlu_fallback
    talk.latest_message["followup"] = {"topic": "transfer_limits", "reworded": True}
    talk.track()
    assert talk.slots["need_counts"] == {"faq/transfer_limits": 2}
    # and when its own words ask for that answer, that is the same need again too
    talk.faq("就是上限能不能调高一点", "transfer_limits")
    talk.track()
    assert talk.slots["need_counts"] == {"faq/transfer_limits": 3}
    assert talk.slots["escalation"] == "repeated_question"
