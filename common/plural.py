"""English counts with the right noun form: "1 attempt", "2 attempts".

Chinese needs no plural; English replies must never hedge with a
"bracketed s". Every process that puts a number before an English noun in
what people read builds the phrase here.
"""

from __future__ import annotations

_IRREGULAR: dict[str, str] = {"person": "people", "child": "children"}


def plural_of(noun: str) -> str:
    """The plural of a regular English noun (``reply`` -> ``replies``)."""
    if noun in _IRREGULAR:
        return _IRREGULAR[noun]
    if noun.endswith(("s", "x", "z", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in ("a", "e", "i", "o", "u"):
        return noun[:-1] + "ies"
    return noun + "s"


def noun_for(count: int, noun: str, plural: str | None = None) -> str:
    """``noun`` when ``count`` is one, otherwise its plural (zero takes the plural)."""
    return noun if abs(count) == 1 else (plural or plural_of(noun))


def count_of(count: int, noun: str, plural: str | None = None) -> str:
    """``"1 minute"``, ``"5 minutes"``, ``"1,200 rows"``."""
    return f"{count:,} {noun_for(count, noun, plural)}"
