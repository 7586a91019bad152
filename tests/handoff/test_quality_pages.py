"""The Quality page: supervisors only, its chart library served from the gateway itself."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from handoff.api.deps import STAFF_COOKIE
from handoff.services import staff
from tests.support.desk import real_time_fixture  # noqa: F401 - fixtures

CHART_SHA256 = "87364cc2b2a76a6684929e7d6b80b18a897794db38400caff1fcf1791c6925d2"


async def _cookie(api: httpx.AsyncClient, username: str) -> dict[str, str]:
    response = await api.post(
        "/api/agent/login",
        json={"username": username, "password": staff.demo_password(username)},
    )
    return {STAFF_COOKIE: response.json()["token"]}


async def test_a_supervisor_gets_the_page_with_local_scripts(api: httpx.AsyncClient) -> None:
    api.cookies.update(await _cookie(api, "supervisor1"))
    page = await api.get("/console/quality")
    assert page.status_code == 200
    assert "服务质量" in page.text and "Service quality" in page.text
    assert 'src="/console/quality/static/chart.umd.min.js"' in page.text
    assert "https://" not in page.text  # nothing from a CDN
    for label in ("开始日期 From", "语言 Language", "导出 CSV Export CSV"):
        assert label in page.text
    chart = await api.get("/console/quality/static/chart.umd.min.js")
    assert chart.status_code == 200
    assert hashlib.sha256(chart.content).hexdigest() == CHART_SHA256
    console = await api.get("/console")
    assert 'href="/console/quality"' in console.text


@pytest.mark.parametrize("username", ["agent1", "editor1"])
async def test_other_staff_get_a_403_page(api: httpx.AsyncClient, username: str) -> None:
    api.cookies.update(await _cookie(api, username))
    page = await api.get("/console/quality")
    assert page.status_code == 403
    assert "仅供主管" in page.text and "supervisors only" in page.text
    if username == "agent1":
        console = await api.get("/console")
        assert 'href="/console/quality"' not in console.text


async def test_nobody_logged_in_is_sent_to_the_login(api: httpx.AsyncClient) -> None:
    page = await api.get("/console/quality", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/console/login"


@pytest.mark.parametrize("name", ["../quality.html", "console.js", "chart.js", ""])
async def test_only_the_listed_files_are_served(api: httpx.AsyncClient, name: str) -> None:
    response = await api.get(f"/console/quality/static/{name}")
    assert response.status_code == 404
