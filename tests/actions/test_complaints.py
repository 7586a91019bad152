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


async def answer(chat: Chat, text: str, intent: str = "nlu_fallback", **entities: str) -> Turn:
    """The customer answers the question asked (the from_text mapping takes the text)."""
    slot = await next_question(chat)
    assert slot is not None
    chat.user(text, intent, **entities)
    return await validate(chat, **{slot: text})


async def start(chat: Chat, text: str = "我要投诉") -> Turn:
    chat.user(text, "complain")
    turn = await chat.run(ActionComplaintStart())
    chat.active_loop = "complaint_form"
    await validate(chat)  # the form's first run validates what the start action set
    return turn


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


async def test_a_chinese_complaint_heart_ticket_deadline_and_offer(
    chat: Chat, store: ComplaintStore, core_engine: Engine
) -> None:
    turn = await start(chat)
    assert turn.responses == ["utter_complaint_heard"]  # hear, empathize, apologize
    assert await next_question(chat) == "complaint_details"
    await answer(chat, "柜员对我很不耐烦，我的卡号6222021234566789的业务没办完就让我走")
    assert await next_question(chat) == "complaint_when_where"
    await answer(chat, "昨天下午，南京路支行")
    assert await next_question(chat) == "complaint_category"
    await answer(
        chat,
        '/choose_complaint_category{"complaint_category":"service_attitude"}',
        "choose_complaint_category",
        complaint_category="service_attitude",
    )
    assert await next_question(chat) == "complaint_phone"  # not verified: a number to call back
    await answer(chat, "我的电话是13912345678", phone="13912345678")
    assert await next_question(chat) is None

    chat.active_loop = None
    turn = await chat.run(ActionComplaintSubmit())
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

    (row,) = rows(core_engine)
    assert row.reference == registered["reference"] and row.category == "service_attitude"
    assert row.conversation_id == chat.sender_id and row.language == "zh"
    assert "6222021234566789" not in row.description and "**** 6789" in row.description
    assert row.when_where == "昨天下午，南京路支行"
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


async def test_an_english_product_complaint_from_a_verified_customer(
    bank: Deps, store: ComplaintStore, core_engine: Engine
) -> None:
    chat = Chat(bank, language="en")
    await chat.verify(EMILY)
    sms: RecordingSms = bank.sms  # type: ignore[assignment]
    sent_before = len(sms.sent)
    await start(
        chat, "The wealth product I was sold lost money and nobody explained the risk to me"
    )
    assert chat.slots["complaint_details"]  # the first message said what happened
    assert await next_question(chat) == "complaint_when_where"
    await answer(chat, "March, at the Pudong branch")
    await answer(chat, "a product")
    assert await next_question(chat) is None  # verified: no phone asked

    chat.active_loop = None
    turn = await chat.run(ActionComplaintSubmit())
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


async def test_typed_answers_are_checked(chat: Chat, store: ComplaintStore) -> None:
    await start(chat)
    await answer(chat, "网银转账被重复扣款")
    await answer(chat, "上周五，手机银行")
    turn = await answer(chat, "随便吧")
    assert turn.responses == ["utter_complaint_category_invalid"]
    assert await next_question(chat) == "complaint_category"
    await answer(chat, "业务办理")
    turn = await answer(chat, "12345")
    assert turn.responses == ["utter_complaint_phone_invalid"]
    await answer(chat, "不用了", "deny")
    assert chat.slots["complaint_phone"] == "none"
    chat.active_loop = None
    turn = await chat.run(ActionComplaintSubmit())
    assert "95-000" in turn.message("utter_complaint_registered")["notify"]


async def test_a_customer_upset_while_telling_it_goes_to_a_person_directly(
    chat: Chat, store: ComplaintStore, core_engine: Engine
) -> None:
    await start(chat)
    chat.slots["complaint_upset"] = True  # set by action_track_escalation
    await answer(chat, "柜员骂我，气死我了")
    await answer(chat, "今天上午，人民路支行")
    await answer(chat, "服务态度")
    await answer(chat, "13912345678", phone="13912345678")
    chat.active_loop = None
    turn = await chat.run(ActionComplaintSubmit())
    assert turn.responses == ["utter_complaint_registered", "utter_handoff_complaint"]
    assert handoffs(turn) == [{"reason": "complaint", "priority": "high"}]
    assert len(rows(core_engine)) == 1  # the ticket is registered first (rule 14)
    assert chat.slots["complaint_upset"] is False


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
    await start(chat)
    await answer(chat, "ATM吞卡后没人处理")
    await answer(chat, "今天早上，火车站ATM")
    await answer(chat, "其他")
    await answer(chat, "不用了", "cancel")  # "no need (to leave a number)"
    assert chat.slots["complaint_phone"] == "none"
    chat.active_loop = None
    turn = await chat.run(ActionComplaintSubmit())
    assert turn.message("utter_complaint_registered")
    assert len(rows(core_engine)) == 1


async def test_withdrawing_at_the_number_question_registers_nothing(
    chat: Chat, store: ComplaintStore, core_engine: Engine
) -> None:
    await start(chat)
    await answer(chat, "ATM吞卡后没人处理")
    await answer(chat, "今天早上，火车站ATM")
    await answer(chat, "其他")
    turn = await answer(chat, "算了，不投诉了", "cancel")
    assert any(e.get("name") == "requested_slot" and e.get("value") is None for e in turn.events)
    chat.active_loop = None
    turn = await chat.run(ActionComplaintSubmit())
    assert turn.responses == ["utter_complaint_cancelled"]
    assert rows(core_engine) == []
