"""Who may do what, and the training queue as the gateway sees it (no worker running)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy.exc import IntegrityError

from handoff.models import ContentJob, JobKind, JobStatus

pytestmark = pytest.mark.asyncio


async def test_editors_cannot_reach_customer_or_agent_data(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]]
) -> None:
    editor = staff["editor1"]
    for path in ("/api/agent/queue", "/api/agent/handoffs", "/api/agent/handoffs/1",
                 "/api/agent/callbacks", "/api/agent/staff"):  # fmt: skip
        response = await content_api.get(path, headers=editor)
        assert response.status_code == 403, (path, response.text)


async def test_agents_cannot_reach_content(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]]
) -> None:
    agent = staff["agent1"]
    for method, path in [
        ("GET", "/api/content/faqs"), ("GET", "/api/content/changes"),
        ("GET", "/api/content/audit"),
        ("GET", "/api/content/training"), ("POST", "/api/content/training"),
        ("GET", "/api/content/export.csv"), ("POST", "/api/content/try"),
        ("POST", "/api/content/changes/1/approve"), ("GET", "/content/static/content.js"),
    ]:  # fmt: skip
        response = await content_api.request(method, path, headers=agent, json={})
        assert response.status_code == 403, (method, path, response.text)
    anonymous = await content_api.get("/api/content/faqs")
    assert anonymous.status_code == 401


async def test_the_page_sends_strangers_to_log_in_and_refuses_agents(
    content_api: httpx.AsyncClient,
) -> None:
    assert (await content_api.get("/content")).headers["location"] == "/console/login"
    login = await content_api.post(
        "/console/login", data={"username": "agent1", "password": "agent1-demo-password"}
    )
    assert login.status_code == 303
    refused = await content_api.get("/content")
    assert refused.status_code == 403 and "No access" in refused.text
    await content_api.post(
        "/console/login", data={"username": "editor1", "password": "editor1-demo-password"}
    )
    page = await content_api.get("/content")
    assert page.status_code == 200 and 'data-role="editor"' in page.text
    assert "<script>" not in page.text and "style=" not in page.text  # CSP: files only
    script = await content_api.get("/content/static/content.js")
    assert script.status_code == 200 and "textContent" in script.text
    # The cookie alone does not allow a write: the console's CSRF header is required.
    forged = await content_api.post("/api/content/training", json={"auto_deploy": True})
    assert forged.status_code == 403 and forged.json()["error"]["code"] == "csrf"


async def test_one_training_at_a_time(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]]
) -> None:
    first = await content_api.post("/api/content/training", json={}, headers=staff["editor1"])
    assert first.status_code == 202 and first.json()["status"] == "queued"
    second = await content_api.post("/api/content/training", json={}, headers=staff["editor2"])
    assert second.status_code == 409 and second.json()["error"]["code"] == "job_running"
    # The database itself refuses a second queued training, whoever inserts it.
    async with content_api.app.state.context.sessions() as session:  # type: ignore[attr-defined]
        session.add(ContentJob(kind=JobKind.train, slot="train", status=JobStatus.queued,
                               requested_by_name="someone", details={}))  # fmt: skip
        with pytest.raises(IntegrityError):
            await session.commit()
    overview = (await content_api.get("/api/content/training", headers=staff["editor1"])).json()
    assert overview["worker"] == "not running"
    assert overview["jobs"][0]["message"].startswith("Waiting for the training worker")

    cancelled = await content_api.post(
        f"/api/content/jobs/{first.json()['id']}/cancel", headers=staff["editor2"]
    )
    assert cancelled.json()["status"] == "cancelled"
    again = await content_api.post("/api/content/training", json={}, headers=staff["editor2"])
    assert again.status_code == 202


async def test_supervisors_read_and_roll_back_but_do_not_train(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]]
) -> None:
    supervisor = staff["supervisor1"]
    overview = await content_api.get("/api/content/training", headers=supervisor)
    assert overview.status_code == 200
    assert overview.json()["can_train"] is False and overview.json()["can_rollback"] is True
    train = await content_api.post("/api/content/training", json={}, headers=supervisor)
    assert train.status_code == 403
    unknown = await content_api.post("/api/content/models/nope/rollback", headers=supervisor)
    assert unknown.status_code == 404


async def test_try_it_says_when_an_engine_does_not_answer(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]]
) -> None:
    tried = await content_api.post("/api/content/try", json={"text": "几点开门"},
                                   headers=staff["editor1"])  # fmt: skip
    assert tried.status_code == 200
    assert tried.json()["live"]["error"] == "this engine is not answering"
    assert tried.json()["candidate"] is None
    empty = await content_api.post("/api/content/try", json={"text": ""}, headers=staff["editor1"])
    assert empty.status_code == 422


@pytest.fixture
def forbidden_in_repository(repo: Path) -> Path:
    """A repository FAQ with a forbidden phrasing (seeded as is: the checks catch it)."""
    path = repo / "content" / "faqs" / "hotline.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace('answer:\n  zh: "', 'answer:\n  zh: "没办法，', 1), encoding="utf-8"
    )
    return path


async def test_training_is_refused_while_the_checks_fail(
    forbidden_in_repository: Path, content_api: httpx.AsyncClient,
    staff: dict[str, dict[str, str]],
) -> None:  # fmt: skip
    checks = (await content_api.get("/api/content/checks", headers=staff["editor1"])).json()
    assert checks["blocking"] >= 1
    assert any("没办法" in f["message"] and f["faq_id"] == "hotline" for f in checks["findings"])
    refused = await content_api.post("/api/content/training", json={}, headers=staff["editor1"])
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "checks_failed"
