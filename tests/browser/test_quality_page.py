"""The supervisors' Quality page in Chromium, on a gateway holding a known history.

The history is `bankbot.quality_history.known_history` (the figures
tests/handoff/test_quality_metrics.py checks through the API): here a
supervisor reads them on the page, filters by language, exports the CSV, and
an agent is turned away.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine

from bankbot.quality_history import insert_history, known_history
from tests.browser import staff
from tests.browser.accessibility import Axe
from tests.browser.conftest import Browsing, GatewayProcess, Shoot

pytestmark = pytest.mark.browser


def _seed(gateway: GatewayProcess) -> None:
    engine = create_engine(gateway.database_url)
    try:
        insert_history(engine, known_history())
    finally:
        engine.dispose()


def _figure(page: Page, term: str) -> str:
    return page.locator("#figures div").filter(has_text=term).locator("dd").inner_text()


def test_a_supervisor_reads_filters_and_exports_the_figures(
    browsing: Callable[..., Browsing], own_gateway: GatewayProcess, shoot: Shoot, axe: Axe
) -> None:
    _seed(own_gateway)
    session = browsing()
    page = session.new_page()
    staff.log_in(page, own_gateway.url, "supervisor1")
    page.get_by_role("link", name="服务质量 Quality").click()
    expect(page).to_have_url(re.compile(r"/console/quality$"))
    expect(page.get_by_role("heading", name=re.compile("服务质量"))).to_be_visible()
    # The page first shows the last 30 days; the period is changed once that is drawn.
    expect(page.locator("#status")).to_contain_text("Updated", timeout=15_000)

    page.get_by_label("开始日期 From").fill("2026-11-01")
    page.get_by_label("结束日期（含） To (inclusive)").fill("2026-11-07")
    page.get_by_role("button", name="查看 Show").click()
    expect(page.locator("#status")).to_contain_text("2026-11-01 – 2026-11-07")
    assert _figure(page, "会话数 Conversations") == "8"
    assert _figure(page, "Containment") == "62.5% (5)"
    assert _figure(page, "FCR") == "57.1%"
    assert _figure(page, "AHT") == "5 分 min 0 秒 s"
    assert _figure(page, "Queue wait p90") == "15 分 min 0 秒 s"
    assert _figure(page, "Waits over 10 min") == "2"
    assert _figure(page, "CSAT agent") == "1.50 (2)"
    assert _figure(page, "Fallback") == "30.0%"
    assert _figure(page, "Disputed") == "并非不满 Not upset: 1"
    expect(page.locator("#alerts")).to_contain_text("opening_hours")
    expect(page.locator("#alerts")).to_contain_text("over 20%")
    expect(page.locator("#top-rows tr").first).to_contain_text("opening_hours")
    expect(page.locator("#reasons-rows")).to_contain_text("情绪 Upset customer")
    # The charts are drawn by the vendored Chart.js, served by the gateway itself.
    drawn = page.evaluate(
        "() => ['reasons-chart', 'top-chart', 'csat-chart']"
        ".map((id) => Boolean(window.Chart && window.Chart.getChart(id)))"
    )
    assert drawn == [True, True, True]
    shoot(page, "quality-01-figures")
    axe.check(page, "quality page with figures")

    href = page.get_by_role("link", name="导出 CSV Export CSV").get_attribute("href")
    assert href is not None and "since=2026-11-01" in href and "until=2026-11-08" in href
    csv = page.request.get(own_gateway.url + href)
    assert csv.status == 200 and "conversations,8" in csv.text()

    page.get_by_label("语言 Language").select_option("en")
    page.get_by_role("button", name="查看 Show").click()
    expect(page.locator("#status")).to_contain_text("英文 English")
    assert _figure(page, "会话数 Conversations") == "4"
    assert _figure(page, "FCR") == "75.0%"
    expect(page.locator("#top-rows tr").first).to_contain_text("card_fee")

    page.get_by_label("开始日期 From").fill("2026-11-09")
    page.get_by_role("button", name="查看 Show").click()
    expect(page.locator("#status")).to_contain_text("The start date must not be after the end date")
    session.assert_clean()


def test_an_agent_is_turned_away(
    browsing: Callable[..., Browsing], own_gateway: GatewayProcess, axe: Axe
) -> None:
    session = browsing()
    page = session.new_page()
    staff.log_in(page, own_gateway.url, "agent1")
    expect(page.get_by_role("link", name="服务质量 Quality")).to_have_count(0)
    response = page.goto(own_gateway.url + "/console/quality")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name=re.compile("无权访问"))).to_be_visible()
    axe.check(page, "quality page refused to an agent")
    session.assert_clean()
