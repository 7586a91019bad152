"""Identifiers that look real: resident ID check characters, Luhn-valid card numbers, mobiles."""

from __future__ import annotations

from typing import Final

DEBIT_BIN: Final = "628888"  # 19-digit UnionPay debit cards of the (fictional) Harbour Bank
CREDIT_BIN: Final = "625888"  # 16-digit UnionPay credit cards
# Real mainland mobile prefixes, so numbers look right to a Chinese eye.
MOBILE_PREFIXES: Final = tuple(
    str(p)
    for p in (
        *range(130, 140),
        *range(150, 160),
        166,
        176,
        177,
        178,
        *range(180, 190),
        191,
        198,
        199,
    )
    if p not in (134, 154, 184)
)
ID_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_checksum(first17: str) -> str:
    """Check character of a resident ID number (GB 11643, ISO 7064 MOD 11-2)."""
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def _luhn_sum(digits: str) -> int:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total


def luhn_valid(number: str) -> bool:
    """Whether a card number passes the Luhn check, as real card numbers do."""
    return number.isdigit() and _luhn_sum(number) % 10 == 0


def luhn_complete(payload: str) -> str:
    """``payload`` plus the check digit that makes it Luhn-valid."""
    return payload + str((10 - _luhn_sum(payload + "0")) % 10)


# --------------------------------------------------------------------------- dates
