"""Money as integer cents, shown the way a bank shows it.

Amounts live as ``int`` cents everywhere and become :class:`~decimal.Decimal`
only for display or arithmetic on yuan; a float never touches money.

>>> format_money(1234567, "CNY", "zh")
'12,345.67 元'
>>> format_money(1234567, "CNY", "en")
'CNY 12,345.67'
>>> format_money(-5000, "CNY", "zh")
'-50.00 元'
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

__all__ = ["cents_to_decimal", "format_money", "to_cents"]

_CENT = Decimal("0.01")

# How a Chinese statement names the unit; the amount comes first: "1,000.00 美元".
_ZH_UNITS = {
    "CNY": "元",
    "USD": "美元",
    "HKD": "港元",
    "EUR": "欧元",
    "GBP": "英镑",
}


def _check_cents(cents: object) -> int:
    # bool is an int subclass; True yuan cents is a bug, not an amount.
    if not isinstance(cents, int) or isinstance(cents, bool):
        raise TypeError(f"money must be integer cents, got {type(cents).__name__}")
    return cents


def cents_to_decimal(cents: int) -> Decimal:
    """``1234567`` → ``Decimal('12345.67')`` (exact, two places)."""
    return (Decimal(_check_cents(cents)) / 100).quantize(_CENT)


def to_cents(amount: Decimal | int | str) -> int:
    """Yuan (``Decimal``, ``int`` or a numeric string like ``"1,000.5"``) → cents.

    Refuses floats and fractions of a cent rather than rounding them away, so a
    user's "500.005" is an error to report, not a silent guess.
    """
    if isinstance(amount, bool | float):
        raise TypeError("amounts must be Decimal, int or str, never float")
    if isinstance(amount, str):
        try:
            amount = Decimal(amount.strip().replace(",", ""))
        except InvalidOperation:
            raise ValueError(f"not an amount: {amount!r}") from None
    value = Decimal(amount)
    if not value.is_finite():
        raise ValueError(f"not an amount: {amount!r}")
    cents = value * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount} has a fraction of a cent")
    return int(cents)


def format_money(cents: int, currency: str = "CNY", lang: str = "zh") -> str:
    """Format cents for a customer: zh ``"12,345.67 元"``, en ``"CNY 12,345.67"``.

    Chinese bank apps put the amount first and the unit after it; English
    statements lead with the ISO code, which is unambiguous where "$" or "¥"
    is not (¥ is also the yen). The sign leads in both: ``"-50.00 元"``,
    ``"-CNY 50.00"``. ``lang`` may carry a region (``"zh-CN"``).
    """
    amount = cents_to_decimal(cents)
    currency = currency.upper()
    sign = "-" if amount < 0 else ""
    digits = f"{abs(amount):,.2f}"
    base = lang.split("-", 1)[0].split("_", 1)[0].lower()
    if base == "zh":
        return f"{sign}{digits} {_ZH_UNITS.get(currency, currency)}"
    if base == "en":
        return f"{sign}{currency} {digits}"
    raise ValueError(f"unsupported language {lang!r}: use 'zh' or 'en'")
