"""Handoffs that belong to no single intent: an upset customer, the same need a third time.

``action_track_escalation`` is the custom slot mapping of ``need_counts`` and
``escalation`` (``domain/escalation.yml``), so Rasa runs it on every user
message, before any prediction. It

* **counts needs** in ``need_counts`` (``{need: times asked}``): the FAQ
  answer the message gets (``faq/<key>``, when the classifier is sure enough
  for ``action_answer_faq`` to answer it, or the key of a clarification
  button), or the service intent (``check_balance``; with its month, amount
  and card when it names them, so "October's transactions" and "November's"
  are two needs). Paraphrases count as the same need because the classifier
  maps them to the same label. Small talk, dialogue control, handoffs of
  their own (a human, fraud, a complex topic, a complaint), refusals and
  misses (those have their own ``low_confidence`` path) are not needs.
  Counting starts again after a handoff (the conversation came back from an
  agent) and in a new session;
* **decides** what is due, in the slot ``escalation``:
  ``emotion`` when the message carries the ``emotion`` entity of
  ``bot/emotion.py`` (except fraud talk, which the fraud rule escalates
  *urgently*); otherwise ``repeated_question`` when a need reaches
  :data:`REPEAT_LIMIT` (docs/requirements.md, rule 12: after two repetitions
  of the same need, a person takes over);
* keeps the complaint dialogue's slots honest: inside the complaint form an
  upset message does not interrupt (the form is for exactly that: HEART,
  "deal with the feelings first") but is remembered in ``complaint_upset``,
  so the ticket goes straight to a person; and an offer of a human that the
  customer did not answer in the very next message lapses.

``bot.escalation.EscalationPolicy`` then predicts ``action_handoff_emotion``
or ``action_handoff_repeated_question`` ahead of everything else. Both stop a
running verification form (its challenge is closed so its code stops working),
tell the customer (``emotion``: an apology, or for a distressed customer
reassurance, then the transfer; ``repeated_question``: "let me bring in a
colleague"), and hand over through :func:`actions.handoff.request_handoff`
(``emotion``/``high``, ``repeated_question``/``normal``).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.domain_faqs import faq_keys
from actions.faq import ANSWER_THRESHOLD, faq_ranking
from actions.handoff import request_handoff
from actions.tracker import previous_turn
from actions.verification.flow import abandon_verification

REPEAT_LIMIT = 3
"""The third time the same need comes up, a person takes over."""

NOT_A_NEED: frozenset[str] = frozenset(
    {
        # small talk and dialogue control
        "greet", "goodbye", "thank", "affirm", "deny", "cancel", "more", "bot_challenge",
        "change_language", "out_of_scope", "nlu_fallback",
        # handoffs and flows of their own
        "request_human", "complex_topic", "report_fraud", "complain", "complaint_register_now",
        # verification steps and buttons
        "submit_code", "resend_code", "choose_complaint_category",
        # refusals: asked again, the answer stays no
        "third_party_info", "share_credentials", "ask_password",
    }
)  # fmt: skip
"""Intents that are not a need the customer could be failing to get answered."""

NEED_ENTITIES = ("month", "date", "amount", "card_last4")
"""Entities that make a service request a different need ("October" vs "November")."""

COMPLAINT_FORM = "complaint_form"


# --------------------------------------------------------------------------- reading


def _intent(message: dict[str, Any]) -> str | None:
    name = (message.get("intent") or {}).get("name")
    return str(name) if name else None


def _entity(message: dict[str, Any], name: str) -> Any:
    for entity in message.get("entities") or []:
        if entity.get("entity") == name:
            return entity.get("value")
    return None


def need_of(message: dict[str, Any], domain: DomainDict | None = None) -> str | None:
    """The need a message expresses (see module docs), or ``None``.

    FAQ keys are those ``action_answer_faq`` answers: the live model's domain's.
    """
    intent = _intent(message)
    if intent is None or intent in NOT_A_NEED:
        return None
    known = faq_keys(domain or {})
    if intent == "choose_faq":
        key = _entity(message, "faq_key")
        return f"faq/{key}" if key in known else None
    if intent == "faq":
        ranking = [c for c in faq_ranking(message) if c.key in known]
        if ranking and ranking[0].confidence >= ANSWER_THRESHOLD:
            return f"faq/{ranking[0].key}"
        return None  # the customer is asked what they meant: not answered, not counted
    details = [f"{name}={_entity(message, name)}" for name in NEED_ENTITIES]
    details = [d for d in details if not d.endswith("=None")]
    return "|".join([intent, *details])


def emotion_of(message: dict[str, Any]) -> str | None:
    """``anger`` / ``distress`` when ``bot/emotion.py`` found the customer upset."""
    value = _entity(message, "emotion")
    return str(value) if value else None


def counting_restarts(tracker: Tracker) -> bool:
    """A handoff or a new session since the previous message: needs are counted afresh."""
    for event in previous_turn(tracker):
        if event.get("event") == "session_started":
            return True
        if event.get("event") == "slot" and event.get("name") == "handoff_reason":
            if event.get("value"):
                return True
    return False


def offered_last_turn(tracker: Tracker, slot: str) -> bool:
    """Whether ``slot`` was set (to a value) by the bot's answer to the previous message.

    Not when a new session started since: its slot events are carried over.
    """
    window = previous_turn(tracker)
    if any(event.get("event") == "session_started" for event in window):
        return False
    return any(
        event.get("event") == "slot" and event.get("name") == slot and event.get("value")
        for event in window
    )


# --------------------------------------------------------------------------- actions


class ActionTrackEscalation(Action):
    """Slot mapping of ``need_counts`` and ``escalation`` (see module docs)."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_track_escalation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Runs the action (see the module docstring)."""
        message = tracker.latest_message or {}
        before = dict(tracker.get_slot("need_counts") or {})
        counts = {} if counting_restarts(tracker) else dict(before)
        loop = (tracker.active_loop or {}).get("name")
        emotion = emotion_of(message)
        events: list[EventType] = []

        due: str | None = None
        if loop == COMPLAINT_FORM:
            if emotion and not tracker.get_slot("complaint_upset"):
                events.append(SlotSet("complaint_upset", True))
        else:
            need = need_of(message, domain)
            if need is not None:
                counts[need] = int(counts.get(need, 0)) + 1
            if emotion and _intent(message) != "report_fraud":
                due = "emotion"
            elif need is not None and counts[need] >= REPEAT_LIMIT:
                due = "repeated_question"

        if tracker.get_slot("complaint_offer") and not offered_last_turn(
            tracker, "complaint_offer"
        ):
            events.append(SlotSet("complaint_offer", None))
        if counts != before:
            events.append(SlotSet("need_counts", counts))
        if due != tracker.get_slot("escalation"):
            events.append(SlotSet("escalation", due))
        return events


async def stop_running_form(tracker: Tracker) -> list[EventType]:
    """End a form the handoff interrupts; a verification's challenge is closed first."""
    if not (tracker.active_loop or {}).get("name"):
        return []
    events = await abandon_verification(tracker)
    return events + [SlotSet("requested_slot", None), ActiveLoop(None)]


def _after_handoff() -> list[EventType]:
    return [SlotSet("escalation", None), SlotSet("need_counts", {})]


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
        distressed = emotion_of(tracker.latest_message or {}) == "distress"
        response = "utter_handoff_emotion_distress" if distressed else "utter_handoff_emotion"
        events += request_handoff(dispatcher, "emotion", "high", response=response)
        return events + _after_handoff()


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
        events += request_handoff(dispatcher, "repeated_question", "normal")
        return events + _after_handoff()
