"""common/plural.py: English counts read "1 minute", "5 minutes", never "minute(s)"."""

from __future__ import annotations

from common.plural import count_of, noun_for, plural_of


def test_one_is_singular_everything_else_plural() -> None:
    assert count_of(1, "minute") == "1 minute"
    assert count_of(5, "minute") == "5 minutes"
    assert count_of(0, "attempt") == "0 attempts"
    assert count_of(1200, "row") == "1,200 rows"
    assert noun_for(1, "column") == "column" and noun_for(2, "column") == "columns"


def test_regular_and_irregular_plurals() -> None:
    assert [plural_of(n) for n in ("reply", "day", "match", "box", "FAQ", "person")] == [
        "replies", "days", "matches", "boxes", "FAQs", "people",
    ]  # fmt: skip
    assert count_of(2, "working day") == "2 working days"
