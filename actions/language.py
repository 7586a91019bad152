"""The conversation's language: follow the customer, or what they asked for.

* ``action_detect_language`` fills the ``language`` slot on every user turn
  (a custom slot mapping, run by ``action_extract_slots`` before any
  response is chosen): the ``language`` entity of ``bot/language.py`` when the
  message is clearly in one language; otherwise the slot keeps its value, or
  takes the language of the message's metadata if it has none yet. Once the
  customer has asked for a language explicitly (``language_pinned``), writing
  in the other one does not switch back.
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


def _metadata_language(tracker: Tracker) -> str | None:
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            language = (event.get("metadata") or {}).get("language")
            return language if language in LANGUAGES else None
    return None


class ActionDetectLanguage(Action):
    """Slot mapping of ``language`` (see module docs)."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_detect_language"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        """Runs the action (see the class docstring)."""
        current = tracker.get_slot("language")
        if tracker.get_slot("language_pinned") and current in LANGUAGES:
            return []
        detected = _entity(tracker, "language")
        if detected and detected != current:
            return [SlotSet("language", detected)]
        if current not in LANGUAGES:
            fallback = _metadata_language(tracker)
            if fallback:
                return [SlotSet("language", fallback)]
        return []


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
