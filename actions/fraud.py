"""Fraud talk (SERVICE-RULES 10): warn at once, then a human, urgently.

"Someone asked for my SMS code", "I moved money to a safe account",
"a charge I didn't make" (intent ``report_fraud``): the customer first gets
the catalog's fraud warning (``content/faqs/fraud_prevention.yml``, the same
facts the FAQ answer gives, without its "did that help?" closing), then the
conversation goes to the queue with reason ``fraud_risk``, priority
``urgent``. A verification under way is abandoned: the rule deactivates the
form, and the challenge is closed so its code stops working.
"""

from __future__ import annotations

from pathlib import Path

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.handoff import request_handoff
from actions.language import current_language
from faqs.files import load_faq

REPO_ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = REPO_ROOT / "content" / "faqs"

_answers: dict[str, tuple[float, dict[str, str]]] = {}


def catalog_answer(faq_id: str, language: str, folder: Path = CONTENT_DIR) -> str:
    """The content team's answer for ``faq_id`` in ``language`` (re-read when edited)."""
    path = folder / f"{faq_id}.yml"
    stamp = path.stat().st_mtime
    cached = _answers.get(faq_id)
    if cached is None or cached[0] != stamp:
        cached = (stamp, dict(load_faq(path).answer))
        _answers[faq_id] = cached
    answers = cached[1]
    return (answers.get(language) or answers.get("zh") or "").strip()


class ActionReportFraud(Action):
    """The catalog's warning, then an urgent handoff (``fraud_risk``)."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_report_fraud"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Run the action (see the class docstring)."""
        from actions.verification import active_form, bank, db, stop_verification_events

        dispatcher.utter_message(text=catalog_answer("fraud_prevention", current_language(tracker)))
        events = request_handoff(dispatcher, "fraud_risk", "urgent", response="utter_fraud_handoff")
        if active_form(tracker):
            await db(bank().store.cancel, tracker.sender_id)
            events += stop_verification_events(tracker)
        return events
