"""Length-preserving text normalisation shared by our NLU components.

Customers write full-width digits and letters (``５００元``, ``ＡＰＰ``) and
traditional characters (``營業時間``). The classifiers and the rule-based
matchers should see one spelling, but entity offsets must still point into
the text the customer typed. So every function here maps the text *one
character to one character*: ``len(normalise(text)) == len(text)`` always
holds and an offset in the normalised text is the same offset in the original.

This module is pure Python (plus the small character table of ``hanziconv``),
so it imports in the engine and in the app environment alike. What the other
processes need too (Han characters, links, "has words") is :mod:`common.text`.
"""

from __future__ import annotations

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
