"""The one way any action hands a conversation to a human agent.

``request_handoff`` sends the customer a polite message in their language (the
response ``utter_handoff_<reason>`` of the domain, rendered by the engine
with the language slot) and a machine-readable payload for the gateway
(:func:`common.payloads.handoff_request`), which Rasa's REST channel returns
as ``{"custom": {"handoff": {...}}}``. The gateway puts the conversation in
the queue when it sees it. Reasons and priorities are :mod:`common.handoffs`'.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.evidence import evidence_of
from common.handoffs import HandoffReason, Priority, default_priority
from common.payloads import handoff_request


def request_handoff(
    dispatcher: CollectingDispatcher,
    reason: str,
    priority: str | None = None,
    *,
    response: str | None = None,
    evidence: dict[str, Any] | None = None,
) -> list[EventType]:
    """Tell the customer and the gateway that a human takes over.

    ``priority`` defaults to the reason's (:func:`common.handoffs.default_priority`);
    ``response`` overrides the message (default ``utter_handoff_<reason>``);
    ``evidence`` (:func:`actions.evidence.evidence_of`) tells the agent why.
    Returns the slot events the calling action must return (with its own).
    """
    try:
        why = HandoffReason(reason)
    except ValueError:
        known = sorted(r.value for r in HandoffReason)
        message = f"unknown handoff reason {reason!r}; expected one of {known}"
        raise ValueError(message) from None
    try:
        how = Priority(priority) if priority else default_priority(why)
    except ValueError:
        levels = [p.value for p in Priority]
        message = f"unknown handoff priority {priority!r}; expected one of {levels}"
        raise ValueError(message) from None
    dispatcher.utter_message(response=response or f"utter_handoff_{why.value}")
    dispatcher.utter_message(json_message=handoff_request(why, how, evidence))
    return [SlotSet("handoff_reason", why.value), SlotSet("handoff_priority", how.value)]


class _HandoffAction(Action, ABC):
    """An action whose whole job is one handoff (a base without a reason is no action)."""

    priority: str | None = None

    @property
    @abstractmethod
    def reason(self) -> str:
        """The handoff reason this action requests."""

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
        why = evidence_of(tracker, self.reason)
        return request_handoff(dispatcher, self.reason, self.priority, evidence=why)


class ActionHandoffRequestHuman(_HandoffAction):
    """The customer asked for a person ("转人工", "I want to talk to someone")."""

    reason = HandoffReason.request_human.value
    priority = Priority.normal.value


class ActionHandoffComplexTopic(_HandoffAction):
    """A specialist's job (docs/requirements.md, rule 2).

    Disputes, insurance claims, inheritance, loan restructuring, legal
    matters, business accounts.
    """

    reason = HandoffReason.complex_topic.value
    priority = Priority.normal.value
