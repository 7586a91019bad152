"""The conversation's language: follow the customer, or what they asked for.

* the engine sets the ``language`` slot on every user turn, before any
  response is chosen (``bot/turn.py``, :func:`common.languages.language_after`):
  the language of the message when it is clear, unless the customer pinned one.
* ``action_change_language`` ("说英文", "please answer in Chinese") sets and
  pins the language; the rule then confirms with ``utter_language_changed``,
  which the engine renders in the new language.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from common.languages import DEFAULT_LANGUAGE, LANGUAGES


def current_language(tracker: Tracker) -> str:
    """The language to answer in (Chinese when nothing is known)."""
    language = tracker.get_slot("language")
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def _entity(tracker: Tracker, name: str) -> str | None:
    value = next(tracker.get_latest_entity_values(name), None)
    return value if value in LANGUAGES else None


class ActionChangeLanguage(Action):
    """Switches to the language asked for (or the other one if none is named)."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_change_language"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        """Runs the action (see the class docstring)."""
        target = _entity(tracker, "target_language") or tracker.get_slot("target_language")
        if target not in LANGUAGES:
            target = "en" if current_language(tracker) == "zh" else "zh"
        return [
            SlotSet("language", target),
            SlotSet("language_pinned", True),
            SlotSet("target_language", None),
        ]
