"""The languages bankbot speaks: Simplified Chinese first, English second."""

from __future__ import annotations

LANGUAGES: tuple[str, ...] = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
"""What the assistant answers in when nothing says otherwise (the bank's first language)."""

LANGUAGE_NAMES: dict[str, str] = {"zh": "Chinese", "en": "English"}
"""How staff pages and content checks name a language."""
