"""FAQ answers and questions as the live model has them: read from the domain of each call.

The engine sends its domain with every action call, and the domain is the
live model's: rendered from the approved content by the training that made
the model (:mod:`faqs.render`). So the answers and the questions shown on
"did you mean…" buttons always match what the model answers, follow
deployments and rollbacks, and are the same on every host; nothing here reads
the repository's files.

In the domain each FAQ is the response ``utter_faq/<key>``: a Chinese variant
by default and an English one on the language slot, each with its question in
``metadata``, and its text is the answer, a blank line and the closing check
(the response ``utter_faq_closing``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from common.languages import DEFAULT_LANGUAGE
from common.parse import FAQ_RESPONSE_PREFIX as PREFIX
from common.parse import faq_keys as faq_keys_of

CLOSING = "utter_faq_closing"

Domain = Mapping[str, Any]


def faq_keys(domain: Domain) -> set[str]:
    """The FAQs the live model can answer."""
    return faq_keys_of(domain.get("responses") or {})


def _variant(domain: Domain, response: str, language: str) -> dict[str, Any] | None:
    """The variant of ``response`` the engine would render in ``language``."""
    variants = (domain.get("responses") or {}).get(response) or []
    default = None
    for variant in variants:
        conditions = variant.get("condition") or []
        if not conditions:
            default = default or variant
        elif any(
            c.get("type") == "slot" and c.get("name") == "language" and c.get("value") == language
            for c in conditions
        ):
            return dict(variant)
    return None if default is None else dict(default)


def question(domain: Domain, key: str, language: str) -> str | None:
    """The FAQ's question in ``language`` (Chinese when that is all there is)."""
    for lang in (language, DEFAULT_LANGUAGE):
        variant = _variant(domain, PREFIX + key, lang) or {}
        text = str((variant.get("metadata") or {}).get("question") or "").strip()
        if text:
            return text
    return None


def answer(domain: Domain, key: str, language: str) -> str:
    """The FAQ's answer in ``language`` without the closing check ("" if the model has none)."""
    variant = _variant(domain, PREFIX + key, language) or {}
    text = str(variant.get("text") or "")
    closing = str((_variant(domain, CLOSING, language) or {}).get("text") or "")
    if closing and text.endswith(closing):
        text = text[: -len(closing)]
    return text.strip()
