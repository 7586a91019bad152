"""actions/complaints.py and actions/store/complaints.py: HEART, a ticket, a person offered.

The form is played the way Rasa runs it: ``validate_complaint_form`` gets the
values the slot mappings extracted from each message, then the next question
is the first required slot still empty.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import Engine, select

from actions.complaints import (
    ActionComplaintCancel,
    ActionComplaintDecline,
    ActionComplaintHandoff,
    ActionComplaintStart,
    ActionComplaintSubmit,
    ValidateComplaintForm,
    category_of,
    substantive,
)
from actions.deps import Deps
from actions.store.complaints import (
    ComplaintStore,
    ComplaintTicket,
    add_working_days,
    deadline_days,
    redact,
)
from tests.actions.conftest import DOMAIN, EMILY, ZHANG, Chat, Clock, RecordingSms, Turn

REFERENCE = re.compile(r"^TS20261125-[2-9A-HJ-NP-Z]{4}$")


@pytest.fixture
def store(bank: Deps) -> ComplaintStore:
    return bank.complaints


def rows(core_engine: Engine) -> list[ComplaintTicket]:
    from sqlalchemy.orm import Session

    with Session(core_engine) as session:
        return list(session.scalars(select(ComplaintTicket)).all())


async def validate(chat: Chat, **candidates: Any) -> Turn:
    """Rasa's form step: the mapped values go through validate_complaint_form."""
    tracker = chat.tracker()
    tracker.events += [SlotSet(k, v) for k, v in candidates.items()]
    tracker.slots.update(candidates)
    dispatcher = CollectingDispatcher()
    events = await ValidateComplaintForm().run(dispatcher, tracker, DOMAIN)
    chat._apply(events)
    return Turn(dispatcher.messages, events)


async def next_question(chat: Chat) -> str | None:
    required = await ValidateComplaintForm().required_slots(
        DOMAIN["forms"]["complaint_form"]["required_slots"],
        CollectingDispatcher(),
        chat.tracker(),
        DOMAIN,
    )
    missing = [s for s in required if chat.slots.get(s) is None]
    return missing[0] if missing else None


def said(category: str | None = None, confidence: float = 0.0, when=(), where=()) -> dict:
    """The engine's reading of a message (``complaint`` in its parse data)."""
    return {"category": category, "confidence": confidence, "when": [*when], "where": [*where]}


async def answer(
    chat: Chat,
    text: str,
    intent: str = "nlu_fallback",
    reading: dict | None = None,
    **entities: str,
) -> Turn:
    """The customer answers the question asked (the from_text mapping takes the text)."""
    slot = await next_question(chat)
    assert slot is not None
    chat.user(text, intent, **entities)
    chat.latest_message["complaint"] = reading or said()
    return await validate(chat, **{slot: text})


async def start(
    chat: Chat, text: str = "我要投诉", reading: dict | None = None, intent: str = "complain",
    **entities: str,
) -> Turn:
    chat.user(text, intent, **entities)
    chat.latest_message["complaint"] = reading or said()
    turn = await chat.run(ActionComplaintStart())
    chat.active_loop = "complaint_form"
    await validate(chat)  # the form's first run validates what the start action set
    return turn


async def submit(chat: Chat) -> Turn:
    chat.active_loop = None
    return await chat.run(ActionComplaintSubmit())


def handoffs(turn: Turn) -> list[dict[str, Any]]:
    return [c["handoff"] for c in turn.custom if "handoff" in c]


# --------------------------------------------------------------------------- rules of the store


def test_deadlines_are_counted_in_working_days() -> None:
    wednesday = date(2026, 11, 25)
    assert add_working_days(wednesday, 3) == date(2026, 11, 30)  # over the weekend
    assert add_working_days(wednesday, 10) == date(2026, 12, 9)
    assert deadline_days("service_attitude") == deadline_days("business_handling") == (3, 3)
    assert deadline_days("other") == (3, 3)
    assert deadline_days("product") == deadline_days("information_security") == (7, 10)


def test_content_is_stored_without_card_id_or_phone_numbers() -> None:
    text = "卡号6222021234566789被扣款，身份证110101199003071234，电话13800138000"
    clean = redact(text)
    assert "6222021234566789" not in clean and "**** 6789" in clean
    assert "110101199003071234" not in clean and "[ID]" in clean
    assert "13800138000" not in clean and "138****8000" in clean


