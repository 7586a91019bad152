"""The wait estimate (issue 18): the formula, and a simulated desk whose pace is known."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from handoff.services import presence
from handoff.services.clock import clock
from handoff.services.estimate import DeskLoad, WaitEstimate, estimate
from tests.support.desk import (  # noqa: F401 - fixtures
    Chat,
    context,
    desk_api_fixture,
    login,
    queue_items,
    real_time_fixture,
    runtime,
    say,
    start_chat,
)

BEIJING = ZoneInfo("Asia/Shanghai")
PRIOR = 12


def test_nobody_online_means_no_estimate_rather_than_a_made_up_one() -> None:
    assert estimate(3, DeskLoad(0, 0, 40, 2.0), PRIOR) is None


def test_free_seats_mean_under_a_minute() -> None:
    assert estimate(2, DeskLoad(1, 2, 0, 0.0), PRIOR) == WaitEstimate(0, 1, 0)


def test_a_measured_pace_gives_the_expected_wait_inside_its_range() -> None:
    # 20 chats closed in 2 agent-hours: 10 per agent-hour; 2 agents online, no free seat.
    load = DeskLoad(agents_online=2, free_seats=0, closed_in_window=20, agent_hours=2.0)
    wait = estimate(10, load, PRIOR)
    assert wait is not None and wait.expected == 30
    assert wait.low <= 30 <= wait.high and wait.is_range
    # More closes measured, and more ahead, narrow the range relative to the wait.
    sure = estimate(10, DeskLoad(2, 0, 400, 40.0), PRIOR)
    assert sure is not None and sure.expected == 30
    assert sure.high - sure.low < wait.high - wait.low


def test_higher_priorities_arriving_meanwhile_slow_the_wait_of_the_lower_ones() -> None:
    # The desk closes 20 an hour; 5 urgent and 5 high customers arrived in the last hour.
    arrivals = {0: 5, 1: 5, 2: 30}
    load = DeskLoad(2, 0, 20, 2.0, arrivals_by_rank=arrivals, window_hours=1.0)
    urgent, high, normal = (estimate(10, load, PRIOR, rank) for rank in (0, 1, 2))
    assert urgent is not None and high is not None and normal is not None
    assert urgent.expected == 30  # nobody overtakes them: 10 closes at 20 an hour
    assert high.expected == 40  # urgent ones take 5 of the 20 an hour
    assert normal.expected == 60  # urgent and high take 10 of the 20
    # However many overtake, the queue still moves (a quarter of the pace at least).
    flooded = DeskLoad(2, 0, 20, 2.0, arrivals_by_rank={0: 40}, window_hours=1.0)
    slowest = estimate(10, flooded, PRIOR, 2)
    assert slowest is not None and slowest.expected == 120


def test_without_enough_history_the_prior_is_used_and_the_range_is_wide() -> None:
    wait = estimate(
        13, DeskLoad(agents_online=1, free_seats=1, closed_in_window=2, agent_hours=1), 12
    )
    # 12 ahead at 12 per agent-hour with one agent: about an hour, but said as a wide range.
    assert wait is not None and wait.expected == 60
    assert wait.low <= 27 and wait.high >= 130


def test_one_agent_and_a_hundred_and_sixty_customers_is_not_a_single_figure() -> None:
    # The evening: the old "640 minutes" came from 4 minutes a head.
    load = DeskLoad(agents_online=1, free_seats=0, closed_in_window=30, agent_hours=1.0)
    wait = estimate(160, load, PRIOR)
    assert wait is not None and wait.expected == 320
    assert wait.is_range and wait.low < 320 < wait.high


# ---- a simulated desk through the public API -------------------------------------------


async def test_agent_hours_count_only_the_time_staff_were_online(
    desk_api: httpx.AsyncClient,
) -> None:
    """Logged out at 10:30; silent from 10:40 and swept at 10:45: online until 10:40."""
    clock.pin(datetime(2026, 11, 25, 10, tzinfo=BEIJING).astimezone(UTC))
    first = await login(desk_api, "agent1")
    clock.advance(timedelta(minutes=15))
    second = await login(desk_api, "agent2")
    clock.advance(timedelta(minutes=15))
    assert (await desk_api.post("/api/agent/logout", headers=first)).status_code == 200
    clock.advance(timedelta(minutes=10))
    assert (await desk_api.get("/api/agent/me", headers=second)).status_code == 200  # 10:40
    clock.advance(timedelta(minutes=5))
    await runtime(desk_api).sweep()  # agent2 has been silent over 90 s: offline
    clock.advance(timedelta(minutes=15))
    now = clock.now()
    async with context(desk_api).sessions() as session:
        hours = await presence.agent_hours(session, now - timedelta(hours=1), now)
        half = await presence.agent_hours(session, now - timedelta(minutes=30), now)
    assert round(hours * 60) == 30 + 25
    assert round(half * 60) == 10  # 10:30-10:40 of agent2 only


# ---- a simulated desk through the public API -------------------------------------------


async def _queue(api: httpx.AsyncClient, language: str) -> tuple[Chat, dict]:
    chat = await start_chat(api, language)
    await say(api, chat, "我要转人工" if language == "zh" else "I want a person")
    turn = (await say(api, chat, "/request_human")).json()
    assert turn["state"] == "queued", turn
    return chat, turn


async def test_the_estimate_matches_a_simulated_desk_whose_pace_is_known(
    desk_api: httpx.AsyncClient,
) -> None:
    """Two agents, three chats each, one chat closed every 3 minutes for an hour.

    That is 20 closes in 2 agent-hours: 10 per agent-hour, one close every
    3 minutes for the desk. A customer at place p should then wait 3p
    minutes; the simulation goes on and each customer's real wait must fall
    inside the range they were told.
    """
    start = datetime(2026, 11, 25, 10, tzinfo=BEIJING).astimezone(UTC)
    clock.pin(start)
    agents = [await login(desk_api, "agent1"), await login(desk_api, "agent2")]
    held: list[list[int]] = [[], []]

    async def claim_head(who: int) -> int:
        head = (await queue_items(desk_api, agents[who]))[0]["id"]
        claimed = await desk_api.post(f"/api/agent/handoffs/{head}/claim", headers=agents[who])
        assert claimed.status_code == 200, claimed.text
        held[who].append(head)
        return int(head)

    async def close_oldest(who: int) -> None:
        oldest = held[who].pop(0)
        closed = await desk_api.post(
            f"/api/agent/handoffs/{oldest}/close",
            json={"resolution": "answered"},
            headers=agents[who],
        )
        assert closed.status_code == 200, closed.text

    for who in (0, 1, 0, 1, 0, 1):  # both agents at capacity
        await _queue(desk_api, "zh")
        await claim_head(who)
    for step in range(1, 21):  # an hour: a close every 3 minutes, the next customer taken
        clock.advance(timedelta(minutes=3))
        await close_oldest(step % 2)
        await _queue(desk_api, "zh")
        await claim_head(step % 2)

    # Twelve customers now queue behind a full desk.
    told: dict[str, dict] = {}
    for place in range(1, 13):
        chat, turn = await _queue(desk_api, "en" if place % 2 else "zh")
        assert turn["handoff"]["queue_position"] == place
        wait = turn["handoff"]["estimated_wait"]
        assert wait["minutes"] == 3 * place, (place, wait)
        assert wait["low_minutes"] <= 3 * place <= wait["high_minutes"]
        offered = [b["payload"] for r in turn["replies"] for b in r["buttons"]]
        # Over the 15-minute threshold, the three ways on are offered.
        assert ("/leave_message" in offered) == (3 * place > 15), (place, offered)
        told[chat.id] = {"place": place, "at": clock.now(), **wait}
        if place == 9:  # the queued reply, then the offer
            assert "the estimated wait is 17–41 min" in turn["replies"][-2]["text"]
            assert "17–41 min" in turn["replies"][-1]["text"], turn["replies"]
        if place == 10:
            assert "预计等待20–45分钟" in turn["replies"][-2]["text"], turn["replies"]
        if place == 4:  # under the threshold: the queued reply is the last one
            assert "预计等待7–21分钟" in turn["replies"][-1]["text"], turn["replies"]

    # The desk goes on at its pace: when is each customer really taken?
    waited: dict[str, int] = {}
    for step in range(21, 21 + 12):
        clock.advance(timedelta(minutes=3))
        await close_oldest(step % 2)
        head = (await queue_items(desk_api, agents[step % 2]))[0]
        await claim_head(step % 2)
        queued_at = told[head["conversation_id"]]["at"]
        waited[head["conversation_id"]] = int((clock.now() - queued_at).total_seconds() // 60)
    assert set(waited) == set(told)
    for conversation_id, minutes in waited.items():
        promise = told[conversation_id]
        assert promise["low_minutes"] <= minutes <= promise["high_minutes"], (promise, minutes)
