"""What the engine reads in a complaint, as the action server receives it.

The engine's ``bot.complaint_reader.ComplaintReader`` adds ``complaint`` to
the parse data of every message (the tracker's ``latest_message`` too)::

    "complaint": {
      "category": "service_attitude", "confidence": 0.82,
      "ranking": [{"name": "service_attitude", "confidence": 0.82}, ...],
      "when": ["昨天下午三点左右"], "where": ["人民路支行"]
    }

``category`` is what the message would be filed under if it were a
complaint (service rule 19's categories), with the model's calibrated
probability; ``when`` and ``where`` are the time and place phrases it states.
The complaint dialogue (``actions/complaints.py``) reads it to ask only for
what is missing.
"""

from __future__ import annotations

READING = "complaint"
"""The parse-data key."""

CATEGORY_KEYS: tuple[str, ...] = (
    "service_attitude",
    "business_handling",
    "product",
    "information_security",
    "other",
)
"""Service rule 19's categories, in the order the customer is offered them."""
