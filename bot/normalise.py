"""Length-preserving text normalisation shared by our NLU components.

Customers write full-width digits and letters (``５００元``, ``ＡＰＰ``) and
traditional characters (``營業時間``). The classifiers and the rule-based
matchers should see one spelling, but entity offsets must still point into
the text the customer typed. So every function here maps the text *one
character to one character*: ``len(normalise(text)) == len(text)`` always
holds and an offset in the normalised text is the same offset in the original.

This module is pure Python (plus the small character table of ``hanziconv``),
so it imports in the engine and in the app environment alike.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

try:  # character table only; absent in an environment without it: no t2s
    from hanziconv.charmap import simplified_charmap, traditional_charmap
except ImportError:  # pragma: no cover - exercised only where hanziconv is missing
    simplified_charmap = traditional_charmap = ""

_T2S: dict[str, str] = {
    trad: simp
    for trad, simp in zip(traditional_charmap, simplified_charmap, strict=False)
    if trad != simp
}
# Banking spelling: 帐户/帳戶 and 账户 are the same word; use the standard 账.
_T2S.update({"帳": "账", "帐": "账"})

CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
"""A Han character (CJK unified ideographs, extension A, compatibility)."""


def is_cjk(char: str) -> bool:
    """Whether a single character is a Han ideograph."""
    return bool(CJK_RE.fullmatch(char))


@lru_cache(maxsize=4096)
def normalise_char(char: str) -> str:
    """One character in its normal form.

    NFKC when that stays one character (full-width ``５`` -> ``5``,
    ideographic space -> space), then traditional -> simplified Chinese.
    """
    folded = unicodedata.normalize("NFKC", char)
    if len(folded) != 1:
        folded = char
    return _T2S.get(folded, folded)


def normalise(text: str) -> str:
    """The text with every character normalised; same length as the input."""
    return "".join(normalise_char(c) for c in text)


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
