"""A FAQ as the content tool stores it: a plain dict, its fingerprint, and the conversions.

The database stores a FAQ version as the JSON dict below; the repository file
(``content/faqs/<id>.yml``) and :class:`faqs.model.Faq` hold the same fields,
so the three convert losslessly and compare by digest, whatever the formatting::

    {"category": "cards",
     "question": {"zh": "...", "en": "..."},
     "answer":   {"zh": "...", "en": "..."},
     "examples": {"zh": ["...", ...], "en": [...]},
     "test":     {"zh": [...], "en": [...]}}
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from common.languages import LANGUAGES
from faqs.model import Faq

Content = dict[str, Any]


def digest(content: Content | None) -> str | None:
    """A stable fingerprint of the content (None for a retired / absent FAQ)."""
    if content is None:
        return None
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def from_faq(faq: Faq) -> Content:
    """The dict form of a :class:`Faq` (e.g. read from a repository file)."""
    return {
        "category": faq.category,
        "question": {lang: faq.question[lang] for lang in LANGUAGES},
        "answer": {lang: faq.answer[lang] for lang in LANGUAGES},
        "examples": {lang: list(faq.examples[lang]) for lang in LANGUAGES},
        "test": {lang: list(faq.test[lang]) for lang in LANGUAGES},
    }


def to_faq(faq_id: str, content: Content) -> Faq:
    """The :class:`Faq` for rendering and checking."""
    return Faq(
        id=faq_id,
        category=content["category"],
        question=dict(content["question"]),
        answer=dict(content["answer"]),
        examples={lang: tuple(content["examples"][lang]) for lang in LANGUAGES},
        test={lang: tuple(content["test"][lang]) for lang in LANGUAGES},
    )
