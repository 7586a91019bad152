"""corebank.money: integer cents in, bank-style text out; floats refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from corebank.money import cents_to_decimal, format_money, to_cents


@pytest.mark.parametrize(
    ("cents", "lang", "expected"),
    [
        (1_234_567, "zh", "12,345.67 元"),
        (1_234_567, "en", "CNY 12,345.67"),
        (880_000, "zh", "8,800.00 元"),
        (880_000, "en", "CNY 8,800.00"),
        (0, "en", "CNY 0.00"),
        (5, "zh", "0.05 元"),
        (-5_000, "zh", "-50.00 元"),
        (-5_000, "en", "-CNY 50.00"),
        (123_456_789_012, "en", "CNY 1,234,567,890.12"),
        (1_234_567, "zh-CN", "12,345.67 元"),
        (1_234_567, "en_GB", "CNY 12,345.67"),
    ],
)
def test_format_money_cny(cents: int, lang: str, expected: str) -> None:
    assert format_money(cents, "CNY", lang) == expected


def test_format_money_other_currencies() -> None:
    assert format_money(10_000, "usd", "zh") == "100.00 美元"
    assert format_money(10_000, "USD", "en") == "USD 100.00"
    assert format_money(10_000, "CHF", "zh") == "100.00 CHF"


@pytest.mark.parametrize("bad", [12.5, True, Decimal("1.00"), "100"])
def test_format_money_takes_only_integer_cents(bad: object) -> None:
    with pytest.raises(TypeError):
        format_money(bad, "CNY", "zh")  # type: ignore[arg-type]


def test_format_money_unknown_language() -> None:
    with pytest.raises(ValueError, match="language"):
        format_money(100, "CNY", "fr")


def test_cents_to_decimal_is_exact() -> None:
    assert cents_to_decimal(1_234_567) == Decimal("12345.67")
    assert str(cents_to_decimal(10)) == "0.10"
    assert str(cents_to_decimal(-1)) == "-0.01"


@pytest.mark.parametrize(
    ("amount", "cents"),
    [
        (Decimal("12345.67"), 1_234_567),
        (500, 50_000),
        ("1,000.5", 100_050),
        (" 0.01 ", 1),
        ("-20", -2_000),
    ],
)
def test_to_cents(amount: Decimal | int | str, cents: int) -> None:
    assert to_cents(amount) == cents


@pytest.mark.parametrize("amount", ["500.005", "abc", "NaN", "Infinity", ""])
def test_to_cents_refuses_what_it_cannot_represent(amount: str) -> None:
    with pytest.raises(ValueError):
        to_cents(amount)


def test_to_cents_refuses_float() -> None:
    with pytest.raises(TypeError):
        to_cents(0.1)  # type: ignore[arg-type]
