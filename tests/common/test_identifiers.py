"""Phone tokens and ID last-four digests (common.identifiers): what the engine may see."""

from __future__ import annotations

from common.identifiers import (
    ID_LAST4_HIDDEN,
    PHONE_TOKEN,
    hide_id_last4,
    id_last4_digest,
    open_phone,
    open_phones,
    seal_id_last4,
    seal_phone,
    seal_phones,
    shown_to_staff,
)

KEY = "k" * 40


def test_a_phone_token_opens_only_with_the_key_in_its_conversation() -> None:
    token = seal_phone(KEY, "conv-a", "13800138000")
    assert PHONE_TOKEN.fullmatch(token) and "13800138000" not in token
    assert open_phone(KEY, "conv-a", token) == "13800138000"
    assert open_phone(KEY, "conv-b", token) is None  # bound to the conversation
    assert open_phone("x" * 40, "conv-a", token) is None  # another key
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    assert open_phone(KEY, "conv-a", tampered) is None
    assert seal_phone(KEY, "conv-a", "13800138000") != token  # a fresh nonce each time


def test_every_phone_number_in_a_text_is_sealed_and_opens_again() -> None:
    text = "我的手机是+86 138-0013-8000，备用 １３９００１３９０００，卡号尾号6789"
    sealed = seal_phones(KEY, "c", text)
    assert sealed.count("PHONE_") == 2 and "6789" in sealed
    assert sealed.startswith("我的手机是") and "，备用 " in sealed  # the rest is untouched
    for clear in ("13800138000", "138-0013-8000", "13900139000", "１３９００１３９０００"):
        assert clear not in sealed
    opened, found = open_phones(KEY, "c", sealed)
    assert found == ["13800138000", "13900139000"]
    assert "13800138000" in opened and "13900139000" in opened
    assert open_phones(KEY, "other", sealed)[1] == []


def test_the_id_last_four_become_a_digest_only_when_alone() -> None:
    assert seal_id_last4(KEY, "c", "1234") == id_last4_digest(KEY, "c", "1234")
    digest = id_last4_digest(KEY, "c", "123X")
    assert seal_id_last4(KEY, "c", "后四位是 123x") == "后四位是 " + digest
    assert seal_id_last4(KEY, "c", "１２３４") == id_last4_digest(KEY, "c", "1234")
    assert seal_id_last4(KEY, "c", "1234 or 5678") is None  # not one answer
    assert seal_id_last4(KEY, "c", "我不记得了") is None
    assert id_last4_digest(KEY, "c", "1234") != id_last4_digest(KEY, "d", "1234")
    assert hide_id_last4("后四位 1234") == f"后四位 {ID_LAST4_HIDDEN}"


def test_staff_read_tokens_from_the_tracker_as_masked_numbers() -> None:
    sealed = seal_phones(KEY, "conv-a", "call me on 13800138000 please")
    assert shown_to_staff(KEY, "conv-a", sealed) == "call me on 138****8000 please"
    assert shown_to_staff(KEY, "conv-b", sealed) == "call me on *********** please"
    digest = seal_id_last4(KEY, "conv-a", "1234")
    assert digest is not None
    assert shown_to_staff(KEY, "conv-a", digest) == ID_LAST4_HIDDEN
