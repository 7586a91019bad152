"""A conversation played against :func:`common.escalation.track`, as the engine plays it.

``Talk`` keeps slots and events as dicts, takes customer messages with the
parse data the engine produces (intent, entities, FAQ ranking, judgement) and
applies what ``track`` sets, as ``bot.escalation.EscalationPolicy`` does on
its first prediction after each message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from common.escalation import SLOTS, track
from common.parse import faq_keys

ROOT = Path(__file__).resolve().parents[2]


def _domain_responses() -> list[str]:
    names: list[str] = []
    for path in sorted((ROOT / "domain").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        names += list(data.get("responses") or {})
    return names


KNOWN = faq_keys(_domain_responses())
"""The FAQ keys of the repository's domain (the live model's, in the engine)."""


class Talk:
    """One conversation's slots and events (see module docs)."""

    def __init__(self, known: set[str] | None = None) -> None:
        self.slots: dict[str, Any] = {}
        self.events: list[dict[str, Any]] = []
        self.latest_message: dict[str, Any] = {}
        self.active_loop: str | None = None
        self.known = KNOWN if known is None else known

    def user(
        self, text: str, intent: str = "nlu_fallback", confidence: float = 0.9, **entities: str
    ) -> None:
        """A customer message, the classifier this sure of its intent, with its entities."""
        self.latest_message = {
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "entities": [{"entity": k, "value": v} for k, v in entities.items()],
        }
        self.events.append({"event": "user", "text": text})

    def faq(self, text: str, key: str, confidence: float = 0.95, **entities: str) -> None:
        """The customer asks a FAQ the classifier maps to ``key``."""
        self.user(text, "faq", **entities)
        self.latest_message["response_selector"] = {
            "faq": {
                "response": {"intent_response_key": f"faq/{key}", "confidence": confidence},
                "ranking": [{"intent_response_key": f"faq/{key}", "confidence": confidence}],
            }
        }

    def set(self, name: str, value: Any) -> None:
        """A slot set by an action (an event of this turn)."""
        self.events.append({"event": "slot", "name": name, "value": value})
        self.slots[name] = value

    def track(self) -> list[tuple[str, Any]]:
        """What the engine sets after the latest message; applied like the policy's events."""
        changes = track(
            self.latest_message,
            {name: self.slots.get(name) for name in SLOTS},
            self.events,
            self.active_loop,
            self.known,
        )
        for name, value in changes:
            self.set(name, value)
        return changes

    def due(self) -> str | None:
        """Track the latest message; the handoff due."""
        self.track()
        return self.slots.get("escalation")

    def handoff(self, reason: str) -> None:
        """What every handoff action sets (actions/escalation.py, ``after_handoff``)."""
        self.set("handoff_reason", reason)
        for name, value in (("escalation", None), ("need_counts", {}), ("recent_turns", [])):
            self.set(name, value)
