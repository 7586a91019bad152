"""Card status and the freeze: fresh verification, the right card, an explicit yes."""

from __future__ import annotations

from sqlalchemy import select

from actions.cards import (
    ActionCheckCardStatus,
    ActionFreezeCard,
    ActionFreezeConfirmed,
    ActionFreezeDeclined,
    ActionReportLostCard,
)
from actions.deps import Deps
from actions.fraud import ActionReportFraud
from common.paths import CONTENT_DIR, ROOT
from corebank.models import Card
from faqs.files import load_faq
from tests.actions.conftest import ZHANG, Chat, Clock


def answer_of(faq_id: str, language: str) -> str:
    """The FAQ's answer as its content file has it (the domain is rendered from it)."""
    return load_faq(ROOT / CONTENT_DIR / f"{faq_id}.yml").answer[language]


def _status(bank: Deps, last4: str) -> str:
    return next(c.status for c in bank.repo.cards_for(ZHANG["id"]) if c.last4 == last4)


async def test_card_status_after_verification_shows_only_last_four(
    chat: Chat, bank: Deps, core_engine
) -> None:  # noqa: ANN001
    chat.user("我的卡状态正常吗", "check_card_status")
    turn = await chat.run(ActionCheckCardStatus())
    assert "utter_card_status" not in turn.responses
    await chat.verify(ZHANG, action=None)  # verification for a balance; then ask status
    chat.user("我的卡状态正常吗", "check_card_status")
    turn = await chat.run(ActionCheckCardStatus())
    lines = turn.message("utter_card_status")["lines"]
    assert lines.splitlines() == ["· 借记卡 **** 6789：正常", "· 信用卡 **** 3321：正常"]
    with core_engine.connect() as conn:
        numbers = conn.execute(select(Card.number).where(Card.customer_id == 1)).scalars().all()
    assert all(n not in lines for n in numbers)


async def test_freeze_with_fresh_verification_asks_which_card_then_confirmation(
    chat: Chat, bank: Deps
) -> None:
    await chat.verify(ZHANG)
    chat.user("冻结我的卡", "freeze_card")
    turn = await chat.run(ActionFreezeCard())
    choose = turn.message("utter_freeze_choose_card")
    assert [b["payload"] for b in choose["buttons"]] == [
        '/freeze_card{"card_last4":"6789"}',
        '/freeze_card{"card_last4":"3321"}',
    ]
    chat.user('/freeze_card{"card_last4":"6789"}', "freeze_card", card_last4="6789")
    turn = await chat.run(ActionFreezeCard())
    confirm = turn.message("utter_freeze_confirm")
    assert confirm["card"] == "**** 6789" and confirm["kind"] == "借记卡"
    assert [b["payload"] for b in confirm["buttons"]] == ["/affirm", "/deny"]
    assert _status(bank, "6789") == "active"  # nothing before the yes

    chat.user("确认冻结", "affirm")
    turn = await chat.run(ActionFreezeConfirmed())
    assert turn.message("utter_freeze_done")["card"] == "**** 6789"
    assert _status(bank, "6789") == "frozen"
    assert chat.slots["confirmation_pending"] is None


async def test_old_verification_asks_again_before_freezing(
    chat: Chat, bank: Deps, clock: Clock
) -> None:
    await chat.verify(ZHANG)
    clock.advance(5 * 60 + 1)
    chat.user("冻结尾号6789的卡", "freeze_card", card_last4="6789")
    turn = await chat.run(ActionFreezeCard())
    assert turn.responses[0] == "utter_reverify_needed"
    assert "utter_ask_verify_code" in turn.responses and {"expect": "otp"} in turn.custom
    assert chat.active_loop == "reverify_form"
    assert len(bank.sms.sent) == 2  # type: ignore[attr-defined]  # a new code to the own phone
    assert _status(bank, "6789") == "active"

    chat.code(bank.sms.last_code(ZHANG["phone"]))  # type: ignore[attr-defined]
    turn = await chat.form_turn()
    assert "utter_verified" in turn.responses
    assert turn.message("utter_freeze_confirm")["card"] == "**** 6789"
    chat.user("是的", "affirm")
    await chat.run(ActionFreezeConfirmed())
    assert _status(bank, "6789") == "frozen"


