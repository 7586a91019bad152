"""Reading the tracker the engine sends: the latest message and the turn before it."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from common.escalation import previous_turn as common_previous_turn


def latest_intent(tracker: Tracker) -> str | None:
    """The intent of the customer's last message."""
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def latest_text(tracker: Tracker) -> str:
    """What the customer last wrote (as the engine received it)."""
    return str((tracker.latest_message or {}).get("text") or "")


def latest_entity(tracker: Tracker, name: str) -> str | None:
    """The first value of entity ``name`` in the latest message (None when absent or empty)."""
    value = next(tracker.get_latest_entity_values(name), None)
    return None if value in (None, "") else str(value)


def previous_turn(tracker: Tracker) -> list[dict[str, Any]]:
    """Events between the customer's previous message and the latest one, newest first."""
    return [dict(event) for event in common_previous_turn(tracker.events)]
