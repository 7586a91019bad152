"""The engine's windowed tracker store: what it loads decides as the whole session would.

A long conversation is written turn by turn through the store, as the engine
does (retrieve, add the turn's events, save); after every turn the loaded
window must have the whole session's slot values and active form, the same
last dialogue states the policies featurise, and a bounded number of turns,
while the store keeps every event.

What a turn reads must not grow with the conversation either: on PostgreSQL
(127.0.0.1:5432, user postgres, a database of each test's own) the plans of the
store's queries read the window and nothing before it, and the query finds
the same rows as Rasa's own on both SQL backends.
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.bot.conftest import import_engine_module

store_module = import_engine_module("bot.tracker_store")
events = import_engine_module("rasa.shared.core.events")
domain_module = import_engine_module("rasa.shared.core.domain")
sa = import_engine_module("sqlalchemy")

ROOT = Path(__file__).resolve().parents[2]
KEEP, MAX = 3, 5


def _domain():
    with warnings.catch_warnings():  # Rasa's own notices about the domain files
        warnings.simplefilter("ignore", UserWarning)
        return domain_module.Domain.load(str(ROOT / "domain"))


def _turn_events(turn: int) -> list:
    """One customer turn: the message, what the engine did, listening again."""
    said = [
        events.UserUttered(f"question {turn}", {"name": "greet", "confidence": 1.0}),
        events.SlotSet("faq_misses", float(turn % 3)),
    ]
    if turn == 1:
        said.append(events.SlotSet("language", "en"))
        said.append(events.SlotSet("language_pinned", True))
    if turn == 9:  # a form starts, and runs over the turns where the window would move
        said += [events.ActionExecuted("verification_form"), events.ActiveLoop("verification_form")]
    elif 9 < turn < 15:
        said.append(events.ActionExecuted("verification_form"))
    elif turn == 15:
        said += [events.ActionExecuted("verification_form"), events.ActiveLoop(None)]
    else:
        said.append(events.ActionExecuted("utter_greet"))
    return [*said, events.ActionExecuted("action_listen")]


def _users(tracker) -> list[str]:
    return [e.text for e in tracker.events if isinstance(e, events.UserUttered)]


async def _conversation(tmp_path: Path) -> None:
    domain = _domain()
    store = store_module.WindowedSQLTrackerStore(
        domain=domain, dialect="sqlite", db=str(tmp_path / "tracker.db"),
        keep_turns=KEEP, max_turns=MAX,
    )  # fmt: skip
    await store.get_or_create_tracker("c1")
    moved_inside_form = False
    for turn in range(1, 31):
        tracker = await store.retrieve("c1")
        for event in _turn_events(turn):
            tracker.update(event)
        await store.save(tracker)

        window = await store.retrieve("c1")
        whole = await store.retrieve_full_tracker("c1")
        assert len(_users(whole)) == turn  # every event stays stored
        assert window.current_slot_values() == whole.current_slot_values()
        assert window.active_loop_name == whole.active_loop_name
        assert _users(window) == _users(whole)[-len(_users(window)) :]
        # The dialogue states the policies featurise: all but the window's first
        # (the slot prefix alone) are those of the whole session.
        seen = window.past_states(domain)[1:]
        assert len(seen) >= min(turn, KEEP)
        assert seen == whole.past_states(domain)[-len(seen) :]
        if whole.active_loop_name is None:
            assert len(_users(window)) <= MAX or moved_inside_form
        else:
            moved_inside_form = moved_inside_form or len(_users(window)) > MAX
        assert len(_users(window)) >= min(turn, KEEP)
    assert len(_users(window)) <= MAX  # bounded again once the form ended
    assert window.get_slot("language") == "en" and window.get_slot("language_pinned") is True


def test_a_long_conversation_loads_a_bounded_window_with_the_whole_state(tmp_path: Path) -> None:
    asyncio.run(_conversation(tmp_path))


def test_a_new_conversation_is_stored_whole(tmp_path: Path) -> None:
    async def check() -> None:
        store = store_module.WindowedSQLTrackerStore(
            domain=_domain(), dialect="sqlite", db=str(tmp_path / "tracker.db")
        )
        assert await store.retrieve("nobody") is None
        tracker = await store.get_or_create_tracker("c2")
        for event in _turn_events(1):
            tracker.update(event)
        await store.save(tracker)
        again = await store.retrieve("c2")
        assert [e.as_dict()["event"] for e in again.events] == [
            e.as_dict()["event"] for e in tracker.events
        ]

    asyncio.run(check())


def test_the_embedded_store_uses_bankbots_sqlite_settings(tmp_path: Path) -> None:
    store = store_module.WindowedSQLTrackerStore(
        domain=_domain(), dialect="sqlite", db=str(tmp_path / "tracker.db")
    )
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


def test_a_tracker_the_store_did_not_load_saves_only_what_is_new(tmp_path: Path) -> None:
    async def check() -> None:
        domain = _domain()
        store = store_module.WindowedSQLTrackerStore(
            domain=domain, dialect="sqlite", db=str(tmp_path / "tracker.db")
        )
        tracker = await store.get_or_create_tracker("c3")
        for event in _turn_events(1):
            tracker.update(event)
        await store.save(tracker)
        whole = await store.retrieve_full_tracker("c3")  # rebuilt: not loaded by `retrieve`
        assert not hasattr(whole, store_module.LOADED)
        for event in _turn_events(2):
            whole.update(event)
        await store.save(whole)
        again = await store.retrieve_full_tracker("c3")
        assert _users(again) == ["question 1", "question 2"]
        assert len(again.events) == len(whole.events)

    asyncio.run(check())


def test_two_engines_starting_together_on_postgresql_both_start() -> None:
    """The second engine's CREATE TABLE loses the race and the engine still starts.

    One connection creates the window table and holds its transaction open,
    as the first of two engines starting together would; the second store's
    own creation then waits on it and, once the first commits, PostgreSQL
    reports a duplicate in its catalogue.
    """
    import threading
    import time
    import uuid

    import psycopg2

    name = f"bankbot_window_race_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    admin.autocommit = True
    admin.cursor().execute(f"CREATE DATABASE {name}")
    try:
        domain = _domain()
        earlier = store_module.WindowedSQLTrackerStore(  # Rasa's events table exists already
            domain=domain, dialect="postgresql", host="127.0.0.1", port=5432,
            username="postgres", db=name,
        )  # fmt: skip
        with earlier.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE bankbot_tracker_windows")
        earlier.engine.dispose()
        first = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname=name)
        first.cursor().execute(
            "CREATE TABLE bankbot_tracker_windows (sender_id VARCHAR(255) PRIMARY KEY,"
            " first_event_id INTEGER NOT NULL, prefix TEXT NOT NULL)"
        )  # uncommitted: the first engine is still creating it
        outcome: dict[str, object] = {}

        def second_engine() -> None:
            try:
                outcome["store"] = store_module.WindowedSQLTrackerStore(
                    domain=domain, dialect="postgresql", host="127.0.0.1", port=5432,
                    username="postgres", db=name,
                )  # fmt: skip
            except Exception as exc:  # noqa: BLE001 - the test reports it
                outcome["error"] = exc

        thread = threading.Thread(target=second_engine)
        thread.start()
        waiting = admin.cursor()
        for _ in range(200):  # until the second engine waits on the first one's creation
            waiting.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = %s AND wait_event_type = 'Lock'",
                (name,),
            )
            if waiting.fetchone()[0]:
                break
            time.sleep(0.05)
        else:
            raise AssertionError("the second engine never waited on the first one's table")
        first.commit()
        first.close()
        thread.join(timeout=30)
        assert "error" not in outcome, outcome.get("error")
        store = outcome["store"]

        async def a_turn() -> None:
            tracker = await store.get_or_create_tracker("c9")
            for event in _turn_events(1):
                tracker.update(event)
            await store.save(tracker)
            assert _users(await store.retrieve("c9")) == ["question 1"]

        asyncio.run(a_turn())
        store.engine.dispose()
    finally:
        admin.cursor().execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


@contextmanager
def _postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database on 127.0.0.1:5432 (user postgres), dropped on exit."""
    import uuid

    import psycopg2

    name = f"bankbot_tracker_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    admin.autocommit = True
    admin.cursor().execute(f"CREATE DATABASE {name}")
    try:
        yield name
    finally:
        admin.cursor().execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


