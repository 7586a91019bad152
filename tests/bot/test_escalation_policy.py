"""bot/escalation.py and bot/turn.py: the slots each message sets, then a due handoff first.

On its first prediction after a customer message the policy returns the slot
events of :func:`bot.turn.turn_events` (``language`` and the escalation's
slots, decided by common/escalation.py) and routes a due handoff with the
freshly computed ``escalation``; later in the turn it returns no events.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest

from tests.bot.conftest import import_engine_module

escalation = import_engine_module("bot.escalation")
turn = import_engine_module("bot.turn")
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


def said(
    text: str, intent: str = "faq", faq: str = "", metadata: dict | None = None, **entities: str
):  # type: ignore[no-untyped-def]
    """A customer message with the parse data the engine's NLU gives it."""
    parse: dict[str, Any] = {"intent": {"name": intent, "confidence": 0.9}}
    if faq:
        ranking = [{"intent_response_key": f"faq/{faq}", "confidence": 0.95}]
        parse["response_selector"] = {"faq": {"ranking": ranking}}
    return events.UserUttered(
        text,
        intent=parse["intent"],
        entities=[{"entity": k, "value": v} for k, v in entities.items()],
        parse_data=parse,
        metadata=metadata,
    )


def tracker(*more):  # type: ignore[no-untyped-def]
    return trackers.DialogueStateTracker.from_events(
        "c1", [events.ActionExecuted("action_listen"), *more], slots=DOMAIN.slots
    )


def predicted(policy, tracker_):  # type: ignore[no-untyped-def]
    prediction = policy.predict_action_probabilities(tracker_, DOMAIN)
    best = max(range(len(prediction.probabilities)), key=prediction.probabilities.__getitem__)
    if prediction.probabilities[best] == 0:
        return None, prediction
    return DOMAIN.action_names_or_texts[best], prediction


def slots_set(prediction) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {e.key: e.value for e in prediction.events if isinstance(e, events.SlotSet)}


def turns(*messages):  # type: ignore[no-untyped-def]
    """Earlier turns, each a message answered by the FAQ reply (``utter_answer_faq``)."""
    out = []
    for message in messages:
        out += [message, events.ActionExecuted("utter_answer_faq")]
        out.append(events.ActionExecuted("action_listen"))
    return out


@pytest.mark.parametrize(
    ("message", "action"),
    [
        (said("我被骗了", "report_fraud"), "action_report_fraud"),
        (said("气死我了", faq="opening_hours", emotion="anger"), "action_handoff_emotion"),
    ],
)
def test_a_due_handoff_is_predicted_with_certainty_ahead_of_rules(policy, message, action) -> None:  # type: ignore[no-untyped-def]
    name, prediction = predicted(policy, tracker(message))
    assert name == action
    assert max(prediction.probabilities) == 1.0
    assert prediction.policy_priority > 6  # RulePolicy's
    assert prediction.is_no_user_prediction  # also ahead of a running form
    value = {v: k for k, v in escalation.ACTIONS.items()}[action]
    assert slots_set(prediction)["escalation"] == value  # the value routed on is set too


def test_the_third_asking_is_routed_in_the_same_prediction(policy) -> None:  # type: ignore[no-untyped-def]
    history = []
    for n, text in enumerate(["几点开门", "营业时间", "周末开门吗"], start=1):
        name, prediction = predicted(policy, tracker(*history, said(text, faq="opening_hours")))
        assert slots_set(prediction)["need_counts"] == {"faq/opening_hours": n}
        assert name == ("action_handoff_repeated_question" if n == 3 else None)
        applied = [events.SlotSet(k, v) for k, v in slots_set(prediction).items()]
        history += [said(text, faq="opening_hours"), *applied]
        history += [
            events.ActionExecuted("utter_answer_faq"),
            events.ActionExecuted("action_listen"),
        ]


def test_a_stale_escalation_is_cleared_not_routed(policy) -> None:  # type: ignore[no-untyped-def]
    earlier = [events.SlotSet("escalation", "emotion"), events.ActionExecuted("action_listen")]
    name, prediction = predicted(policy, tracker(*earlier, said("几点开门", faq="opening_hours")))
    assert name is None
    assert slots_set(prediction)["escalation"] is None


def test_nothing_due_means_no_opinion_but_the_turn_is_recorded(policy) -> None:  # type: ignore[no-untyped-def]
    name, prediction = predicted(policy, tracker(said("几点开门", faq="opening_hours")))
    assert name is None
    assert slots_set(prediction) == {
        "need_counts": {"faq/opening_hours": 1},
        "recent_turns": [{"upset": 0.0, "miss": False}],
    }


def test_the_language_follows_the_customer_unless_pinned(policy) -> None:  # type: ignore[no-untyped-def]
    english = said("what are your opening hours", faq="opening_hours", language="en")
    _, prediction = predicted(policy, tracker(english))
    assert slots_set(prediction)["language"] == "en"
    pinned = [events.SlotSet("language", "zh"), events.SlotSet("language_pinned", True)]
    _, prediction = predicted(policy, tracker(*pinned, english))
    assert "language" not in slots_set(prediction)
    unclear = said("ok", "affirm", metadata={"language": "en"})
    _, prediction = predicted(policy, tracker(unclear))
    assert slots_set(prediction)["language"] == "en"  # the conversation's language


def test_listens_after_its_handoff_and_sets_nothing_again(policy) -> None:  # type: ignore[no-untyped-def]
    after = tracker(
        said("气死我了", emotion="anger"),
        events.SlotSet("escalation", "emotion"),
        events.ActionExecuted("action_handoff_emotion"),
    )
    name, prediction = predicted(policy, after)
    assert name == "action_listen"
    assert prediction.events == []


def test_only_right_after_a_user_message(policy) -> None:  # type: ignore[no-untyped-def]
    later = tracker(
        said("气死我了", emotion="anger"),
        events.SlotSet("escalation", "emotion"),
        events.ActionExecuted("utter_answer_faq"),
    )
    name, prediction = predicted(policy, later)
    assert name is None
    assert prediction.events == []


def test_the_other_policies_see_a_lapsed_offer_as_lapsed() -> None:
    offered = [
        said("我要投诉", "complain"),
        events.ActionExecuted("action_complaint_submit"),
        events.SlotSet("complaint_offer", "human"),
        events.ActionExecuted("action_listen"),
        *turns(said("几点开门", faq="opening_hours")),
    ]
    late_yes = tracker(*offered, said("好的", "affirm"))
    fresh = turn._as_if_applied(late_yes, DOMAIN)
    assert fresh.get_slot("complaint_offer") is None
    assert late_yes.get_slot("complaint_offer") == "human"  # the tracker itself is untouched
    answer = tracker(*offered[:4], said("好的", "affirm"))
    assert turn._as_if_applied(answer, DOMAIN) is answer  # the very next message answers it


def test_training_refuses_a_domain_without_the_actions(policy) -> None:  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        bare = domain_module.Domain.from_yaml("version: '3.1'\nintents: [greet]")
    with pytest.raises(exceptions.RasaException, match="action_handoff_emotion"):
        policy.train([], bare)
