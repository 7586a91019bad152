"""How a parse is scored, shared by `make eval` (bot.evaluate) and the content gate.

A FAQ counts by the answer chosen, not by the intent `faq` (Rasa #9751).
"""

from __future__ import annotations

from typing import Any

from bot.evaluate import predicted_label
from common.text import has_cjk


def language_of(text: str) -> str:
    """A phrasing with Chinese characters counts as Chinese (mixed ones too)."""
    return "zh" if has_cjk(text) else "en"


def predicted_key(parse: dict[str, Any]) -> tuple[str, float]:
    """(label, confidence): `faq/<key>` with the answer's confidence, or the intent's."""
    label, intent_confidence, faq_confidence = predicted_label(parse)
    if label.startswith("faq/") and faq_confidence is not None:
        return label, faq_confidence
    return label, intent_confidence
