"""`GET /api/agent/metrics` on a synthetic history whose figures were worked out by hand.

The history is `bankbot.quality_history.known_history` (its comments say who
is who); the same test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine

from bankbot.quality_history import PERIOD, insert_history, known_history
from handoff.models import StaffRole
from tests.support.databases import (  # noqa: F401 - fixtures
    any_database_fixture,
    pg_database_fixture,
    sync_url,
)
from tests.support.desk import add_agents, gateway, login, real_time_fixture  # noqa: F401 - fixtures

SINCE, UNTIL = (moment.isoformat().replace("+00:00", "Z") for moment in PERIOD)


def _seed(database_url: str) -> None:
    engine = create_engine(sync_url(database_url))
    try:
        insert_history(engine, known_history())
    finally:
        engine.dispose()


async def _supervisor(api: httpx.AsyncClient) -> dict[str, str]:
    """Production mode (PostgreSQL) seeds no demo staff: a supervisor is added."""
    (name,) = await add_agents(api, 1, StaffRole.supervisor)
    return await login(api, name, "agent1-demo-password")


async def _figures(api: httpx.AsyncClient, **params: str) -> dict[str, Any]:
    headers = await _supervisor(api)
    response = await api.get(
        "/api/agent/metrics", params={"since": SINCE, "until": UNTIL, **params}, headers=headers
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_every_figure_of_the_known_history(any_database: str) -> None:
    async with gateway(any_database) as api:
        _seed(any_database)
        figures = await _figures(api)
    assert figures["conversations"] == 8
    assert figures["contained"] == 5
    assert figures["containment"] == 0.625
    assert figures["handoffs"] == {"emotion": 2, "low_confidence": 1}
    assert figures["handoff_rate"] == 0.375
    # 7 conversations with a known customer and a need; 3 came back within 7 days.
    assert figures["fcr_conversations"] == 7
    assert figures["fcr"] == pytest.approx(4 / 7, abs=1e-4)
    assert figures["aht_seconds_p50"] == 300.0
    assert figures["aht_seconds_p90"] == 600.0
    assert figures["first_reply_seconds_p50"] == 30.0
    assert figures["queue_wait_seconds_p50"] == 700.0
    assert figures["queue_wait_seconds_p90"] == 900.0
    assert figures["sla_breaches"] == 2
    assert figures["csat_bot"] == 3.0 and figures["csat_bot_count"] == 2
    assert figures["csat_agent"] == 1.5 and figures["csat_agent_count"] == 2
    assert figures["top_questions"] == [
        {"faq_key": "opening_hours", "count": 3, "share": 0.375},
        {"faq_key": "card_fee", "count": 2, "share": 0.25},
        {"faq_key": "transfer_fees", "count": 1, "share": 0.125},
    ]
    assert len(figures["alerts"]) == 2
    assert "opening_hours" in figures["alerts"][0] and "38%" in figures["alerts"][0]
    assert "card_fee" in figures["alerts"][1]
    assert figures["bot_turns"] == 10
    assert figures["fallback_rate"] == 0.3
    assert figures["out_of_scope_rate"] == 0.1
    assert figures["disputes"] == {"not_upset": 1}


async def test_the_language_filter(any_database: str) -> None:
    async with gateway(any_database) as api:
        _seed(any_database)
        figures = await _figures(api, language="en")
    assert figures["conversations"] == 4
    assert figures["containment"] == 0.5
    assert figures["handoffs"] == {"emotion": 2}
    assert figures["fcr"] == 0.75
    assert figures["queue_wait_seconds_p50"] == 120.0
    assert figures["queue_wait_seconds_p90"] == 900.0
    assert figures["sla_breaches"] == 1
    assert figures["csat_bot"] is None and figures["csat_agent"] == 1.5
    assert [q["faq_key"] for q in figures["top_questions"]] == ["card_fee", "transfer_fees"]
    assert figures["fallback_rate"] == 0.0


async def test_an_empty_period_has_no_ratios(any_database: str) -> None:
    async with gateway(any_database) as api:
        _seed(any_database)
        headers = await _supervisor(api)
        response = await api.get(
            "/api/agent/metrics",
            params={"since": "2020-01-01", "until": "2020-02-01"},
            headers=headers,
        )
    figures = response.json()
    assert response.status_code == 200
    assert figures["conversations"] == 0
    assert figures["containment"] is None and figures["fcr"] is None
    assert figures["aht_seconds_p50"] is None and figures["sla_breaches"] == 0
    assert figures["top_questions"] == [] and figures["alerts"] == []


async def test_the_csv_export_carries_the_same_figures(api: httpx.AsyncClient) -> None:
    _seed(str(api.app.state.context.settings.database_url))  # type: ignore[attr-defined]
    headers = await login(api, "supervisor1")
    response = await api.get(
        "/api/agent/metrics.csv", params={"since": SINCE, "until": UNTIL}, headers=headers
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.text.splitlines()
    assert lines[0] == "figure,value"
    assert "conversations,8" in lines and "handoffs.emotion,2" in lines
    assert "top_question.1,opening_hours" in lines and "top_question.1.count,3" in lines


@pytest.mark.parametrize("role", ["agent1", "editor1"])
async def test_only_supervisors_see_the_figures(api: httpx.AsyncClient, role: str) -> None:
    headers = await login(api, role)
    for path in ("/api/agent/metrics", "/api/agent/metrics.csv"):
        response = await api.get(path, headers=headers)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"
    assert (await api.get("/api/agent/metrics")).status_code == 401


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"since": "yesterday"}, "invalid_period"),
        ({"until": "2026-13-45"}, "invalid_period"),
        ({"since": "2026-12-02", "until": "2026-12-01"}, "invalid_period"),
        ({"since": "1900-01-01", "until": "2026-12-01"}, "invalid_period"),
        ({"language": "fr"}, None),
        ({"since": "x" * 100}, None),
    ],
)
async def test_a_bad_period_is_a_clear_4xx(
    api: httpx.AsyncClient, params: dict[str, str], code: str | None
) -> None:
    headers = await login(api, "supervisor1")
    response = await api.get("/api/agent/metrics", params=params, headers=headers)
    assert 400 <= response.status_code < 500
    if code:
        assert response.json()["error"]["code"] == code
    else:
        assert "error" in response.json()
