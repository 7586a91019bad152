"""The engine's kept validator of action answers accepts and refuses exactly as Rasa's own."""

from __future__ import annotations

import pytest

from tests.bot.conftest import import_engine_module

tuning = import_engine_module("bot.engine_tuning")
action_module = import_engine_module("rasa.core.actions.action")
jsonschema = import_engine_module("jsonschema")

ORIGINAL = action_module.RemoteAction._validate_action_result

ANSWERS = [
    {"events": [], "responses": []},
    {
        "events": [
            {"event": "slot", "name": "language", "value": "en", "timestamp": None},
            {"event": "active_loop", "name": None},
            {"event": "followup", "name": "action_listen"},
        ],
        "responses": [{"response": "utter_greet"}, {"text": "hi", "buttons": []}],
    },
    {"responses": [{"custom": {"handoff": {"reason": "emotion", "priority": "high"}}}]},
]
BAD_ANSWERS = [
    {"events": [{"event": "slot"}]},  # a slot event without its name
    {"events": [{"event": "no_such_event"}]},
    {"events": "not a list"},
    {"responses": ["not an object"]},
    ["not an object"],
]


def _outcome(validate, answer) -> str:
    action = action_module.RemoteAction("action_x", None)
    try:
        assert validate(action, answer) is True
        return "valid"
    except jsonschema.ValidationError as error:
        return error.message


@pytest.mark.parametrize("answer", ANSWERS + BAD_ANSWERS)
def test_the_kept_validator_decides_like_rasas_own(answer) -> None:
    assert ORIGINAL is not tuning.validate_action_result  # compared with Rasa's own
    assert _outcome(tuning.validate_action_result, answer) == _outcome(ORIGINAL, answer)


def test_bad_answers_are_refused_with_rasas_explanation() -> None:
    for answer in BAD_ANSWERS:
        assert "Failed to validate Action server response" in _outcome(
            tuning.validate_action_result, answer
        )


def test_install_puts_it_in_place() -> None:
    tuning.install()
    try:
        assert action_module.RemoteAction._validate_action_result is tuning.validate_action_result
    finally:
        action_module.RemoteAction._validate_action_result = ORIGINAL


events = import_engine_module("rasa.shared.core.events")
common = import_engine_module("rasa.shared.utils.common")
RESOLVE = events.Event.resolve_by_type


def test_every_event_name_resolves_to_the_class_rasa_finds() -> None:
    assert RESOLVE is not tuning.resolve_event_type  # compared with Rasa's own
    names = {cls.type_name for cls in common.all_subclasses(events.Event)}
    assert {"user", "bot", "slot", "action", "active_loop", "session_started"} <= names
    for name in sorted(names):
        assert tuning.resolve_event_type(name) is RESOLVE(name)
        assert tuning.resolve_event_type(name) is RESOLVE(name)  # the kept one too


def test_unknown_event_names_behave_as_before() -> None:
    assert tuning.resolve_event_type("topic") is None
    assert tuning.resolve_event_type("nonsense", events.SlotSet) is events.SlotSet
    with pytest.raises(ValueError, match="Unknown event name 'nonsense'"):
        tuning.resolve_event_type("nonsense")


def test_install_puts_both_in_place() -> None:
    tuning.install()
    try:
        assert events.Event.resolve_by_type is tuning.resolve_event_type
        parameters = {"event": "slot", "name": "language", "value": "en"}
        assert events.Event.from_parameters(parameters) == events.SlotSet("language", "en")
    finally:
        events.Event.resolve_by_type = staticmethod(RESOLVE)
        action_module.RemoteAction._validate_action_result = ORIGINAL