def test_a_complaint_message_that_already_says_what_happened_is_not_asked_again() -> None:
    assert not substantive("我要投诉")
    assert not substantive("I'd like to make a complaint about a branch")
    assert substantive("柜台的工作人员态度很差，还对我大喊大叫，我要投诉")
    assert substantive("the teller at your Nanjing Road branch was rude to me this morning")


def test_categories_from_buttons_and_words() -> None:
    assert category_of("/choose_complaint_category", "product") == "product"
    assert category_of("服务态度") == "service_attitude"
    assert category_of("Information security") == "information_security"
    assert category_of("其他") == "other"
    assert category_of("随便") is None


# --------------------------------------------------------------------------- the flow


STORY = "我要投诉，昨天下午在人民路支行，大堂经理对我很不耐烦，我的卡号6222021234566789"
STORY_READ = said("service_attitude", 0.81, ["昨天下午"], ["人民路支行"])


async def test_what_when_and_where_told_at_once_only_the_number_is_asked(
    chat: Chat, store: ComplaintStore, core_engine: Engine
) -> None:
    turn = await start(chat, STORY, STORY_READ)
    assert turn.responses == ["utter_complaint_heard"]  # hear, empathize, apologize
    assert chat.slots["complaint_details"] == STORY
    assert chat.slots["complaint_when_where"] == "昨天下午，人民路支行"
    assert chat.slots["complaint_category"] == "service_attitude"  # inferred, not asked
    assert await next_question(chat) == "complaint_phone"  # not verified: a number to call back
    await answer(chat, "我的电话是13912345678", phone="13912345678")
    assert await next_question(chat) is None
    assert chat.slots["complaint_asked"] == ["complaint_phone"]  # one question in all

    turn = await submit(chat)
    registered = turn.message("utter_complaint_registered")
    assert REFERENCE.match(registered["reference"])
    assert registered["category"] == "服务态度"
    assert (registered["deadline"], registered["due"]) == ("3个工作日", "11月30日")
    assert "139****5678" in registered["notify"] and "致电" in registered["notify"]
    offer = turn.message("utter_complaint_offer_human")
    assert offer and chat.slots["complaint_offer"] == "human"
    assert handoffs(turn) == []  # offered, not imposed
    assert chat.slots["complaint_reference"] == registered["reference"]
    assert all(chat.slots.get(s) is None for s in ("complaint_details", "complaint_category"))
    assert chat.slots["complaint_asked"] is None and chat.slots["complaint_guess"] is None

    (row,) = rows(core_engine)
    assert row.reference == registered["reference"] and row.category == "service_attitude"
    assert row.conversation_id == chat.sender_id and row.language == "zh"
    assert "6222021234566789" not in row.description and "**** 6789" in row.description
    assert row.when_where == "昨天下午，人民路支行"
    assert (row.contact_masked, row.callback_phone, row.notify_by) == (
        "139****5678",
        "13912345678",
        "callback",
    )
    assert row.customer_id is None and row.due_by == date(2026, 11, 30) and row.status == "open"

    chat.user("好的", "affirm")
    turn = await chat.run(ActionComplaintHandoff())
    assert handoffs(turn) == [{"reason": "complaint", "priority": "high"}]
    assert turn.responses == ["utter_handoff_complaint"]
    assert chat.slots["complaint_offer"] is None


async def test_at_most_two_questions_the_rest_filed_as_known(
    chat: Chat, store: ComplaintStore, core_engine: Engine
) -> None:
    await start(chat)  # "我要投诉": nothing told yet
    assert await next_question(chat) == "complaint_details"
    await answer(
        chat, "柜员对我很不耐烦，业务没办完就让我走", reading=said("service_attitude", 0.3)
    )
    assert chat.slots["complaint_guess"] == "service_attitude"  # unsure: not filed yet
    assert await next_question(chat) == "complaint_when_where"
    await answer(chat, "昨天下午，南京路支行")
    assert await next_question(chat) is None  # two questions: no number, no category asked
    turn = await submit(chat)
    registered = turn.message("utter_complaint_registered")
    assert registered["category"] == "服务态度"  # the most likely one
    assert "95-000" in registered["notify"]  # no number: the hotline with the reference
    (row,) = rows(core_engine)
    assert row.when_where == "昨天下午，南京路支行" and row.notify_by == "none"


