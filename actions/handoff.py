"""The one way any action hands a conversation to a human agent.

``request_handoff`` sends the customer a polite message in their language (the
response ``utter_handoff_<reason>`` of the domain, rendered by the engine
with the language slot) and a machine-readable event for the gateway::

    dispatcher.utter_message(json_message={"handoff": {"reason": ..., "priority": ...}})

which Rasa's REST channel returns as ``{"custom": {"handoff": {...}}}``. The
gateway (``handoff/``) puts the conversation in the queue when it sees it.

Reasons and priorities are DESIGN.md's, and only those.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

REASONS: frozenset[str] = frozenset(
    {
        "request_human",
        "emotion",
        "repeated_question",
        "low_confidence",
        "complex_topic",
        "verification_failed",
        "fraud_risk",
        "complaint",
        "system_error",
    }
)
PRIORITIES: tuple[str, ...] = ("urgent", "high", "normal")

DEFAULT_PRIORITY: dict[str, str] = {
    "fraud_risk": "urgent",
    "emotion": "high",
    "complaint": "high",
    "verification_failed": "high",
}
"""DESIGN.md: urgent for fraud; high for emotion, complaint, verification
failure (and elderly customers, decided by the caller); normal otherwise."""


def request_handoff(
    dispatcher: CollectingDispatcher,
    reason: str,
    priority: str | None = None,
    *,
    response: str | None = None,
) -> list[EventType]:
    """Tell the customer and the gateway that a human takes over.

    ``priority`` defaults to the reason's priority of DESIGN.md; ``response``
    overrides the message (default ``utter_handoff_<reason>``). Returns the
    slot events the calling action must return (with its own).
    """
    if reason not in REASONS:
        raise ValueError(f"unknown handoff reason {reason!r}; expected one of {sorted(REASONS)}")
    priority = priority or DEFAULT_PRIORITY.get(reason, "normal")
    if priority not in PRIORITIES:
        raise ValueError(f"unknown handoff priority {priority!r}; expected one of {PRIORITIES}")
    dispatcher.utter_message(response=response or f"utter_handoff_{reason}")
    dispatcher.utter_message(json_message={"handoff": {"reason": reason, "priority": priority}})
    return [SlotSet("handoff_reason", reason), SlotSet("handoff_priority", priority)]


class _HandoffAction(Action):
    """An action whose whole job is one handoff."""

    reason: str = ""
    priority: str | None = None

    def name(self) -> str:
        """The action's name in the domain."""
        return f"action_handoff_{self.reason}"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        """Runs the action (see the class docstring)."""
        return request_handoff(dispatcher, self.reason, self.priority)


class ActionHandoffRequestHuman(_HandoffAction):
    """The customer asked for a person ("转人工", "I want to talk to someone")."""

    reason = "request_human"
    priority = "normal"


class ActionHandoffComplexTopic(_HandoffAction):
    """A specialist's job (service rule 2).

    Disputes, insurance claims, inheritance, loan restructuring, legal
    matters, business accounts.
    """

    reason = "complex_topic"
    priority = "normal"
