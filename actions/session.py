"""``action_session_start``: keep the slots, take language and channel.

A new session keeps the customer's slots and takes the conversation's
language and channel from the gateway's metadata.

The gateway sends ``metadata: {"language": "zh"|"en"|null, "channel":
"web"|"app"}`` with every message; Rasa puts the metadata of the message that
started the session in the slot ``session_started_metadata``.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from common.languages import LANGUAGES
from common.payloads import CHANNELS, METADATA_CHANNEL, METADATA_LANGUAGE

NOT_CARRIED_OVER: frozenset[str] = frozenset(
    {
        "requested_slot",  # a form never survives a session
        "faq_key",  # a button press belongs to its turn
        "faq_misses",  # "a second miss in a row" starts again
        "faq_reply",  # the reply of one FAQ turn (bot/faq.py)
        "target_language",
        "handoff_reason",
        "handoff_priority",
    }
)
"""Slots that start empty in a new session; everything else carries over."""


class ActionSessionStart(Action):
    """Starts a session: carried-over slots, then language and channel."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_session_start"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        """Runs the action (see the class docstring)."""
        events: list[EventType] = [SessionStarted()]
        slots = tracker.slots or {}
        events += [
            SlotSet(name, value)
            for name, value in slots.items()
            if value is not None and name not in NOT_CARRIED_OVER
        ]
        metadata = tracker.get_slot("session_started_metadata") or {}
        if isinstance(metadata, dict):
            language = metadata.get(METADATA_LANGUAGE)
            if not slots.get("language") and language in LANGUAGES:
                events.append(SlotSet("language", language))
            channel = metadata.get(METADATA_CHANNEL)
            if channel in CHANNELS:
                events.append(SlotSet("channel", channel))
        events.append(ActionExecuted("action_listen"))
        return events