async def test_when_and_where_in_the_answer_to_what_happened_are_not_asked_again(
    chat: Chat, store: ComplaintStore
) -> None:
    await start(chat)
    await answer(
        chat,
        "上周六上午在中山路网点的ATM取款，没出钞却扣了钱",
        reading=said("business_handling", 0.7, ["上周六上午"], ["中山路网点", "ATM"]),
    )
    assert chat.slots["complaint_when_where"] == "上周六上午，中山路网点，ATM"
    assert chat.slots["complaint_category"] == "business_handling"
    assert await next_question(chat) == "complaint_phone"


async def test_an_english_product_complaint_from_a_verified_customer(
    bank: Deps, store: ComplaintStore, core_engine: Engine
) -> None:
    chat = Chat(bank, language="en")
    await chat.verify(EMILY)
    sms: RecordingSms = bank.sms  # type: ignore[assignment]
    sent_before = len(sms.sent)
    await start(
        chat,
        "The wealth product I was sold lost money and nobody explained the risk to me",
        said("product", 0.42),
    )
    assert chat.slots["complaint_details"]  # the first message said what happened
    assert await next_question(chat) == "complaint_when_where"
    await answer(chat, "March, at the Pudong branch")
    assert await next_question(chat) == "complaint_category"  # verified: no phone; unsure
    await answer(chat, "the fund wasn't what they said", reading=said("product", 0.64))
    assert chat.slots["complaint_category"] == "product"  # the customer's own words
    assert await next_question(chat) is None

    turn = await submit(chat)
    registered = turn.message("utter_complaint_registered")
    assert (registered["deadline"], registered["due"]) == ("7 to 10 working days", "9 December")
    assert "139****9000" in registered["notify"] and "text" in registered["notify"]
    (row,) = rows(core_engine)
    assert (row.customer_id, row.notify_by, row.callback_phone) == (EMILY["id"], "sms", None)
    assert row.language == "en" and row.category == "product"
    phone, text = sms.sent[sent_before]
    assert phone == EMILY["phone"] and registered["reference"] in text and "7 to 10" in text

    chat.user("no thanks", "deny")
    turn = await chat.run(ActionComplaintDecline())
    assert turn.responses == ["utter_complaint_declined_human"] and handoffs(turn) == []


@pytest.mark.parametrize(
    ("typed", "reading", "category"),
    [
        ("业务办理", said("product", 0.5), "business_handling"),  # a category's name
        ("Information security", said(), "information_security"),
        ("就是钱扣了没到账", said("business_handling", 0.71), "business_handling"),
        ("随便吧", said("other", 0.2), "product"),  # unclear: the description's guess
    ],
)
async def test_a_typed_category_is_understood_never_refused(
    bank: Deps, store: ComplaintStore, typed: str, reading: dict, category: str
) -> None:
    chat = Chat(bank)
    await chat.verify(ZHANG)
    await start(chat, "理财经理卖给我的产品跟合同写的不一样，亏了很多", said("product", 0.3))
    await answer(chat, "上个月，滨江支行")
    assert await next_question(chat) == "complaint_category"
    turn = await answer(chat, typed, reading=reading)
    assert turn.messages == []  # no "please pick one of the buttons"
    assert chat.slots["complaint_category"] == category
    assert await next_question(chat) is None


async def test_a_wrong_number_is_asked_again(chat: Chat, store: ComplaintStore) -> None:
    await start(chat, STORY, STORY_READ)
    turn = await answer(chat, "12345")
    assert turn.responses == ["utter_complaint_phone_invalid"]
    assert await next_question(chat) == "complaint_phone"
    await answer(chat, "不用了", "deny")
    assert chat.slots["complaint_phone"] == "none"
    turn = await submit(chat)
    assert "95-000" in turn.message("utter_complaint_registered")["notify"]


async def test_upset_at_the_number_question_is_no_number_then_a_person(
    chat: Chat, store: ComplaintStore, core_engine: Engine
) -> None:
    await start(chat, STORY, STORY_READ)
    assert await next_question(chat) == "complaint_phone"
    chat.slots["complaint_upset"] = True  # set by the engine for this message
    turn = await answer(chat, "这都能算我逾期？你们就是这么坑客户的？钱必须退回来", "complain")
    assert turn.responses == []  # not "that is not a valid number"
    assert chat.slots["complaint_phone"] == "none"
    assert await next_question(chat) is None
    turn = await submit(chat)
    assert turn.responses == ["utter_complaint_registered", "utter_handoff_complaint"]
    assert handoffs(turn) == [{"reason": "complaint", "priority": "high"}]
    assert len(rows(core_engine)) == 1


