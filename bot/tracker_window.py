"""Which part of a conversation the engine loads.

The last customer turns, and the slot values they start from.

Rasa rebuilds the tracker from every event of the session on each message;
then each policy's featurisation replays them (several times a turn) and each
call to the action server carries them all. A turn therefore cost more the
longer the conversation ran (`make bench`: ×2 through the gateway and ×3 on the
engine over 64 turns). A bounded window removes that growth.

Why the engine decides exactly as it would with the whole session:

* whatever counts across a conversation is a slot (the needs asked, the misses,
  verification, the pinned language), and the window starts from the slot
  values the whole session had reached at that point;
* nothing looks further back than a few turns: MemoizationPolicy's
  `max_history` is 4, no rule or story is longer than 4 customer turns, the
  actions read the current and the previous turn. The window keeps at least
  `KEEP_TURNS` turns;
* the window only starts where no form (active loop) runs, so a form's own
  history is never cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

KEEP_TURNS = 8
"""Customer turns the window keeps when it moves (more than anything looks back)."""

MAX_TURNS = 12
"""The window moves once it holds more customer turns than this (every 4 turns)."""

ACTION_LISTEN = "action_listen"


def user_turn_starts(events: Sequence[Any]) -> list[int]:
    """Indexes where a customer turn starts.

    That is the `action_listen` before each message (or the message itself when
    no `action_listen` precedes it).
    """
    starts = []
    for index, event in enumerate(events):
        if getattr(event, "type_name", None) == "user":
            before = events[index - 1] if index else None
            listened = getattr(before, "action_name", None) == ACTION_LISTEN
            starts.append(index - 1 if listened else index)
    return starts


def cut_candidates(events: Sequence[Any], keep_turns: int, max_turns: int) -> list[int]:
    """Where the window may start, best first, or nothing while it is short enough.

    The best start keeps exactly `keep_turns` turns; earlier starts (more turns)
    follow, for when a form was running at the best one.
    """
    starts = user_turn_starts(events)
    if len(starts) <= max_turns:
        return []
    best = len(starts) - keep_turns
    return [starts[i] for i in range(best, 0, -1)]


def slot_prefix(slots: dict[str, Any], timestamp: float) -> list[dict[str, Any]]:
    """The events that give a fresh tracker these slots.

    One `slot` event per slot the session had set (its value, even when that is
    the initial one).
    """
    return [
        {"event": "slot", "name": name, "value": value, "timestamp": timestamp}
        for name, value in slots.items()
    ]
