"""bot/entities.py: amounts, months, dates, card last-four, phone numbers."""

from __future__ import annotations

import pytest

from tests.bot.conftest import FIXED_TODAY, import_engine_module

entities = import_engine_module("bot.entities")
Message = import_engine_module("rasa.shared.nlu.training_data.message").Message

pytestmark = pytest.mark.engine_env


@pytest.fixture(scope="module")
def matcher():
    return entities.BankEntityMatcher(today=lambda: FIXED_TODAY)


def found(matcher, text: str) -> list[tuple[str, str, str]]:
    """(entity, value, the text it covers) for every entity in ``text``."""
    return [(e["entity"], e["value"], text[e["start"] : e["end"]]) for e in matcher.extract(text)]


@pytest.mark.parametrize(
    "text, value, covered",
    [
        ("我想转账500元到他卡上", "500", "500元"),
        ("转1,000.50块钱", "1000.50", "1,000.50块钱"),
        ("转１０００元", "1000", "１０００元"),  # full-width digits
        ("¥300", "300", "¥300"),
        ("RMB 2000", "2000", "RMB 2000"),
        ("5万元", "50000", "5万元"),
        ("2.5万块", "25000", "2.5万块"),
        ("五百块", "500", "五百块"),
        ("两千元", "2000", "两千元"),
        ("三万五千元", "35000", "三万五千元"),
        ("send 300 yuan", "300", "300 yuan"),
        ("transfer 1,000.50 CNY please", "1000.50", "1,000.50 CNY"),
    ],
)
def test_amount(matcher, text: str, value: str, covered: str) -> None:
    assert found(matcher, text) == [("amount", value, covered)]


@pytest.mark.parametrize("text", ["转1000给他", "我有3张卡", "$500", "一二三"])
def test_no_amount_without_currency(matcher, text: str) -> None:
    assert [e for e in found(matcher, text) if e[0] == "amount"] == []


@pytest.mark.parametrize(
    "text, value",
    [
        ("3月的流水", "2025-03"),  # today is 2026-02-15: March is last year's
        ("2月的账单", "2026-02"),
        ("1月份", "2026-01"),
        ("三月份的交易", "2025-03"),
        ("十二月", "2025-12"),
        ("2024年3月", "2024-03"),
        ("去年5月", "2025-05"),
        ("上个月", "2026-01"),
        ("上上个月", "2025-12"),
        ("本月", "2026-02"),
        ("last month", "2026-01"),
        ("this month", "2026-02"),
        ("in March", "2025-03"),
        ("transactions in May", "2025-05"),
        ("March 2024", "2024-03"),
    ],
)
def test_month(matcher, text: str, value: str) -> None:
    assert [(e, v) for e, v, _ in found(matcher, text)] == [("month", value)]


def test_month_across_new_year() -> None:
    january = entities.BankEntityMatcher(today=lambda: FIXED_TODAY.replace(month=1, day=5))
    assert [e["value"] for e in january.extract("上个月")] == ["2025-12"]
    assert [e["value"] for e in january.extract("12月")] == ["2025-12"]


@pytest.mark.parametrize("text", ["may I ask something", "一个月", "3个月定期", "13月"])
def test_not_a_month(matcher, text: str) -> None:
    assert [e for e in found(matcher, text) if e[0] == "month"] == []


@pytest.mark.parametrize(
    "text, value",
    [
        ("3月5日那笔转账", "2025-03-05"),
        ("2月10号", "2026-02-10"),
        ("2024年3月5日", "2024-03-05"),
        ("昨天", "2026-02-14"),
        ("yesterday", "2026-02-14"),
        ("today", "2026-02-15"),
        ("March 5th", "2025-03-05"),
        ("5 March", "2025-03-05"),
        ("2025-03-05", "2025-03-05"),
    ],
)
def test_date(matcher, text: str, value: str) -> None:
    assert [(e, v) for e, v, _ in found(matcher, text)] == [("date", value)]


@pytest.mark.parametrize(
    "text",
    [
        "尾号6789",
        "卡号后四位是6789",
        "尾号为6789的卡",
        "my card ending 6789",
        "the one that ends in 6789",
        "last 4 digits are 6789",
        "card ****6789",
        "xxxx6789",
    ],
)
def test_card_last4(matcher, text: str) -> None:
    assert found(matcher, text) == [("card_last4", "6789", "6789")]


@pytest.mark.parametrize(
    "text, covered",
    [
        ("13800138000", "13800138000"),
        ("我的手机号是13900139000谢谢", "13900139000"),
        ("138 0013 8000", "138 0013 8000"),
        ("138-0013-8000", "138-0013-8000"),
        ("+86 13800138000", "13800138000"),
        ("8613800138000", "8613800138000"),
    ],
)
def test_phone(matcher, text: str, covered: str) -> None:
    assert found(matcher, text) == [
        ("phone", "13800138000" if "138" in covered else "13900139000", covered)
    ]


@pytest.mark.parametrize(
    "text",
    ["1234", "12345678901", "6222021234567890123", "23800138000", "1380013800"],
)
def test_bare_numbers_are_left_alone(matcher, text: str) -> None:
    assert found(matcher, text) == []


def test_several_entities_in_one_message(matcher) -> None:
    text = "上个月从尾号6789的卡转了500元，我手机13800138000"
    assert [(e, v) for e, v, _ in found(matcher, text)] == [
        ("month", "2026-01"),
        ("card_last4", "6789"),
        ("amount", "500"),
        ("phone", "13800138000"),
    ]


@pytest.mark.parametrize("text", ["", "   ", "😀", "<b>hi</b>", "？？？", "x" * 2000])
def test_odd_input(matcher, text: str) -> None:
    assert found(matcher, text) == []


@pytest.mark.parametrize(
    "text, value",
    [("一", 1), ("十二", 12), ("零", 0), ("两千三百", 2300), ("三万五千", 35000), ("一二", None)],
)
def test_chinese_numbers(text: str, value: int | None) -> None:
    assert entities.chinese_number(text) == value


def test_component_adds_rasa_entities() -> None:
    component = entities.BankEntityExtractor(
        entities.BankEntityExtractor.get_default_config(), today=lambda: FIXED_TODAY
    )
    message = Message(data={"text": "上个月转了500元"})
    component.process([message])
    assert message.get("entities") == [
        {
            "entity": "month",
            "value": "2026-01",
            "start": 0,
            "end": 3,
            "confidence_entity": 1.0,
            "extractor": "BankEntityExtractor",
        },
        {
            "entity": "amount",
            "value": "500",
            "start": 5,
            "end": 9,
            "confidence_entity": 1.0,
            "extractor": "BankEntityExtractor",
        },
    ]


def test_component_emits_only_configured_entities() -> None:
    component = entities.BankEntityExtractor({"entities": ["phone"]})
    message = Message(data={"text": "转500元到13800138000"})
    component.process([message])
    assert [e["entity"] for e in message.get("entities")] == ["phone"]
