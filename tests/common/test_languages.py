"""common/languages.py: the language the engine sets on each customer message."""

from __future__ import annotations

from common.languages import language_after


def test_detected_language_follows_the_customer() -> None:
    assert language_after("zh", False, "en", "zh") == "en"
    assert language_after("en", False, "en", "zh") is None  # already


def test_a_pinned_language_is_kept() -> None:
    assert language_after("zh", True, "en", "zh") is None


def test_no_clear_language_keeps_the_slot_or_falls_back_to_the_metadata() -> None:
    assert language_after("en", False, None, "zh") is None
    assert language_after(None, False, None, "zh") == "zh"  # the conversation began in Chinese
    assert language_after(None, False, None, None) is None
    assert language_after(None, True, None, "en") == "en"  # pinned to nothing usable


def test_unknown_values_are_ignored() -> None:
    assert language_after("zh", False, "fr", "de") is None
    assert language_after(None, False, "fr", "en") == "en"
