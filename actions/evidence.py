"""Why this handoff: the evidence a handoff request carries to the agent (issue 11, item 7).

Every handoff an action requests with the tracker at hand carries an
``evidence`` object (keys of :mod:`common.evidence`): the customer messages
that triggered it (masked), the detector that decided and its score, the
intents and FAQs the engine saw for those messages, and whether the customer
was verified. The gateway stores it with the queue entry and shows it in the
agent's summary, where the agent may dispute it ("not upset", "not fraud").
What is gathered, and from which messages, is :func:`common.evidence.of_handoff`'s,
which the engine's own handoff (a second FAQ miss, ``bot/nlg.py``) uses too.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from common import evidence


def evidence_of(tracker: Tracker, reason: str, *, rising: bool = False) -> dict[str, Any]:
    """The evidence of a handoff for ``reason`` (``rising``: frustration over several messages)."""
    return evidence.of_handoff(
        reason,
        tracker.events,
        tracker.latest_message,
        tracker.get_slot("faqs_answered"),
        bool(tracker.get_slot("verified_customer_id")),
        rising=rising,
    )