async def test_a_yes_that_comes_too_late_asks_again(chat: Chat, bank: Deps, clock: Clock) -> None:
    await chat.verify(ZHANG)
    chat.user("冻结尾号6789的卡", "freeze_card", card_last4="6789")
    await chat.run(ActionFreezeCard())
    clock.advance(5 * 60 + 1)
    chat.user("好的", "affirm")
    turn = await chat.run(ActionFreezeConfirmed())
    assert turn.responses[0] == "utter_reverify_needed"
    assert _status(bank, "6789") == "active"


async def test_a_yes_to_something_else_freezes_nothing(chat: Chat, bank: Deps) -> None:
    await chat.verify(ZHANG)
    chat.user("冻结尾号6789的卡", "freeze_card", card_last4="6789")
    await chat.run(ActionFreezeCard())
    chat.user("你们几点开门", "faq")  # the customer moves on…
    chat.user("好的", "affirm")  # …and later says yes to something else
    turn = await chat.run(ActionFreezeConfirmed())
    assert turn.responses == ["utter_affirm"]
    assert _status(bank, "6789") == "active"


async def test_no_keeps_the_card(chat: Chat, bank: Deps) -> None:
    await chat.verify(ZHANG)
    chat.user("冻结尾号3321的卡", "freeze_card", card_last4="3321")
    await chat.run(ActionFreezeCard())
    chat.user("暂不冻结", "deny")
    turn = await chat.run(ActionFreezeDeclined())
    assert turn.responses == ["utter_freeze_cancelled"]
    assert _status(bank, "3321") == "active"


async def test_lost_card_freezes_then_gives_the_loss_report_facts(chat: Chat, bank: Deps) -> None:
    chat.user("我的卡丢了 尾号6789", "report_lost_card", card_last4="6789")
    turn = await chat.verify(ZHANG, action=ActionReportLostCard(), asked=True)
    assert turn.message("utter_freeze_confirm")["card"] == "**** 6789"
    chat.user("确认冻结", "affirm")
    turn = await chat.run(ActionFreezeConfirmed())
    assert "utter_freeze_done" in turn.responses
    assert answer_of("card_lost_info", "zh") in turn.texts
    assert "5 天内" in turn.texts or "5天内" in turn.texts
    assert _status(bank, "6789") == "frozen"

    chat.user("我的卡丢了", "report_lost_card", card_last4="6789")
    turn = await chat.run(ActionReportLostCard())
    assert turn.responses[0] == "utter_freeze_already"


async def test_unknown_card_is_said_without_touching_others(chat: Chat, bank: Deps) -> None:
    await chat.verify(ZHANG)
    chat.user("冻结尾号2468的卡", "freeze_card", card_last4="2468")  # Emily's card
    turn = await chat.run(ActionFreezeCard())
    assert turn.message("utter_card_not_found")["card"] == "**** 2468"
    assert next(c.status for c in bank.repo.cards_for(2) if c.last4 == "2468") == "active"


async def test_fraud_talk_warns_and_escalates_urgently(chat_en: Chat, bank: Deps) -> None:
    chat_en.user("someone asked me for my sms code", "report_fraud")
    turn = await chat_en.run(ActionReportFraud())
    assert turn.messages[0]["text"] == answer_of("fraud_prevention", "en")
    assert "safe account" in turn.messages[0]["text"]
    assert turn.responses == ["utter_fraud_handoff"]
    assert {"reason": "fraud_risk", "priority": "urgent"} in turn.handoffs
    assert chat_en.slots["handoff_reason"] == "fraud_risk"
