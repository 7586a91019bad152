"""A cheap language guess for the gateway's own words (greeting, apologies).

The engine decides the language of its answers with spaCy (`bot/language.py`);
the gateway only needs a guess when it must answer without the engine.
"""

from __future__ import annotations

import re

from common.text import count_cjk

_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def guess_language(text: str, default: str | None = None) -> str | None:
    """`zh` when Chinese characters dominate, `en` for Latin words, else `default`."""
    cjk = count_cjk(text)
    latin = len(_LATIN_WORD.findall(text))
    if cjk == 0 and latin == 0:
        return default
    # One Chinese character carries about as much as one English word.
    return "zh" if cjk >= latin else "en"
