"""FAQ answers as the live model has them: read from the domain of each call.

The engine sends its domain with every action call, and the domain is the
live model's: rendered from the approved content by the training that made
the model (:mod:`faqs.render`). So the answers quoted by actions (the fraud
warning, the lost-card facts) always match what the model answers, follow
deployments and rollbacks, and are the same on every host; nothing here reads
the repository's files. (The FAQ turn itself, answers and "did you mean…"
buttons, is the engine's: ``bot/faq.py``, ``bot/nlg.py``.)

In the domain each FAQ is the response ``utter_faq/<key>``: a Chinese variant
by default and an English one on the language slot, each with its question in
``metadata``, and its text is the answer, a blank line and the closing check
(the response ``utter_faq_closing``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from common.faq import question as faq_question
from common.faq import variant
from common.parse import FAQ_RESPONSE_PREFIX as PREFIX
from common.parse import faq_keys as faq_keys_of

CLOSING = "utter_faq_closing"

Domain = Mapping[str, Any]


def faq_keys(domain: Domain) -> set[str]:
    """The FAQs the live model can answer."""
    return faq_keys_of(domain.get("responses") or {})


def question(domain: Domain, key: str, language: str) -> str | None:
    """The FAQ's question in ``language`` (Chinese when that is all there is)."""
    return faq_question(domain.get("responses") or {}, key, language)


def answer(domain: Domain, key: str, language: str) -> str:
    """The FAQ's answer in ``language`` without the closing check ("" if the model has none)."""
    responses = domain.get("responses") or {}
    text = str((variant(responses, PREFIX + key, language) or {}).get("text") or "")
    closing = str((variant(responses, CLOSING, language) or {}).get("text") or "")
    if closing and text.endswith(closing):
        text = text[: -len(closing)]
    return text.strip()
