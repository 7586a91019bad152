"""Cleaning of customer and agent text before it is stored or relayed.

Invisible characters are removed because they let two identical-looking
messages differ (and can hide text from an agent); HTML is kept as typed and
only ever rendered as text by the pages.
"""

from __future__ import annotations

import re
import unicodedata

from common.text import strip_invisible

# C0/C1 controls except tab and newline.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    """NFC-normalise, drop control and zero-width characters, trim the ends."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = strip_invisible(text)
    text = _CONTROL.sub("", text)
    return text.strip()
