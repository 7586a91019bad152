"""Identity verification, action by action, on a real temporary core bank.

The form is driven as the engine drives it (tests/actions/conftest.py):
phone → ID last four → code, with a clock the tests move.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

from sqlalchemy import select

from actions.accounts import ActionCheckBalance
from actions.deps import Deps
from actions.otp import new_code
from actions.store.verification_tables import VerificationChallenge
from actions.verification.codes import phone_key
from actions.verification.controls import ActionCancelVerification, ActionResendCode
from actions.verification.identity import iso_utc, verified_customer
from tests.actions.conftest import EMILY, UNREGISTERED, ZHANG, Chat, Clock, RecordingSms


def sms(bank: Deps) -> RecordingSms:
    return bank.sms  # type: ignore[return-value]


async def _to_code_step(chat: Chat, phone: str, id_last4: str) -> None:
    chat.user("查余额", "check_balance")
    await chat.run(ActionCheckBalance())
    chat.user(phone, phone=phone)
    await chat.form_turn()
    chat.user(id_last4)
    await chat.form_turn()


# --------------------------------------------------------------------------- the code itself


def test_codes_are_six_random_digits() -> None:
    codes = {new_code() for _ in range(2000)}
    assert all(re.fullmatch(r"\d{6}", c) for c in codes)
    assert len(codes) > 1990  # no fixed or guessable code
    assert any(c.startswith("0") for c in codes)  # leading zeros are codes too


# --------------------------------------------------------------------------- happy path


async def test_full_verification_in_chinese(chat: Chat, bank: Deps) -> None:
    chat.user("查一下余额", "check_balance")
    turn = await chat.run(ActionCheckBalance())
    assert turn.responses == ["utter_verification_intro", "utter_ask_verify_phone"]
    assert chat.slots["pending_service"] == "balance"
    assert chat.active_loop == "verification_form"

    chat.user("13800138000", phone="13800138000")
    turn = await chat.form_turn()
    assert turn.responses == ["utter_ask_verify_id_last4"]
    assert chat.slots["verify_phone"] == "138****8000"

    chat.user("1234")
    turn = await chat.form_turn()
    assert "utter_ask_verify_code" in turn.responses
    ask = turn.message("utter_ask_verify_code")
    assert ask["phone"] == "138****8000" and ask["minutes"] == 5
    assert "valid for 5 minutes." in turn.rendered("utter_ask_verify_code", "en")
    assert {"expect": "otp"} in turn.custom
    assert chat.slots["verify_id_last4"] == "provided"
    ((phone, text),) = sms(bank).sent
    assert phone == ZHANG["phone"]
    assert text.startswith("【海港银行】您的验证码是") and "5分钟内有效" in text
    assert "银行工作人员不会向您索要验证码" in text

    chat.code(sms(bank).last_code(ZHANG["phone"]))
    turn = await chat.form_turn()
    assert turn.message("utter_verified")["name"] == "张伟"
    verified = [c["verified"] for c in turn.custom if "verified" in c]
    assert verified and verified[0]["at"] == iso_utc(bank.clock())
    assert turn.message("utter_balance")["name"] == "张伟"
    assert "12,345.67 元" in turn.message("utter_balance")["lines"]
    assert chat.slots["verified_customer_id"] == "1"
    assert chat.slots["verified_at"] == iso_utc(bank.clock())
    assert chat.slots["customer_name"] == "张伟"
    assert chat.slots["pending_service"] is None
    assert all(chat.slots[s] is None for s in ("verify_phone", "verify_id_last4", "verify_code"))


async def test_english_customer_gets_an_english_sms(chat_en: Chat, bank: Deps) -> None:
    turn = await chat_en.verify(EMILY)
    ((_, text),) = sms(bank).sent
    assert text.startswith("[Harbour Bank] Your verification code is")
    assert "bank staff will never ask you for it" in text
    assert turn.message("utter_verified")["name"] == "Emily Chen"
    assert "CNY 8,800.00" in turn.message("utter_balance")["lines"]


async def test_nothing_in_slots_or_events_holds_the_code_the_phone_or_id_digits(
    chat: Chat, bank: Deps
) -> None:
    await chat.verify(ZHANG)
    code = sms(bank).last_code(ZHANG["phone"])
    dumped = json.dumps(chat.events, ensure_ascii=False)
    slot_values = json.dumps(
        [e["value"] for e in chat.events if e["event"] == "slot"], ensure_ascii=False
    )
    assert code not in dumped
    assert ZHANG["phone"] not in slot_values and ZHANG["id_last4"] not in slot_values
    with (
        bank.verifications._sessions() as session
    ):  # the store keeps digests, never codes or phones
        rows = session.scalars(select(VerificationChallenge)).all()
        assert rows and all(code not in repr(vars(r)) for r in rows)
        assert all(ZHANG["phone"] not in r.phone_key for r in rows)


# --------------------------------------------------------------------------- nothing revealed


async def test_unregistered_phone_and_wrong_id_look_exactly_like_the_right_ones(
    bank: Deps,
) -> None:
    replies = []
    for phone, digits in (
        (ZHANG["phone"], "1234"),
        (UNREGISTERED, "1234"),
        (ZHANG["phone"], "9999"),
    ):
        chat = Chat(bank)
        chat.user("查余额", "check_balance")
        await chat.run(ActionCheckBalance())
        chat.user(phone, phone=phone)
        first = await chat.form_turn()
        chat.user(digits)
        second = await chat.form_turn()
        replies.append((first.messages, [{**m, "phone": "x"} for m in second.messages]))
    assert replies[0][0] == replies[1][0] == replies[2][0]
    assert replies[0][1] == replies[1][1] == replies[2][1]
    assert [p for p, _ in sms(bank).sent] == [ZHANG["phone"]]  # only the true facts got a text


async def test_wrong_facts_fail_at_the_code_step_like_a_wrong_code(chat: Chat, bank: Deps) -> None:
    await _to_code_step(chat, UNREGISTERED, "1234")
    chat.code("123456")
    turn = await chat.form_turn()
    assert turn.message("utter_verify_code_wrong")["tries_left"] == 2
    assert {"expect": "otp"} in turn.custom  # asked again, and the gateway knows
    assert chat.slots.get("verified_customer_id") is None


async def test_bad_formats_are_explained_and_not_counted(chat: Chat, bank: Deps) -> None:
    chat.user("查余额", "check_balance")
    await chat.run(ActionCheckBalance())
    chat.user("12345")
    turn = await chat.form_turn()
    assert turn.responses[0] == "utter_verify_phone_invalid"
    assert turn.responses[-1] == "utter_ask_verify_phone"
    chat.user("你们几点开门", "faq")
    turn = await chat.form_turn()
    assert turn.rejected  # type: ignore[attr-defined]  # the FAQ rule answers instead
    chat.user("138 0013 8000")
    await chat.form_turn()
    assert chat.slots["verify_phone"] == "138****8000"
    chat.user("12")
    turn = await chat.form_turn()
    assert turn.responses[0] == "utter_verify_id_invalid"
    assert bank.verifications.failures_in_conversation(chat.sender_id) == 0


async def test_full_width_digits_and_x_are_accepted(bank: Deps, core_engine) -> None:  # noqa: ANN001
    from sqlalchemy import update

    from corebank.models import Customer

    with core_engine.begin() as conn:
        conn.execute(update(Customer).where(Customer.id == 1).values(id_last4="123X"))
    chat = Chat(bank)
    await _to_code_step(chat, "１３８００１３８０００", "123x")
    assert len(sms(bank).sent) == 1


# --------------------------------------------------------------------------- failures and lockout


async def test_three_failures_lock_the_phone_and_hand_over(
    chat: Chat, bank: Deps, clock: Clock
) -> None:
    await _to_code_step(chat, ZHANG["phone"], "1234")
    real = sms(bank).last_code(ZHANG["phone"])
    wrong = "000000" if real != "000000" else "111111"
    for tries_left, english in ((2, "2 attempts left"), (1, "1 attempt left")):
        chat.code(wrong)
        turn = await chat.form_turn()
        assert turn.message("utter_verify_code_wrong")["tries_left"] == tries_left
        assert english in turn.rendered("utter_verify_code_wrong", "en")
        assert f"还可以尝试 {tries_left} 次" in turn.rendered("utter_verify_code_wrong", "zh")
    chat.code(wrong)
    turn = await chat.form_turn()
    assert "utter_handoff_verification_failed" in turn.responses
    assert {"reason": "verification_failed", "priority": "high"} in turn.handoffs
    assert chat.active_loop is None and chat.slots.get("verified_customer_id") is None

    # The right code no longer works, and the phone is locked for everyone for 15 minutes.
    other = Chat(bank)
    other.user("查余额", "check_balance")
    await other.run(ActionCheckBalance())
    other.user(ZHANG["phone"], phone=ZHANG["phone"])
    turn = await other.form_turn()
    assert turn.message("utter_verification_locked")["minutes"] == 15
    assert "try again in 15 minutes." in turn.rendered("utter_verification_locked", "en")
    assert other.active_loop is None
    assert len(sms(bank).sent) == 1

    clock.advance(15 * 60 + 1)
    later = Chat(bank)
    await later.verify(ZHANG)
    assert later.slots["verified_customer_id"] == "1"


async def test_a_conversation_that_failed_three_times_cannot_try_another_phone(
    chat: Chat, bank: Deps
) -> None:
    await _to_code_step(chat, UNREGISTERED, "0000")
    for _ in range(3):
        chat.code("123456")
        await chat.form_turn()
    chat.user("查余额", "check_balance")
    await chat.run(ActionCheckBalance())
    chat.user(EMILY["phone"], phone=EMILY["phone"])
    turn = await chat.form_turn()
    assert "utter_handoff_verification_failed" in turn.responses
    assert sms(bank).sent == []


async def test_failures_on_one_phone_across_conversations_lock_it(bank: Deps) -> None:
    for _ in range(2):  # 2 + 2 + 1 wrong codes in three chats: five on one number
        chat = Chat(bank)
        await _to_code_step(chat, EMILY["phone"], "5678")
        for _ in range(2):
            chat.code("000001")
            await chat.form_turn()
    chat = Chat(bank)
    await _to_code_step(chat, EMILY["phone"], "5678")
    chat.code("000001")
    turn = await chat.form_turn()
    assert {"reason": "verification_failed", "priority": "high"} in turn.handoffs
    assert bank.verifications.locked_until(phone_key(bank, EMILY["phone"])) is not None


# --------------------------------------------------------------------------- expiry and resend


async def test_an_expired_code_is_refused_and_a_resend_works(
    chat: Chat, bank: Deps, clock: Clock
) -> None:
    await _to_code_step(chat, ZHANG["phone"], "1234")
    old = sms(bank).last_code(ZHANG["phone"])
    clock.advance(5 * 60 + 1)
    chat.code(old)
    turn = await chat.form_turn()
    assert turn.responses == ["utter_verify_code_expired"]
    assert bank.verifications.failures_in_conversation(chat.sender_id) == 0  # expiry is no failure

    chat.user("重新发送", "resend_code")
    assert (await chat.form_turn()).rejected  # type: ignore[attr-defined]
    turn = await chat.run(ActionResendCode())
    assert turn.responses == ["utter_code_resent"]
    assert len(sms(bank).sent) == 2
    await chat.resume_form()
    chat.code(sms(bank).last_code(ZHANG["phone"]))
    turn = await chat.form_turn()
    assert "utter_verified" in turn.responses


async def test_resend_waits_60_seconds_and_the_old_code_stops_working(
    chat: Chat, bank: Deps, clock: Clock
) -> None:
    await _to_code_step(chat, ZHANG["phone"], "1234")
    first = sms(bank).last_code(ZHANG["phone"])
    clock.advance(20)
    chat.user("resend", "resend_code")
    turn = await chat.run(ActionResendCode())
    assert turn.message("utter_code_resend_wait")["seconds"] == 40
    assert "wait 40 seconds before" in turn.rendered("utter_code_resend_wait", "en")
    clock.advance(39)
    turn = await chat.run(ActionResendCode())
    assert "wait 1 second before" in turn.rendered("utter_code_resend_wait", "en")
    assert len(sms(bank).sent) == 1
    clock.advance(1)
    turn = await chat.run(ActionResendCode())
    assert turn.responses == ["utter_code_resent"] and len(sms(bank).sent) == 2
    second = sms(bank).last_code(ZHANG["phone"])
    if first != second:
        chat.code(first)
        turn = await chat.form_turn()
        assert "utter_verify_code_wrong" in turn.responses
    chat.code(second)
    assert "utter_verified" in (await chat.form_turn()).responses


async def test_resend_for_an_unregistered_phone_says_the_same_and_sends_nothing(
    chat: Chat, bank: Deps, clock: Clock
) -> None:
    await _to_code_step(chat, UNREGISTERED, "1234")
    clock.advance(61)
    turn = await chat.run(ActionResendCode())
    assert turn.responses == ["utter_code_resent"]
    assert sms(bank).sent == []


async def test_resend_without_a_verification_running(chat: Chat, bank: Deps) -> None:
    chat.user("重新发送", "resend_code")
    turn = await chat.run(ActionResendCode())
    assert turn.responses == ["utter_no_code_to_resend"]


async def test_codes_per_phone_are_rate_limited(bank: Deps, clock: Clock) -> None:
    for _ in range(5):
        chat = Chat(bank)
        await _to_code_step(chat, ZHANG["phone"], "1234")
        clock.advance(1)
    chat = Chat(bank)
    chat.user("查余额", "check_balance")
    await chat.run(ActionCheckBalance())
    chat.user(ZHANG["phone"], phone=ZHANG["phone"])
    await chat.form_turn()
    chat.user("1234")
    turn = await chat.form_turn()
    assert "utter_verification_rate_limited" in turn.responses
    assert len(sms(bank).sent) == 5
    assert chat.active_loop is None
    clock.advance(3600)
    chat = Chat(bank)
    await _to_code_step(chat, ZHANG["phone"], "1234")
    assert len(sms(bank).sent) == 6


async def test_a_code_typed_inside_a_sentence_is_burned(chat: Chat, bank: Deps) -> None:
    await _to_code_step(chat, ZHANG["phone"], "1234")
    code = sms(bank).last_code(ZHANG["phone"])
    chat.user(f"验证码是{code}")
    turn = await chat.form_turn()
    assert turn.responses[0] == "utter_verify_code_in_clear"
    assert "utter_verify_code_expired" in turn.responses  # so a resend is offered at once
    chat.code(code)
    assert "utter_verified" not in (await chat.form_turn()).responses
    turn = await chat.run(ActionResendCode())  # no 60-second wait for a burned code
    assert turn.responses == ["utter_code_resent"]


async def test_a_code_the_gateway_masked_in_a_sentence_is_asked_for_again(
    chat: Chat, bank: Deps
) -> None:
    await _to_code_step(chat, ZHANG["phone"], "1234")
    code = sms(bank).last_code(ZHANG["phone"])
    chat.user("my code is ******")
    turn = await chat.form_turn()
    assert turn.responses[0] == "utter_verify_code_only_digits"
    assert "utter_ask_verify_code" in turn.responses and {"expect": "otp"} in turn.custom
    chat.code(code)  # not burned: it never reached the engine
    assert "utter_verified" in (await chat.form_turn()).responses


async def test_sms_failure_burns_the_code_so_resend_works_at_once(chat: Chat, bank: Deps) -> None:
    sms(bank).fail = True
    await _to_code_step(chat, ZHANG["phone"], "1234")
    sms(bank).fail = False
    turn = await chat.run(ActionResendCode())
    assert turn.responses == ["utter_code_resent"]
    assert len(sms(bank).sent) == 1


# --------------------------------------------------------------------------- cancel, state


async def test_never_mind_cancels(chat: Chat, bank: Deps) -> None:
    await _to_code_step(chat, ZHANG["phone"], "1234")
    chat.user("算了", "cancel")
    assert (await chat.form_turn()).rejected  # type: ignore[attr-defined]
    turn = await chat.run(ActionCancelVerification())
    assert turn.responses == ["utter_verification_cancelled"]
    assert chat.slots["pending_service"] is None and chat.slots["verify_phone"] is None
    assert bank.verifications.open_challenge(chat.sender_id) is None


async def test_verified_state_is_never_shared_and_lapses(bank: Deps, clock: Clock) -> None:
    first = Chat(bank)
    await first.verify(ZHANG)
    assert (await verified_customer(first.tracker(), bank)) is not None

    # Another conversation claiming the same customer in its slots gets nothing.
    other = Chat(bank)
    other.slots["verified_customer_id"] = "1"
    assert await verified_customer(other.tracker(), bank) is None
    other.user("查余额", "check_balance")
    turn = await other.run(ActionCheckBalance())
    assert "utter_balance" not in turn.responses

    # A slot naming someone else than the record is refused too.
    first.slots["verified_customer_id"] = "2"
    assert await verified_customer(first.tracker(), bank) is None
    first.slots["verified_customer_id"] = "1"

    clock.advance(timedelta(minutes=31).total_seconds())
    assert await verified_customer(first.tracker(), bank) is None


async def test_old_verification_records_are_purged(bank: Deps, clock: Clock) -> None:
    chat = Chat(bank)
    await chat.verify(ZHANG)
    assert bank.verifications.latest_verification(chat.sender_id) is not None
    clock.advance(timedelta(days=31).total_seconds())
    later = Chat(bank)  # the next verification purges what is past retention
    await _to_code_step(later, EMILY["phone"], EMILY["id_last4"])
    assert bank.verifications.latest_verification(chat.sender_id) is None
    assert bank.verifications.open_challenge(later.sender_id) is not None


# --------------------------------------------------------------------------- the gateway's tokens


async def test_the_gateways_tokens_verify_like_the_numbers(chat: Chat, bank: Deps) -> None:
    from common.identifiers import id_last4_digest, seal_phone
    from tests.actions.conftest import KEY

    chat.user("查余额", "check_balance")
    await chat.run(ActionCheckBalance())
    # A token sealed for another conversation opens nowhere: not a number.
    chat.user(seal_phone(KEY, "someone-else", ZHANG["phone"]))
    turn = await chat.form_turn()
    assert "utter_ask_verify_id_last4" not in turn.responses
    assert chat.slots.get("verify_phone") is None
    chat.user(seal_phone(KEY, chat.sender_id, ZHANG["phone"]))
    turn = await chat.form_turn()
    assert "utter_ask_verify_id_last4" in turn.responses
    assert {"expect": "id_last4"} in turn.custom  # the gateway seals the next answer
    assert chat.slots["verify_phone"] == "138****8000"
    chat.user("12")  # not four characters: asked again, and sealed again
    turn = await chat.form_turn()
    assert "utter_verify_id_invalid" in turn.responses
    assert {"expect": "id_last4"} in turn.custom
    chat.user(id_last4_digest(KEY, chat.sender_id, ZHANG["id_last4"]))
    turn = await chat.form_turn()
    assert "utter_ask_verify_code" in turn.responses
    ((phone, _),) = sms(bank).sent
    assert phone == ZHANG["phone"]
    chat.code(sms(bank).last_code(ZHANG["phone"]))
    turn = await chat.form_turn()
    assert turn.message("utter_verified")["name"] == "张伟"
    dumped = json.dumps(chat.events, ensure_ascii=False)
    assert ZHANG["phone"] not in dumped


async def test_a_wrong_id_digest_sends_no_code(chat: Chat, bank: Deps) -> None:
    from common.identifiers import id_last4_digest, seal_phone
    from tests.actions.conftest import KEY

    chat.user("查余额", "check_balance")
    await chat.run(ActionCheckBalance())
    chat.user(seal_phone(KEY, chat.sender_id, ZHANG["phone"]))
    await chat.form_turn()
    chat.user(id_last4_digest(KEY, chat.sender_id, "9999"))
    turn = await chat.form_turn()
    assert "utter_ask_verify_code" in turn.responses  # the same answer as a right one
    assert sms(bank).sent == []
