"""Rasa 3.6's own hot spots, removed without changing what the engine does.

1. Every answer of the action server is validated against Rasa's schema of
events. Rasa calls `jsonschema.validate` for each answer, which first checks
the schema itself against jsonschema's meta-schema, every time; the events
schema is large, so that check cost more than everything else in a turn
(profiled: about 70% of the engine's time per message, 2-3 answers a turn).
Here the schema is checked once and its validator kept; each answer is still
validated in full, and an invalid one raises the same error with the same
message as before.

2. Loading a tracker turns each stored event into its class by walking every
subclass of `Event` (about thirty) for the one with the event's name; the
class found for a name is now kept. Unknown names still go the old way.

`install()` is called when the engine creates its tracker store
(`bot.tracker_store`), the first of our code every engine loads.
"""

from __future__ import annotations

from typing import Any

from jsonschema import ValidationError, validators
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

_validator: Any = None
_event_classes: dict[str, type[Any]] = {}
_resolve_by_walking = Event.resolve_by_type


def _action_result_validator() -> Any:
    """The validator of Rasa's action response schema, its schema checked once."""
    global _validator
    if _validator is None:
        schema = RemoteAction.action_response_format_spec()
        cls = validators.validator_for(schema)
        cls.check_schema(schema)
        _validator = cls(schema)
    return _validator


def validate_action_result(_action: Any, result: dict[str, Any]) -> bool:
    """`RemoteAction._validate_action_result`, with the schema checked once."""
    error: ValidationError | None = best_match(_action_result_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        f". Failed to validate Action server response from API, "
        f"make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def resolve_event_type(type_name: str, default: type[Any] | None = None) -> type[Any] | None:
    """`Event.resolve_by_type`, keeping the class found for each name."""
    found = _event_classes.get(type_name)
    if found is not None:
        return found
    for cls in all_subclasses(Event):
        if cls.type_name == type_name:
            _event_classes[type_name] = cls
            return cls
    resolved: type[Any] | None = _resolve_by_walking(type_name, default)
    return resolved


def install() -> None:
    """Put both in place (idempotent)."""
    RemoteAction._validate_action_result = validate_action_result
    Event.resolve_by_type = staticmethod(resolve_event_type)
