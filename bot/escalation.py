"""The escalation policy: a due handoff comes before whatever would have followed.

Three handoffs do not belong to any one intent: a fraud victim
(``fraud_risk``) is recognised by the learned detector whatever intent the
classifier chose, an upset customer (``emotion``) may write anything, and the
same need asked a third time (``repeated_question``, docs/requirements.md,
rule 12) may be any FAQ or service. Rules cannot say "whatever the intent",
so this policy does.

On its first prediction after a customer message it works out what the
message sets (:mod:`bot.turn`: the ``language`` slot, and what is due, by
:func:`common.escalation.track`: it counts the needs, reads the ``judgement``
of ``bot/judgement.py`` and the ``emotion`` entity, follows the last few
messages, and sets the slot ``escalation`` to ``fraud_risk``, ``emotion``,
``repeated_question``, ``low_confidence`` or nothing) and returns those slot
events with its prediction: Rasa applies them whichever policy wins, before
the predicted action runs. The action server is not called for them.

When the freshly computed ``escalation`` is set, it predicts
``action_handoff_<reason>`` with certainty, ahead of the rules and of a
running form (priority above ``RulePolicy``, and a "no user" prediction like
a form's own, so it also wins while the verification form waits for a phone
number); right after that action it predicts ``action_listen``. Otherwise it
has no opinion (all zeros). Later predictions of the same turn return no events.

Nothing to learn: training only checks the domain has the actions.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SlotSet
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

from bot.turn import first_of_turn, turn_events

logger = logging.getLogger(__name__)

SLOT = "escalation"
ACTIONS: dict[str, str] = {
    "fraud_risk": "action_report_fraud",
    "emotion": "action_handoff_emotion",
    "repeated_question": "action_handoff_repeated_question",
    "low_confidence": "action_handoff_low_confidence",
}
"""Value of the ``escalation`` slot -> the action that hands over."""

PRIORITY = 7
"""Above RulePolicy (6): a due handoff wins over the rule for the intent."""


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class EscalationPolicy(Policy):
    """Routes a due handoff (the ``escalation`` slot) ahead of rules and forms (module docs)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Priority above the rules; the slot and the actions it routes to."""
        return {"priority": PRIORITY, "slot": SLOT, "actions": dict(ACTIONS)}

    def train(
        self,
        training_trackers: list[TrackerWithCachedStates],
        domain: Domain,
        **kwargs: Any,
    ) -> Resource:
        """Checks that the domain knows the slot and the actions; nothing to fit."""
        missing = [a for a in self._actions.values() if a not in domain.action_names_or_texts]
        if self._slot not in {slot.name for slot in domain.slots}:
            missing.append(f"slot {self._slot}")
        if missing:
            raise RasaException(f"EscalationPolicy needs these in the domain: {missing}")
        with self._model_storage.write_to(self._resource):
            pass  # nothing to persist; the resource must exist to be loaded
        return self._resource

    @property
    def _slot(self) -> str:
        return str(self.config.get("slot", SLOT))

    @property
    def _actions(self) -> dict[str, str]:
        return dict(self.config.get("actions") or ACTIONS)

    def due(self, tracker: DialogueStateTracker, events: list[Event] | None = None) -> str | None:
        """The handoff action due after the latest user message, if any.

        ``events``: this message's slot events (:func:`bot.turn.turn_events`),
        whose ``escalation`` wins over the tracker's.
        """
        if tracker.latest_action_name != ACTION_LISTEN_NAME or tracker.latest_message is None:
            return None
        if not tracker.latest_message.text and not tracker.latest_message.intent:
            return None
        value = tracker.get_slot(self._slot)
        for event in events or []:
            if isinstance(event, SlotSet) and event.key == self._slot:
                value = event.value
        return self._actions.get(str(value)) if value else None

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        """Returns the message's slot events once; certain about a due handoff, then the listen."""
        events = turn_events(tracker, domain) if first_of_turn(tracker) else []
        probabilities = self._default_predictions(domain)
        action = self.due(tracker, events)
        if action is not None:
            probabilities[domain.index_for_action(action)] = 1.0
            logger.debug(f"Escalation due: predicting '{action}'.")
            # "no user" like a form's own prediction, so a running form does not
            # outrank it (the ensemble compares those among themselves first)
            return self._prediction(probabilities, events=events, is_no_user_prediction=True)
        if tracker.latest_action_name in self._actions.values():
            probabilities[domain.index_for_action(ACTION_LISTEN_NAME)] = 1.0
            return self._prediction(probabilities, events=events, is_no_user_prediction=True)
        return self._prediction(probabilities, events=events)
