"""The verification forms' names and slots, and how a running one is recognised and ended."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

VERIFICATION_FORM = "verification_form"
REVERIFY_FORM = "reverify_form"
FORMS = (VERIFICATION_FORM, REVERIFY_FORM)

FORM_SLOTS = ("verify_phone", "verify_id_last4", "verify_code")
IN_CLEAR = "__code_in_clear__"  # extraction marker: a code typed inside a sentence
MASKED = "__code_masked__"  # extraction marker: the gateway masked such a code
PROVIDED = "provided"


def active_form(tracker: Tracker) -> str | None:
    """The verification form running in this conversation, if one is."""
    name = (tracker.active_loop or {}).get("name")
    return name if name in FORMS else None


def clear_form_slots() -> list[EventType]:
    """Empty the form's slots (a new verification starts from scratch)."""
    return [SlotSet(name, None) for name in FORM_SLOTS] + [SlotSet("verification_outcome", None)]




def stop_verification_events() -> list[EventType]:
    """Slot events that end a running verification (before a handoff).

    The caller closes the challenge; the rule deactivates the form.
    """
    return clear_form_slots() + [SlotSet("pending_service", None)]

