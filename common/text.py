"""Small text facts every process needs: half-width forms, Han characters, words.

Customers write full-width digits and letters (``５００``, ``ＡＰＰ``), paste
links, mix Chinese and English. The engine's components (``bot/normalise.py``),
the action server's form checks and the gateway's language guess all ask the
same questions of a text; they ask them here.
"""

from __future__ import annotations

import re
import unicodedata

CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
"""A Han character (CJK unified ideographs, extension A, compatibility)."""

URL_RE = re.compile(
    r"(?:https?://|www\.)[^\s\u3000-\u303f\uff01-\uff0f\u4e00-\u9fff]+"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    re.IGNORECASE,
)
"""A pasted link or e-mail address (ends at white space or Chinese text)."""

MARKUP_RE = re.compile(
    r"<(script|style)\b[^>]*>.*?(?:</\1\s*>|$)|</?[a-zA-Z][^<>]{0,200}>|<!--.*?-->",
    re.IGNORECASE | re.DOTALL,
)
"""HTML tags; a script or style element with its content."""


INVISIBLE_RE = re.compile(
    "[\u00ad\u115f\u1160\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069"
    "\u3164\ufeff\uffa0\U000e0000-\U000e007f]"
)
"""Characters that show nothing: zero-width and bidirectional controls, the BOM,
the soft hyphen, the tag characters (U+E0000-E007F, which can smuggle hidden
ASCII) and the Hangul fillers, which render as blanks."""


def strip_invisible(text: str) -> str:
    """``text`` without the characters of ``INVISIBLE_RE``.

    They let two identical-looking texts differ and can hide words from a
    reader (an agent, an approving editor).
    """
    return INVISIBLE_RE.sub("", text)


def halfwidth(text: str | None) -> str:
    """NFKC (full-width digits and letters become ASCII), ends trimmed."""
    return unicodedata.normalize("NFKC", text or "").strip()


def is_cjk(char: str) -> bool:
    """Whether a single character is a Han ideograph."""
    return bool(CJK_RE.fullmatch(char))


def has_cjk(text: str) -> bool:
    """Whether a text contains Chinese characters."""
    return bool(CJK_RE.search(text))


def count_cjk(text: str) -> int:
    """How many Han characters a text has."""
    return len(CJK_RE.findall(text))


def word_count(text: str) -> int:
    """Chinese characters plus Latin-script words: how much a message says."""
    return count_cjk(text) + len(re.findall(r"[A-Za-z]+", text))


def ignored_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every link, e-mail address and piece of HTML markup.

    Those are not the customer's words, so not evidence of what they want.
    """
    return sorted(m.span() for pattern in (URL_RE, MARKUP_RE) for m in pattern.finditer(text))


def has_words(text: str) -> bool:
    """Whether ``text`` has any letter or Han character outside links and markup.

    Digits, emoji, punctuation, a bare URL or a script tag say nothing about
    what the customer wants.
    """
    text = text or ""
    for start, end in reversed(ignored_spans(text)):
        text = text[:start] + " " + text[end:]
    return any(c.isalpha() for c in text)
