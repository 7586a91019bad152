"""bot/escalation.py: a due handoff is predicted first, then the bot listens."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from tests.bot.conftest import import_engine_module

escalation = import_engine_module("bot.escalation")
domain_module = import_engine_module("rasa.shared.core.domain")
events = import_engine_module("rasa.shared.core.events")
trackers = import_engine_module("rasa.shared.core.trackers")
storage_module = import_engine_module("rasa.engine.storage.local_model_storage")
resource_module = import_engine_module("rasa.engine.storage.resource")
graph = import_engine_module("rasa.engine.graph")
exceptions = import_engine_module("rasa.shared.exceptions")

pytestmark = pytest.mark.engine_env

ROOT = Path(__file__).resolve().parents[2]
with warnings.catch_warnings():  # Rasa's own notices about the domain files
    warnings.simplefilter("ignore", UserWarning)
    DOMAIN = domain_module.Domain.load(str(ROOT / "domain"))


@pytest.fixture
def policy(tmp_path: Path):  # type: ignore[no-untyped-def]
    storage = storage_module.LocalModelStorage(tmp_path)
    resource = resource_module.Resource("escalation_policy")
    context = graph.ExecutionContext(graph.GraphSchema({}), "test")
    config = escalation.EscalationPolicy.get_default_config()
    made = escalation.EscalationPolicy.create(config, storage, resource, context)
    made.train([], DOMAIN)
    return made


def tracker(*more):  # type: ignore[no-untyped-def]
    return trackers.DialogueStateTracker.from_events(
        "c1",
        [
            events.ActionExecuted("action_listen"),
            events.UserUttered("气死我了", intent={"name": "faq", "confidence": 0.9}),
            *more,
        ],
        slots=DOMAIN.slots,
    )


def predicted(policy, tracker_):  # type: ignore[no-untyped-def]
    prediction = policy.predict_action_probabilities(tracker_, DOMAIN)
    best = max(range(len(prediction.probabilities)), key=prediction.probabilities.__getitem__)
    if prediction.probabilities[best] == 0:
        return None, prediction
    return DOMAIN.action_names_or_texts[best], prediction


@pytest.mark.parametrize(
    ("value", "action"),
    [
        ("fraud_risk", "action_report_fraud"),
        ("emotion", "action_handoff_emotion"),
        ("repeated_question", "action_handoff_repeated_question"),
    ],
)
def test_a_due_handoff_is_predicted_with_certainty_ahead_of_rules(policy, value, action) -> None:  # type: ignore[no-untyped-def]
    name, prediction = predicted(policy, tracker(events.SlotSet("escalation", value)))
    assert name == action
    assert max(prediction.probabilities) == 1.0
    assert prediction.policy_priority > 6  # RulePolicy's
    assert prediction.is_no_user_prediction  # also ahead of a running form


def test_nothing_due_means_no_opinion(policy) -> None:  # type: ignore[no-untyped-def]
    name, _ = predicted(policy, tracker())
    assert name is None


def test_listens_after_its_handoff_and_does_not_repeat_it(policy) -> None:  # type: ignore[no-untyped-def]
    after = tracker(
        events.SlotSet("escalation", "emotion"), events.ActionExecuted("action_handoff_emotion")
    )
    name, _ = predicted(policy, after)
    assert name == "action_listen"


def test_only_right_after_a_user_message(policy) -> None:  # type: ignore[no-untyped-def]
    later = tracker(
        events.SlotSet("escalation", "emotion"), events.ActionExecuted("action_answer_faq")
    )
    name, _ = predicted(policy, later)
    assert name is None


def test_training_refuses_a_domain_without_the_actions(policy) -> None:  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        bare = domain_module.Domain.from_yaml("version: '3.1'\nintents: [greet]")
    with pytest.raises(exceptions.RasaException, match="action_handoff_emotion"):
        policy.train([], bare)