def _postgres_store(name: str, **window: int):
    return store_module.WindowedSQLTrackerStore(
        domain=_domain(), dialect="postgresql", host="127.0.0.1", port=5432,
        username="postgres", db=name, **window,
    )  # fmt: skip


def _event_ids(store, sender_id: str, query_of) -> tuple[list[int], list[int]]:
    """Ids the query finds: the latest session's, and all sessions'."""
    with store.session_scope() as session:
        return (
            [row.id for row in query_of(session, sender_id, fetch_events_from_all_sessions=False)],
            [row.id for row in query_of(session, sender_id, fetch_events_from_all_sessions=True)],
        )


async def _two_sessions(store, sender_id: str) -> None:
    """A conversation whose second session starts after its first one's turns."""
    tracker = await store.get_or_create_tracker(sender_id)
    for turn in (1, 2):
        for event in _turn_events(turn):
            tracker.update(event)
    tracker.update(events.SessionStarted(timestamp=tracker.events[-1].timestamp + 1))
    tracker.update(events.ActionExecuted("action_listen", timestamp=tracker.events[-1].timestamp))
    for event in _turn_events(3):
        tracker.update(event)
    await store.save(tracker)


def _rasas_query(store):
    """Rasa's own `_event_query`, bound to `store`."""
    return lambda *args, **kwargs: store_module.SQLTrackerStore._event_query(store, *args, **kwargs)


