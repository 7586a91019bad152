"""An FAQ turn decided in the engine: the slots it sets, as events of the policy that predicts it.

The rules for ``faq``, ``choose_faq`` and ``nlu_fallback`` predict the
response :data:`ACTION` (``utter_answer_faq``). Whichever of our rule and
memoization policies predicts it (``bot/turn.py``) returns :func:`faq_events`
as its optional events: Rasa applies them only if that prediction wins, and
before the response is rendered. They set ``last_faq``, ``faqs_answered``,
``faq_misses``, ``faq_key`` (and the handoff's slots at a second miss) as
:func:`common.faq.decide` says, and the slot ``faq_reply``, from which
``bot/nlg.py`` renders the reply: the answer, "did you mean…", "please
rephrase" or the handoff, with the payload the gateway reads. No action server
call: it used to be the action server's ``action_answer_faq``.
"""

from __future__ import annotations

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot.history import event_dicts, message_dict
from common.faq import REPLY_SLOT, decide
from common.parse import faq_keys

ACTION = "utter_answer_faq"
"""The response the rules predict for an FAQ turn; ``bot/nlg.py`` renders it."""

SLOTS = ("faq_key", "faq_misses", "faqs_answered")
"""The slots :func:`common.faq.decide` reads."""


def faq_events(tracker: DialogueStateTracker, domain: Domain) -> list[Event]:
    """The slot events of this FAQ turn, the reply last (module docs)."""
    latest = tracker.latest_message
    if latest is None:
        return []
    reply, changes = decide(
        message_dict(latest),
        {name: tracker.get_slot(name) for name in SLOTS},
        event_dicts(tracker),
        faq_keys(domain.responses),
    )
    events: list[Event] = [SlotSet(name, value) for name, value in changes]
    return events + [SlotSet(REPLY_SLOT, reply.as_slot())]
