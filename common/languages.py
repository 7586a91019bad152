"""The languages bankbot speaks: Simplified Chinese first, English second."""

from __future__ import annotations

LANGUAGES: tuple[str, ...] = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
"""What the assistant answers in when nothing says otherwise (the bank's first language)."""

LANGUAGE_NAMES: dict[str, str] = {"zh": "Chinese", "en": "English"}
"""How staff pages and content checks name a language."""


def language_after(
    current: object, pinned: object, detected: object, metadata: object
) -> str | None:
    """The ``language`` slot's new value after a customer message, or ``None`` to keep it.

    Follow the customer: ``detected`` (the ``language`` entity of
    ``bot/language.py``, set when the message is clearly in one language);
    without it the slot keeps its value, or takes the language of the
    message's ``metadata`` when it has none yet. Once the customer asked for a
    language explicitly (``pinned``), writing in the other one does not switch
    back. The engine's ``bot.escalation.EscalationPolicy`` applies it on every
    customer message, before any response is rendered.
    """
    if pinned and current in LANGUAGES:
        return None
    if detected in LANGUAGES and detected != current:
        return str(detected)
    if current not in LANGUAGES and metadata in LANGUAGES:
        return str(metadata)
    return None