def test_the_events_query_finds_rasas_rows_on_sqlite_and_postgresql(tmp_path: Path) -> None:
    """The session start found once (`_event_query`) gives Rasa's rows, in Rasa's order."""

    async def check(store) -> None:
        await _two_sessions(store, "two")
        other = await store.get_or_create_tracker("other")  # another conversation's session
        other.update(events.SessionStarted())
        await store.save(other)
        tracker = await store.get_or_create_tracker("none", append_action_listen=False)
        tracker.update(events.UserUttered("hello", {"name": "greet", "confidence": 1.0}))
        await store.save(tracker)  # no session start at all
        with store.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO events (sender_id, type_name, timestamp, data)"
                " VALUES ('none', 'user', NULL, '{\"event\": \"user\"}')"
            )  # a row without a timestamp: found only when no session started
        for sender_id in ("two", "other", "none", "nobody"):
            ours = _event_ids(store, sender_id, store._event_query)
            assert ours == _event_ids(store, sender_id, _rasas_query(store))
        latest, every = _event_ids(store, "two", store._event_query)
        assert 0 < len(latest) < len(every)
        assert len(_event_ids(store, "none", store._event_query)[0]) == 2

    sqlite = store_module.WindowedSQLTrackerStore(
        domain=_domain(), dialect="sqlite", db=str(tmp_path / "tracker.db")
    )
    asyncio.run(check(sqlite))
    with _postgres_database() as name:
        store = _postgres_store(name)
        asyncio.run(check(store))
        store.engine.dispose()


def _rows_read(plan: dict) -> tuple[int, int]:
    """Rows every scan in an EXPLAIN ANALYZE plan read, and the most loops of any node."""
    loops = plan.get("Actual Loops", 0)
    read = 0
    if "Scan" in plan["Node Type"]:
        removed = plan.get("Rows Removed by Filter", 0)
        rechecked = plan.get("Rows Removed by Index Recheck", 0)
        read = (plan["Actual Rows"] + removed + rechecked) * loops
    for child in plan.get("Plans", []):
        child_read, child_loops = _rows_read(child)
        read, loops = read + child_read, max(loops, child_loops)
    return read, loops


def test_loading_a_window_on_postgresql_reads_the_window_not_the_conversation() -> None:
    """What a turn reads does not grow with the conversation (issue 13's growth).

    Rasa's query joined the session-start subquery with the events; PostgreSQL
    ran it once per event loaded, each run reading every event of the
    conversation. Here every plan node runs at most once and the scans read
    the window's rows and one row per session-start lookup, whether the table
    has statistics yet (a new database, as at `make bench`) or not.
    """

    async def check(store) -> None:
        with store.engine.begin() as connection:  # other conversations around this one
            connection.exec_driver_sql(
                "INSERT INTO events (sender_id, type_name, timestamp, data)"
                " SELECT 'other' || mod(n, 40), CASE WHEN mod(n, 50) = 0 THEN 'session_started'"
                " ELSE 'user' END, n, '{}' FROM generate_series(1, 4000) AS n"
            )
        tracker = await store.get_or_create_tracker("long")
        tracker.update(events.SessionStarted())
        for turn in range(1, 41):
            for event in _turn_events(turn):
                tracker.update(event)
            await store.save(tracker)
            tracker = await store.retrieve("long")
        loaded = len(getattr(tracker, store_module.LOADED)[1])
        with store.session_scope() as session:
            stored = session.query(store.SQLEvent).filter_by(sender_id="long").count()
        assert loaded * 3 < stored  # the window is a small part of the conversation

        statements: list[tuple[str, object]] = []

        def seen(_conn, _cursor, statement, parameters, _context, _many) -> None:
            if "FROM events" in statement:
                statements.append((statement, parameters))

        for analysed in (False, True):
            if analysed:
                with store.engine.begin() as connection:
                    connection.exec_driver_sql("ANALYZE events")
            statements.clear()
            sa.event.listen(store.engine, "before_cursor_execute", seen)
            assert len((await store.retrieve("long")).events) >= loaded
            sa.event.remove(store.engine, "before_cursor_execute", seen)
            assert statements, "the window was not read from the events table"
            with store.engine.connect() as connection:
                for statement, parameters in statements:
                    explained = connection.exec_driver_sql(
                        f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}", parameters
                    ).scalar()
                    read, loops = _rows_read(explained[0]["Plan"])
                    assert loops <= 1, (analysed, explained)
                    assert read <= loaded + 2, (analysed, read, loaded, explained)

    with _postgres_database() as name:
        store = _postgres_store(name, keep_turns=KEEP, max_turns=MAX)
        with store.engine.begin() as connection:  # statistics only when the test asks
            connection.exec_driver_sql("ALTER TABLE events SET (autovacuum_enabled = false)")
        asyncio.run(check(store))
        store.engine.dispose()
        again = _postgres_store(name)  # a second start finds the indexes there
        indexes = {index["name"] for index in sa.inspect(again.engine).get_indexes("events")}
        assert set(store_module.EVENT_INDEXES) <= indexes
        again.engine.dispose()