@pytest.mark.parametrize("text", ["直接登记吧", "just register it"])
async def test_just_register_it_at_any_point(
    chat: Chat, store: ComplaintStore, core_engine: Engine, text: str
) -> None:
    await start(chat, "网银转账被重复扣款了两次，一直没退", said("business_handling", 0.4))
    assert await next_question(chat) == "complaint_when_where"
    chat.user(text, "complaint_register_now")
    assert await next_question(chat) is None  # no more questions
    turn = await submit(chat)  # the rule runs the submit in the form
    assert REFERENCE.match(turn.message("utter_complaint_registered")["reference"])
    (row,) = rows(core_engine)
    assert row.category == "business_handling" and row.description.startswith("网银转账")


async def test_just_register_it_as_the_first_words(
    chat: Chat, store: ComplaintStore, core_engine: Engine
) -> None:
    await start(chat, "直接登记吧", intent="complaint_register_now")
    assert await next_question(chat) is None
    turn = await submit(chat)
    assert turn.message("utter_complaint_registered")
    (row,) = rows(core_engine)
    assert row.category == "other"


async def test_the_story_told_before_i_want_to_complain_is_taken(
    chat: Chat, store: ComplaintStore
) -> None:
    chat.user("12号在光明路支行柜台存了五万现金，app里只到账四万五", "faq")
    chat.latest_message["complaint"] = said("business_handling", 0.77, ["12号"], ["光明路支行柜台"])
    await start(chat, "我要投诉")
    assert chat.slots["complaint_details"].startswith("12号在光明路支行")
    assert chat.slots["complaint_when_where"] == "12号，光明路支行柜台"
    assert chat.slots["complaint_category"] == "business_handling"
    assert await next_question(chat) == "complaint_phone"


async def test_a_customer_upset_while_telling_it_goes_to_a_person_directly(
    chat: Chat, store: ComplaintStore, core_engine: Engine
) -> None:
    await start(chat)
    chat.slots["complaint_upset"] = True  # set by the engine (common/escalation.py)
    await answer(chat, "柜员骂我，气死我了", reading=said("service_attitude", 0.4))
    assert await next_question(chat) is None  # upset: what happened, nothing more
    turn = await submit(chat)
    assert turn.responses == ["utter_complaint_registered", "utter_handoff_complaint"]
    assert handoffs(turn) == [{"reason": "complaint", "priority": "high"}]
    assert len(rows(core_engine)) == 1  # the ticket is registered first (rule 14)
    assert chat.slots["complaint_upset"] is False


async def test_upset_from_the_start_nothing_is_asked_then_a_person(
    chat: Chat, store: ComplaintStore, core_engine: Engine
) -> None:
    await start(chat, STORY, said("service_attitude", 0.3), emotion="anger")
    assert chat.slots["complaint_upset"] is True
    assert await next_question(chat) is None  # nothing asked of an upset customer
    turn = await submit(chat)
    assert turn.responses == ["utter_complaint_registered", "utter_handoff_complaint"]
    (row,) = rows(core_engine)
    assert row.category == "service_attitude"


async def test_a_doubtful_fraud_flag_registers_the_complaint_then_a_person(
    chat: Chat, store: ComplaintStore, core_engine: Engine
) -> None:
    chat.user(STORY, "complain")
    chat.latest_message["complaint"] = said("business_handling", 0.9)
    chat.latest_message["judgement"] = {"fraud_victim": {"score": 0.5, "flag": True}}
    await chat.run(ActionComplaintStart())
    chat.active_loop = "complaint_form"
    await validate(chat)
    assert chat.slots["complaint_upset"] is True
    assert await next_question(chat) is None
    turn = await submit(chat)
    assert turn.responses == ["utter_complaint_registered", "utter_handoff_complaint"]
    assert len(rows(core_engine)) == 1


