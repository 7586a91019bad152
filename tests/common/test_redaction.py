"""common.redaction: the gateway and the action server mask the same numbers the same way."""

from __future__ import annotations

from common.redaction import ID_SHORT, mask_phone, redact, redact_for_engine


def test_the_engine_never_gets_full_id_or_card_numbers_but_gets_phones() -> None:
    text = "id 110101199003071234 card 6222 0212 3456 6789 phone 13800138000"
    sent = redact_for_engine(text)
    assert "110101199003071234" not in sent and "6222 0212 3456 6789" not in sent
    assert "**** 6789" in sent and "13800138000" in sent


def test_stored_text_hides_all_three() -> None:
    text = "我的身份证110101199003071234，卡号6222021234566789，手机+86 138 0013 8000"
    shown = redact(text)
    assert "110101199003071234" not in shown and "[身份证号已隐藏 ID hidden]" in shown
    assert "**** 6789" in shown and "138****8000" in shown
    assert redact("ID 11010119900307123X", id_mark=ID_SHORT) == "ID [ID]"


def test_a_phone_is_shown_masked() -> None:
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phone("138 0013 8000") == "138****8000"
    assert mask_phone("123") == "***"
