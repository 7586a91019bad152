"""The engine's tracker store: Rasa's SQL tracker store, loading a bounded window.

Every event is stored as Rasa stores it (same `events` table; Rasa's tracker
API, `retrieve_full_tracker`, still returns the whole conversation). What one
message loads is the window of `bot.tracker_window`: the last 8 to 12 customer
turns, preceded by the slot values at its start. Where the window of a
conversation starts, and those slot values, are kept in the table
`bankbot_tracker_windows`, written when the window moves.

What one message costs must not grow with the conversation, on SQLite or
PostgreSQL: the store creates two indexes on Rasa's `events` table at start-up
(`EVENT_INDEXES`), and finds the session's start once per query
(`_event_query`).

Named in the engine's endpoints file (`bankbot/stack.py`):
`tracker_store: {type: bot.tracker_store.WindowedSQLTrackerStore, ...}` with
the SQL store's own settings, and optionally `keep_turns` / `max_turns`.
Creating it also installs `bot.engine_tuning` (the engine loads it first).
"""

from __future__ import annotations

import json
import logging
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.orm import declarative_base

from bot import engine_tuning
from bot.tracker_window import KEEP_TURNS, MAX_TURNS, cut_candidates, slot_prefix
from common import sqlite

logger = logging.getLogger(__name__)

WindowBase: Any = declarative_base()

EVENT_INDEXES = {
    "bankbot_events_session_starts": "(sender_id, type_name, timestamp)",
    "bankbot_events_sender_id_id": "(sender_id, id)",
}
"""Indexes on Rasa's `events` table: name -> columns (Rasa creates one on `sender_id`).

The first finds the latest session start of a conversation without reading
its other events. The second reads a window from its first event on, in
order, without reading the events before it.
"""

NOT_ON_SQLITE = frozenset({"bankbot_events_sender_id_id"})
"""SQLite's index on `sender_id` already holds each row's id (the rowid)."""

LOADED = "_bankbot_loaded"
"""Attribute of a tracker this store loaded: (events before the window, stored ids)."""


class TrackerWindow(WindowBase):  # type: ignore[misc]
    """Where a conversation's window starts and the slot events that precede it."""

    __tablename__ = "bankbot_tracker_windows"

    sender_id = sa.Column(sa.String(255), primary_key=True)
    first_event_id = sa.Column(sa.Integer, nullable=False)
    prefix = sa.Column(sa.Text, nullable=False)


