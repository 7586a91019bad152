"""The repository's files and the approved content never disagree silently."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from bankbot.bench_content import new_faq_payload
from faqs.files import load_faq, read_nlu_examples

pytestmark = pytest.mark.asyncio


async def differences(api: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, str]:
    items = (await api.get("/api/content/sync", headers=headers)).json()["items"]
    return {item["faq_id"]: item["status"] for item in items}


async def approve_new_faq(api: httpx.AsyncClient, staff: dict[str, dict[str, str]]) -> None:
    change = (
        await api.post("/api/content/faqs", json=new_faq_payload(), headers=staff["editor1"])
    ).json()
    await api.post(
        f"/api/content/changes/{change['id']}/approve", json={}, headers=staff["editor2"]
    )


async def test_a_fresh_store_agrees_with_the_repository(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]]
) -> None:
    assert await differences(content_api, staff["editor1"]) == {}


async def test_an_approved_change_is_shown_until_exported(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]], repo: Path
) -> None:
    await approve_new_faq(content_api, staff)
    assert await differences(content_api, staff["editor1"]) == {"card_activation": "database_newer"}
    written = await content_api.post(
        "/api/content/sync/export", json={"faq_ids": ["card_activation"]}, headers=staff["editor1"]
    )
    assert written.json() == {"written": ["card_activation"]}
    faq = load_faq(repo / "content" / "faqs" / "card_activation.yml")
    assert faq.answer["zh"] == new_faq_payload()["answer"]["zh"]
    # The Rasa files the developers train from are regenerated from the folder.
    nlu = read_nlu_examples(repo / "data" / "nlu" / "faq.yml")
    assert "新卡怎么激活" in nlu["faq/card_activation"]
    assert await differences(content_api, staff["editor1"]) == {}


async def test_a_repository_edit_is_shown_and_adopted_through_four_eyes(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]], repo: Path
) -> None:
    path = repo / "content" / "faqs" / "hotline.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("95-000", "95-000 (24h)", 1),
                    encoding="utf-8")  # fmt: skip
    assert await differences(content_api, staff["editor1"]) == {"hotline": "repository_newer"}
    adopted = await content_api.post("/api/content/sync/hotline/adopt", headers=staff["editor1"])
    assert adopted.status_code == 201 and adopted.json()["status"] == "pending"
    # Still different until someone else approves it.
    assert await differences(content_api, staff["editor1"]) == {"hotline": "repository_newer"}
    await content_api.post(
        f"/api/content/changes/{adopted.json()['id']}/approve", json={}, headers=staff["editor2"]
    )
    assert await differences(content_api, staff["editor1"]) == {}
    detail = (await content_api.get("/api/content/faqs/hotline", headers=staff["editor1"])).json()
    assert detail["version"] == 2 and detail["history"][0]["source"] == "repository"


async def test_changes_on_both_sides_and_deleted_files(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]], repo: Path
) -> None:
    content = (await content_api.get("/api/content/faqs/hotline", headers=staff["editor1"])).json()
    edited = content["content"]
    edited["answer"]["en"] += " Thank you."
    change = (await content_api.put("/api/content/faqs/hotline", json=edited,
                                     headers=staff["editor1"])).json()  # fmt: skip
    await content_api.post(f"/api/content/changes/{change['id']}/approve", json={},
                           headers=staff["editor2"])  # fmt: skip
    path = repo / "content" / "faqs" / "hotline.yml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("95-000", "95-001", 1), encoding="utf-8"
    )
    (repo / "content" / "faqs" / "points_rewards.yml").unlink()
    found = await differences(content_api, staff["editor1"])
    assert found == {"hotline": "both_changed", "points_rewards": "repository_newer"}
    retire = await content_api.post(
        "/api/content/sync/points_rewards/adopt", headers=staff["editor1"]
    )
    assert retire.json()["kind"] == "retire"
    # Export all: the database wins in the files; a retired FAQ's file is removed.
    await content_api.post(f"/api/content/changes/{retire.json()['id']}/approve", json={},
                           headers=staff["editor2"])  # fmt: skip
    await content_api.post(
        "/api/content/sync/export", json={"faq_ids": None}, headers=staff["editor1"]
    )
    assert "95-001" not in path.read_text(encoding="utf-8")
    assert not (repo / "content" / "faqs" / "points_rewards.yml").exists()
    assert await differences(content_api, staff["editor1"]) == {}


async def test_supervisors_see_differences_but_cannot_write_files(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]]
) -> None:
    assert (
        await content_api.get("/api/content/sync", headers=staff["supervisor1"])
    ).status_code == 200
    denied = await content_api.post(
        "/api/content/sync/export", json={"faq_ids": None}, headers=staff["supervisor1"]
    )
    assert denied.status_code == 403
