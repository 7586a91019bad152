"""The tracker as ``common/`` reads it: recent events and entities as plain data.

The decisions made on every message (:mod:`common.escalation`,
:mod:`common.faq`) are pure functions of dicts, shared with the action server
and tested without Rasa; the engine's policies hand them the tracker this way.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from rasa.shared.core.events import Restarted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker


def event_dicts(tracker: DialogueStateTracker) -> list[dict[str, Any]]:
    """The events back to the previous customer message, oldest first, as plain dicts.

    Only what ``common/`` reads: which event, and a slot's name and value.
    """
    out: deque[dict[str, Any]] = deque()
    users = 0
    for event in reversed(tracker.events):
        if isinstance(event, Restarted):
            break  # the action server never saw events before a restart
        if isinstance(event, UserUttered):
            users += 1
            if users > 2:
                break
            out.appendleft({"event": "user"})
        elif isinstance(event, SlotSet):
            out.appendleft({"event": "slot", "name": event.key, "value": event.value})
        elif isinstance(event, SessionStarted):
            out.appendleft({"event": "session_started"})
    return list(out)


def first_entity(message: UserUttered, name: str) -> Any:
    """The first value of entity ``name`` without role or group (as rasa-sdk reads it)."""
    for entity in message.entities:
        if entity.get("entity") == name and entity.get("role") is None:
            if entity.get("group") is None:
                return entity.get("value")
    return None


def message_dict(message: UserUttered) -> dict[str, Any]:
    """A message's parse data with every entity, as the action server's ``latest_message``."""
    data: dict[str, Any] = dict(message.parse_data)
    data["entities"] = message.entities
    return data
