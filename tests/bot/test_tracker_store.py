"""The engine's windowed tracker store: what it loads decides as the whole session would.

A long conversation is written turn by turn through the store, as the engine
does (retrieve, add the turn's events, save); after every turn the loaded
window must have the whole session's slot values and active form, the same
last dialogue states the policies featurise, and a bounded number of turns,
while the store keeps every event.
"""

from __future__ import annotations

import asyncio
import warnings
from pathlib import Path

from tests.bot.conftest import import_engine_module

store_module = import_engine_module("bot.tracker_store")
events = import_engine_module("rasa.shared.core.events")
domain_module = import_engine_module("rasa.shared.core.domain")

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
