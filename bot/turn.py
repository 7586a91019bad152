"""What each customer message sets before any action runs, decided in the engine.

``language`` (:func:`common.languages.language_after`) and the escalation's
slots (:func:`common.escalation.track`: ``need_counts``, ``recent_turns``,
``escalation``, ``complaint_upset``, ``complaint_offer``) used to be custom
slot mappings run by the action server on every message; computed here they
cost no call. ``bot.escalation.EscalationPolicy`` returns :func:`turn_events`
with its first prediction after each message (Rasa applies a policy's events
whether or not it wins, before the predicted action runs, so that action and
the responses it renders see them).

An FAQ turn sets slots of its own (``last_faq``, ``faq_misses``…,
:mod:`bot.faq`): the rule or memoization policy that predicts the FAQ reply
returns them as optional events, applied only if that prediction wins.

The other policies predict from the tracker as it was before those events.
Only ``complaint_offer`` of these slots shapes their predictions (rules for
"yes" to a person offered); :class:`FreshRulePolicy` and
:class:`FreshMemoizationPolicy` predict as if the events had been applied, as
they were when the action server set them before any prediction.
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.memoization import MemoizationPolicy
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_EXTRACT_SLOTS
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, Restarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import faq
from bot.history import event_dicts, first_entity, message_dict
from common.escalation import SLOTS, track
from common.languages import language_after
from common.parse import faq_keys


def first_of_turn(tracker: DialogueStateTracker) -> bool:
    """No action has run since the latest customer message (bar the slot extraction)."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return True
        if isinstance(event, Restarted):
            return False
        if isinstance(event, ActionExecuted) and event.action_name != ACTION_EXTRACT_SLOTS:
            return False
    return False


def turn_events(tracker: DialogueStateTracker, domain: Domain) -> list[Event]:
    """The slots the latest customer message sets (module docs)."""
    latest = tracker.latest_message
    if latest is None:
        return []
    events: list[Event] = []
    language = language_after(
        tracker.get_slot("language"),
        tracker.get_slot("language_pinned"),
        first_entity(latest, "language"),
        (latest.metadata or {}).get("language"),
    )
    if language is not None:
        events.append(SlotSet("language", language))
    changes = track(
        message_dict(latest),
        {name: tracker.get_slot(name) for name in SLOTS},
        event_dicts(tracker),
        tracker.active_loop_name,
        faq_keys(domain.responses),
    )
    events += [SlotSet(name, value) for name, value in changes]
    return events


def _as_if_applied(tracker: DialogueStateTracker, domain: Domain) -> DialogueStateTracker:
    """The tracker with this message's events that shape predictions (module docs)."""
    if not first_of_turn(tracker):
        return tracker
    featurized = {slot.name for slot in domain.slots if slot.influence_conversation}
    events = [e for e in turn_events(tracker, domain) if getattr(e, "key", None) in featurized]
    if not events:
        return tracker
    fresh = tracker.copy()
    fresh.update_with_events(events, domain)
    return fresh


class _AfterTurnEvents:
    """Predicts as the policy it is mixed into would after this message's slot events.

    A prediction of the FAQ reply (:data:`bot.faq.ACTION`) carries that turn's
    slot events (:func:`bot.faq.faq_events`) as optional events: applied when
    it wins, before the reply is rendered.
    """

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        """The policy's prediction on the tracker as if the turn's events were applied."""
        parent: Any = super()
        prediction: PolicyPrediction = parent.predict_action_probabilities(
            _as_if_applied(tracker, domain), domain, rule_only_data, **kwargs
        )
        probabilities = prediction.probabilities
        if faq.ACTION in domain.action_names_or_texts and probabilities:
            best = max(range(len(probabilities)), key=probabilities.__getitem__)
            if probabilities[best] > 0 and best == domain.index_for_action(faq.ACTION):
                prediction.optional_events = faq.faq_events(tracker, domain)
        return prediction


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class FreshRulePolicy(_AfterTurnEvents, RulePolicy):
    """Rasa's rules, read after this message's slot events (module docs)."""


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class FreshMemoizationPolicy(_AfterTurnEvents, MemoizationPolicy):
    """Rasa's memoization, read after this message's slot events (module docs)."""