async def test_never_mind_registers_nothing(
    chat: Chat, store: ComplaintStore, core_engine: Engine
) -> None:
    await start(chat)
    await answer(chat, "ATM吞卡")
    chat.user("算了", "cancel")
    turn = await chat.run(ActionComplaintCancel())
    assert turn.responses == ["utter_complaint_cancelled"]
    assert chat.slots["complaint_details"] is None
    assert rows(core_engine) == []


async def test_a_person_asked_for_during_the_form(chat: Chat, store: ComplaintStore) -> None:
    await start(chat)
    chat.user("转人工", "request_human")
    turn = await chat.run(ActionComplaintHandoff())
    assert handoffs(turn) == [{"reason": "complaint", "priority": "high"}]
    assert chat.slots["complaint_details"] is None


async def test_a_complaint_abandons_a_verification_under_way(chat: Chat, bank: Deps) -> None:
    from actions.accounts import ActionCheckBalance

    chat.user("查余额", "check_balance")
    await chat.run(ActionCheckBalance())
    chat.user(ZHANG["phone"], "nlu_fallback", phone=ZHANG["phone"])
    await chat.form_turn()
    assert chat.active_loop == "verification_form"
    chat.user("我要投诉", "complain")
    turn = await chat.run(ActionComplaintStart())
    assert turn.responses == ["utter_complaint_heard"]
    assert bank.verifications.open_challenge(chat.sender_id) is None
    assert chat.slots["verify_phone"] is None and chat.slots["pending_service"] is None


def test_references_are_unique_and_readable(core_engine: Engine, clock: Clock) -> None:
    store = ComplaintStore(core_engine, clock=clock)
    store.ensure_schema()
    tickets = [
        store.register(
            conversation_id=f"c{n}",
            category="other",
            description="x",
            when_where="y",
            language="zh",
        )
        for n in range(50)
    ]
    assert len({t.reference for t in tickets}) == 50
    assert all(REFERENCE.match(t.reference) for t in tickets)
    assert store.get(tickets[0].reference) == tickets[0]
    assert store.for_conversation("c3") == [tickets[3]]
    with pytest.raises(ValueError):
        store.register(
            conversation_id="c", category="nonsense", description="", when_where="", language="zh"
        )


async def test_at_the_number_question_no_need_declines_the_number_only(
    chat: Chat, store: ComplaintStore, core_engine: Engine
) -> None:
    await start(chat, STORY, STORY_READ)
    await answer(chat, "不用了", "cancel")  # "no need (to leave a number)"
    assert chat.slots["complaint_phone"] == "none"
    turn = await submit(chat)
    assert turn.message("utter_complaint_registered")
    assert len(rows(core_engine)) == 1


async def test_withdrawing_at_the_number_question_registers_nothing(
    chat: Chat, store: ComplaintStore, core_engine: Engine
) -> None:
    await start(chat, STORY, STORY_READ)
    turn = await answer(chat, "算了，不投诉了", "cancel")
    assert any(e.get("name") == "requested_slot" and e.get("value") is None for e in turn.events)
    turn = await submit(chat)
    assert turn.responses == ["utter_complaint_cancelled"]
    assert rows(core_engine) == []


async def test_an_unsure_category_is_asked_after_the_number(
    chat: Chat, store: ComplaintStore, core_engine: Engine
) -> None:
    await start(
        chat,
        "我要投诉，上周五在河西支行发生了一件事",
        said("service_attitude", 0.55, ["上周五"], ["河西支行"]),
    )
    assert await next_question(chat) == "complaint_phone"  # a contact first
    await answer(chat, "不用了", "deny")
    assert await next_question(chat) == "complaint_category"  # then the kind, being unsure
    await answer(chat, "就是那个柜员态度不好", reading=said("service_attitude", 0.91))
    assert await next_question(chat) is None
    assert chat.slots["complaint_asked"] == ["complaint_phone", "complaint_category"]
    turn = await submit(chat)
    assert turn.message("utter_complaint_registered")["category"] == "服务态度"


async def test_i_want_to_complain_as_the_answer_to_which_kind_keeps_the_guess(
    chat: Chat, store: ComplaintStore
) -> None:
    await start(chat, STORY, said("business_handling", 0.49, ["昨天下午"], ["人民路支行"]))
    await answer(chat, "不用了", "deny")
    assert await next_question(chat) == "complaint_category"
    await answer(chat, "我要投诉", "complain", reading=said("service_attitude", 0.5))
    assert chat.slots["complaint_category"] == "business_handling"  # the story's, not the prior's