class WindowedSQLTrackerStore(SQLTrackerStore):  # type: ignore[misc]
    """`SQLTrackerStore` whose `retrieve` loads a bounded window (see module docs)."""

    def __init__(
        self,
        domain: Any = None,
        keep_turns: int = KEEP_TURNS,
        max_turns: int = MAX_TURNS,
        **kwargs: Any,
    ) -> None:
        super().__init__(domain=domain, **kwargs)
        engine_tuning.install()
        if self.engine.dialect.name == "sqlite":
            # The embedded default: WAL and NORMAL sync like every SQLite database of
            # bankbot (common/sqlite.py), instead of a full sync on every turn's commit.
            sa.event.listen(self.engine, "connect", sqlite.on_connect)
            self.engine.dispose()  # connections opened before the listener get it too
        if not 0 < keep_turns < max_turns:
            raise ValueError("the window needs 0 < keep_turns < max_turns")
        self.keep_turns, self.max_turns = keep_turns, max_turns
        try:
            WindowBase.metadata.create_all(self.engine)
        except (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.IntegrityError) as exc:
            # Two engines starting together: the other one created it. PostgreSQL
            # reports that race as a duplicate row in its catalogue (IntegrityError).
            logger.info("window table not created here: %s", exc)
        self._create_event_indexes()

    def _create_event_indexes(self) -> None:
        """`EVENT_INDEXES`, unless they exist (two engines may start together).

        On a database that already holds many events the first start builds
        them, once.
        """
        table = self.SQLEvent.__tablename__
        for name, columns in EVENT_INDEXES.items():
            if self.engine.dialect.name == "sqlite" and name in NOT_ON_SQLITE:
                continue
            try:
                with self.engine.begin() as connection:
                    connection.exec_driver_sql(
                        f"CREATE INDEX IF NOT EXISTS {name} ON {table} {columns}"
                    )
            except (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.IntegrityError) as exc:
                logger.info("index %s not created here: %s", name, exc)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The current session's window: its slot prefix, then its events."""
        with self.session_scope() as session:
            window = session.get(TrackerWindow, sender_id)
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
            if window is not None:
                query = query.filter(self.SQLEvent.id >= window.first_event_id)
            rows = query.all()
            prefix: list[dict[str, Any]] = []
            if window is not None and rows and rows[0].id == window.first_event_id:
                prefix = json.loads(window.prefix)  # a later session start needs none
            if not self.domain or not rows:
                return None
            events = prefix + [json.loads(row.data) for row in rows]
            tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
            setattr(tracker, LOADED, (len(prefix), [row.id for row in rows]))
            return tracker

    def _event_query(
        self, session: Any, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> Any:
        """Rasa's query of a conversation's events, finding the session start once.

        Rasa joins the events with a subquery for the latest session start
        (`max(timestamp)`). PostgreSQL may plan that join as a nested loop that
        runs the subquery again for every event it returns, each run reading
        all the conversation's events: EXPLAIN ANALYZE on a bench database at
        turn 64 showed 108 runs of 778 rows, 8-10 ms of the turn, and the
        engine's turn grew x1.5 over 64 turns. Here the session start is a
        scalar subquery in the WHERE clause, computed once (an InitPlan), and
        written as "the latest non-null timestamp" so that the planner reads it
        from the end of `EVENT_INDEXES`' first index even before the table has
        statistics (with `max()` it read the conversation through another
        index then). Same rows, same order as Rasa's.
        """
        event = self.SQLEvent
        query = session.query(event).filter(event.sender_id == sender_id)
        if not fetch_events_from_all_sessions:
            session_start = (
                session.query(event.timestamp)
                .filter(
                    event.sender_id == sender_id,
                    event.type_name == SessionStarted.type_name,
                    event.timestamp.isnot(None),
                )
                .order_by(event.timestamp.desc())
                .limit(1)
                .scalar_subquery()
            )
            query = query.filter(sa.or_(event.timestamp >= session_start, session_start.is_(None)))
        return query.order_by(event.id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the events added since loading; move the window when it is long."""
        loaded = getattr(tracker, LOADED, None)
        if loaded is None:
            await self._save_unwindowed(tracker)
            return
        await self.stream_events(tracker)
        prefix_length, ids = loaded
        events = list(tracker.events)
        with self.session_scope() as session:
            new = events[prefix_length + len(ids) :]
            rows = [self._row(tracker.sender_id, event) for event in new]
            session.add_all(rows)
            session.flush()
            ids = ids + [row.id for row in rows]
            self._move_window(session, tracker, events[:prefix_length], events[prefix_length:], ids)
            session.commit()
        setattr(tracker, LOADED, (prefix_length, ids))

    async def _save_unwindowed(self, tracker: DialogueStateTracker) -> None:
        """A tracker this store did not load (a new conversation, or one Rasa rebuilt).

        A new conversation is saved as Rasa saves it. Otherwise what is new is
        what happened after the last stored event: Rasa's own way (counting the
        session's stored events) would be wrong for a tracker whose count does
        not match the store's.
        """
        with self.session_scope() as session:
            last = (
                session.query(sa.func.max(self.SQLEvent.timestamp))
                .filter(self.SQLEvent.sender_id == tracker.sender_id)
                .scalar()
            )
            if last is None:
                session.rollback()
            else:
                new = [e for e in tracker.events if (e.timestamp or 0.0) > last]
                session.add_all([self._row(tracker.sender_id, event) for event in new])
                session.commit()
        if last is None:
            await super().save(tracker)
        else:
            await self.stream_events(tracker)

    def _row(self, sender_id: str, event: Any) -> Any:
        """An `events` row exactly as Rasa's own `save` writes it."""
        data = event.as_dict()
        return self.SQLEvent(
            sender_id=sender_id,
            type_name=event.type_name,
            timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get("name"),
            action_name=data.get("name"),
            data=json.dumps(data),
        )

    def _move_window(
        self,
        session: Any,
        tracker: DialogueStateTracker,
        prefix: list[Any],
        window: list[Any],
        ids: list[int],
    ) -> None:
        """Start the window `keep_turns` turns back, where no form runs."""
        for start in cut_candidates(window, self.keep_turns, self.max_turns):
            state = DialogueStateTracker.from_events(
                tracker.sender_id, prefix + window[:start], self.domain.slots
            )
            if state.active_loop_name:
                continue
            slots = {name: slot.value for name, slot in state.slots.items() if slot.has_been_set}
            timestamp = float(getattr(window[start], "timestamp", 0.0) or 0.0)
            session.merge(
                TrackerWindow(
                    sender_id=tracker.sender_id,
                    first_event_id=ids[start],
                    prefix=json.dumps(slot_prefix(slots, timestamp)),
                )
            )
            return
