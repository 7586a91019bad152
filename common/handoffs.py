"""Why a conversation goes to a person, and how urgently: the names all three processes use.

The action server asks for a handoff with one of these reasons and
priorities, the gateway's queue stores and orders them, the agents' console
shows them. docs/requirements.md (escalation) says which situation gets which.
"""

from __future__ import annotations

import enum
import sys

if sys.version_info >= (3, 11):
    from enum import StrEnum
else:  # the engine's Python 3.10

    class StrEnum(str, enum.Enum):
        """A string enum whose members format as their value (3.11's ``enum.StrEnum``)."""

        def __str__(self) -> str:
            return str(self.value)

        def __format__(self, spec: str) -> str:
            return str(self.value).__format__(spec)


class HandoffReason(StrEnum):
    """Why the conversation needs a person (fixed names, see docs/architecture.md)."""

    request_human = "request_human"
    emotion = "emotion"
    repeated_question = "repeated_question"
    low_confidence = "low_confidence"
    complex_topic = "complex_topic"
    verification_failed = "verification_failed"
    fraud_risk = "fraud_risk"
    complaint = "complaint"
    system_error = "system_error"


class Priority(StrEnum):
    """Queue priority; ``rank`` orders the queue (lower first)."""

    urgent = "urgent"
    high = "high"
    normal = "normal"

    @property
    def rank(self) -> int:
        """Sort key: urgent first."""
        return _RANKS[self.value]


_RANKS = {"urgent": 0, "high": 1, "normal": 2}

DEFAULT_PRIORITY: dict[HandoffReason, Priority] = {
    HandoffReason.fraud_risk: Priority.urgent,
    HandoffReason.emotion: Priority.high,
    HandoffReason.complaint: Priority.high,
    HandoffReason.verification_failed: Priority.high,
}
"""Urgent for fraud; high for an upset customer, a complaint and a failed
verification; normal for everything else (docs/requirements.md, escalation)."""


def default_priority(reason: HandoffReason) -> Priority:
    """The priority a reason gets unless the caller knows better."""
    return DEFAULT_PRIORITY.get(reason, Priority.normal)
