"""The handoffs that belong to no single intent: an upset customer, the same need a third time.

What is due after each customer message is decided in the engine
(``bot.escalation.EscalationPolicy`` with :func:`common.escalation.track`),
which sets the slot ``escalation`` and predicts ``action_report_fraud``
(``actions/fraud.py``), ``action_handoff_emotion``,
``action_handoff_repeated_question`` or ``action_handoff_low_confidence``
ahead of everything else. Each of them stops a running verification form (its
challenge is closed so its code stops working), tells the customer
(``emotion``: an apology, or for a distressed customer reassurance, then the
transfer; ``repeated_question``: "let me bring in a colleague"), and hands
over through :func:`actions.handoff.request_handoff` (``emotion``/``high``,
``repeated_question`` and ``low_confidence``/``normal``). Afterwards nothing
is due and needs are counted afresh.
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.evidence import evidence_of
from actions.handoff import request_handoff
from actions.verification.flow import abandon_verification
from common.escalation import emotion_of


async def stop_running_form(tracker: Tracker) -> list[EventType]:
    """End a form the handoff interrupts; a verification's challenge is closed first."""
    if not (tracker.active_loop or {}).get("name"):
        return []
    events = await abandon_verification(tracker)
    return events + [SlotSet("requested_slot", None), ActiveLoop(None)]


def after_handoff() -> list[EventType]:
    """Nothing is due any more, and needs are counted afresh when the bot is back."""
    return [SlotSet("escalation", None), SlotSet("need_counts", {}), SlotSet("recent_turns", [])]


class ActionHandoffEmotion(Action):
    """An upset customer: an apology (or reassurance), then a person, ``high``."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_handoff_emotion"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Runs the action (see the module docstring)."""
        events = await stop_running_form(tracker)
        emotion = emotion_of(tracker.latest_message or {})
        response = (
            "utter_handoff_emotion_distress" if emotion == "distress" else "utter_handoff_emotion"
        )
        why = evidence_of(tracker, "emotion", rising=emotion is None)
        events += request_handoff(dispatcher, "emotion", "high", response=response, evidence=why)
        return events + after_handoff()


class ActionHandoffRepeatedQuestion(Action):
    """The same need a third time: "let me bring in a colleague", ``normal``."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_handoff_repeated_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Runs the action (see the module docstring)."""
        events = await stop_running_form(tracker)
        why = evidence_of(tracker, "repeated_question")
        events += request_handoff(dispatcher, "repeated_question", "normal", evidence=why)
        return events + after_handoff()


class ActionHandoffLowConfidence(Action):
    """Misunderstood twice in the last few messages: a person, ``normal``.

    Two misses in a row on FAQ questions are handed over by the engine's FAQ
    reply itself (``bot/faq.py``); this is the conversation-level case (:mod:`common.conversation`),
    say an out-of-scope reading, an answer, then another miss.
    """

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_handoff_low_confidence"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Runs the action (see the class docstring)."""
        events = await stop_running_form(tracker)
        why = evidence_of(tracker, "low_confidence")
        events += request_handoff(dispatcher, "low_confidence", "normal", evidence=why)
        return events + after_handoff() + [SlotSet("faq_misses", 0)]
