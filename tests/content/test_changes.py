"""Four eyes through the API: drafts, approval by a second person, history, audit."""

from __future__ import annotations

import httpx
import pytest

from bankbot.bench_content import new_faq_payload as faq_payload

pytestmark = pytest.mark.asyncio


async def test_the_store_is_seeded_from_the_repository(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]]
) -> None:
    items = (await content_api.get("/api/content/faqs", headers=staff["editor1"])).json()["items"]
    ids = {item["id"] for item in items}
    assert {"opening_hours", "wealth_products"} <= ids
    detail = (
        await content_api.get("/api/content/faqs/opening_hours", headers=staff["editor1"])
    ).json()
    assert detail["version"] == 1
    assert detail["history"][0]["author"].startswith("repository")
    assert len(detail["content"]["examples"]["zh"]) >= 10


async def test_search_looks_through_examples_in_both_languages(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]]
) -> None:
    found = await content_api.get(
        "/api/content/faqs", params={"search": "WEALTH MGMT"}, headers=staff["editor2"]
    )
    assert [item["id"] for item in found.json()["items"]] == ["wealth_products"]


async def test_a_new_faq_needs_a_second_person(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]]
) -> None:
    created = await content_api.post(
        "/api/content/faqs", json=faq_payload(), headers=staff["editor1"]
    )
    assert created.status_code == 201, created.text
    change = created.json()
    assert change["status"] == "pending" and change["kind"] == "add"
    assert [f["kind"] for f in change["findings"]] == ["not_in_catalog"]
    assert not change["findings"][0]["blocking"]
    # Not live, not in the approved set yet.
    detail = await content_api.get("/api/content/faqs/card_activation", headers=staff["editor1"])
    assert detail.json()["version"] == 0 and detail.json()["pending_change"]["id"] == change["id"]

    own = await content_api.post(
        f"/api/content/changes/{change['id']}/approve", json={}, headers=staff["editor1"]
    )
    assert own.status_code == 403 and own.json()["error"]["code"] == "four_eyes"
    view = await content_api.get(f"/api/content/changes/{change['id']}", headers=staff["editor1"])
    assert view.json()["can_approve"] is False and view.json()["can_withdraw"] is True

    other = await content_api.get(f"/api/content/changes/{change['id']}", headers=staff["editor2"])
    assert other.json()["can_approve"] is True
    approved = await content_api.post(
        f"/api/content/changes/{change['id']}/approve",
        json={"note": "ok"},
        headers=staff["editor2"],
    )
    assert approved.status_code == 200, approved.text
    assert approved.json() == {"faq_id": "card_activation", "version": 1}

    history = (
        await content_api.get("/api/content/faqs/card_activation", headers=staff["editor1"])
    ).json()
    entry = history["history"][0]
    assert "editor1" in entry["author"] and "editor2" in entry["approver"]
    again = await content_api.post(
        f"/api/content/changes/{change['id']}/approve", json={}, headers=staff["editor2"]
    )
    assert again.status_code == 409


async def test_a_supervisor_may_approve_but_not_write(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]]
) -> None:
    denied = await content_api.post(
        "/api/content/faqs", json=faq_payload(), headers=staff["supervisor1"]
    )
    assert denied.status_code == 403
    change = (
        await content_api.post("/api/content/faqs", json=faq_payload(), headers=staff["editor1"])
    ).json()
    approved = await content_api.post(
        f"/api/content/changes/{change['id']}/approve", json={}, headers=staff["supervisor1"]
    )
    assert approved.status_code == 200


async def test_the_approval_page_shows_both_sides_of_an_edit(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]]
) -> None:
    current = (
        await content_api.get("/api/content/faqs/opening_hours", headers=staff["editor1"])
    ).json()
    content = current["content"]
    content["answer"]["en"] = content["answer"]["en"] + " Thank you for asking."
    content["examples"]["zh"] = content["examples"]["zh"][1:] + ["你们礼拜天营业不"]
    edit = await content_api.put(
        "/api/content/faqs/opening_hours", json=content, headers=staff["editor1"]
    )
    assert edit.status_code == 201, edit.text
    change = (
        await content_api.get(f"/api/content/changes/{edit.json()['id']}", headers=staff["editor2"])
    ).json()
    changed = {row["label"]: row for row in change["diff"] if row["changed"]}
    assert set(changed) == {"Answer (English)", "Training examples (Chinese)"}
    answer = changed["Answer (English)"]
    assert answer["after"] == answer["before"] + " Thank you for asking."
    examples = changed["Training examples (Chinese)"]
    assert examples["added"] == ["你们礼拜天营业不"] and len(examples["removed"]) == 1
    assert "answer (english) changed" in change["summary"]


async def test_one_pending_change_per_faq(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]]
) -> None:
    content = (await content_api.get("/api/content/faqs/hotline", headers=staff["editor1"])).json()[
        "content"
    ]
    content["answer"]["zh"] += "谢谢。"
    first = await content_api.put(
        "/api/content/faqs/hotline", json=content, headers=staff["editor1"]
    )
    assert first.status_code == 201
    # The author's second draft replaces the first...
    content["answer"]["zh"] += "祝您愉快。"
    second = await content_api.put(
        "/api/content/faqs/hotline", json=content, headers=staff["editor1"]
    )
    assert second.status_code == 201
    old = (
        await content_api.get(
            f"/api/content/changes/{first.json()['id']}", headers=staff["editor1"]
        )
    ).json()
    assert old["status"] == "withdrawn"
    # ...while someone else is told who holds the FAQ.
    clash = await content_api.put(
        "/api/content/faqs/hotline", json=content, headers=staff["editor2"]
    )
    assert clash.status_code == 409
    assert (
        clash.json()["error"]["code"] == "pending_change"
        and "editor1" in clash.json()["error"]["message"]
    )


async def test_a_change_with_problems_is_saved_but_cannot_be_approved(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]]
) -> None:
    payload = faq_payload(answer={"zh": "这个不可能办理。", "en": ""})
    payload["examples"]["en"] = payload["examples"]["en"][:4]
    payload["examples"]["zh"].append("网点几点开门？")  # an opening_hours example
    created = await content_api.post("/api/content/faqs", json=payload, headers=staff["editor1"])
    assert created.status_code == 201
    findings = [f["message"] for f in created.json()["findings"] if f["blocking"]]
    text = " ".join(findings)
    assert "English answer is missing" in text
    assert "only 4 English training examples; at least 10" in text
    assert "不可能" in text
    assert "opening_hours" in text and "card_activation" in text  # the clash names both
    refused = await content_api.post(
        f"/api/content/changes/{created.json()['id']}/approve", json={}, headers=staff["editor2"]
    )
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "checks_failed"


async def test_wealth_answers_need_the_risk_wording(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]]
) -> None:
    payload = faq_payload("fund_products", category="wealth")
    created = await content_api.post("/api/content/faqs", json=payload, headers=staff["editor1"])
    messages = [f["message"] for f in created.json()["findings"]]
    assert any("risk wording" in m and "English" in m for m in messages)
    assert any("risk wording" in m and "Chinese" in m for m in messages)


async def test_retire_and_reject_and_withdraw(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]]
) -> None:
    retire = await content_api.post(
        "/api/content/faqs/points_rewards/retire", headers=staff["editor1"]
    )
    assert retire.status_code == 201 and retire.json()["after"] is None
    no_reason = await content_api.post(
        f"/api/content/changes/{retire.json()['id']}/reject",
        json={"note": " "},
        headers=staff["editor2"],
    )
    assert no_reason.status_code == 422
    rejected = await content_api.post(
        f"/api/content/changes/{retire.json()['id']}/reject",
        json={"note": "still asked every day"},
        headers=staff["editor2"],
    )
    assert rejected.json()["status"] == "rejected"

    again = await content_api.post(
        "/api/content/faqs/points_rewards/retire", headers=staff["editor1"]
    )
    foreign = await content_api.post(
        f"/api/content/changes/{again.json()['id']}/withdraw", headers=staff["editor2"]
    )
    assert foreign.status_code == 403
    withdrawn = await content_api.post(
        f"/api/content/changes/{again.json()['id']}/withdraw", headers=staff["editor1"]
    )
    assert withdrawn.json()["status"] == "withdrawn"

    third = await content_api.post(
        "/api/content/faqs/points_rewards/retire", headers=staff["editor2"]
    )
    await content_api.post(
        f"/api/content/changes/{third.json()['id']}/approve", json={}, headers=staff["editor1"]
    )
    listed = (await content_api.get("/api/content/faqs", headers=staff["editor1"])).json()["items"]
    assert "points_rewards" not in {item["id"] for item in listed}
    with_retired = await content_api.get(
        "/api/content/faqs", params={"include_retired": "true"}, headers=staff["editor1"]
    )
    assert any(i["id"] == "points_rewards" and i["retired"] for i in with_retired.json()["items"])


async def test_bad_input_is_a_clear_4xx(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]]
) -> None:
    bad_id = await content_api.post(
        "/api/content/faqs", json=faq_payload("Card Activation!"), headers=staff["editor1"]
    )
    assert bad_id.status_code == 422 and "lower-case" in bad_id.json()["error"]["message"]
    bad_category = await content_api.post(
        "/api/content/faqs", json=faq_payload(category="crypto"), headers=staff["editor1"]
    )
    assert bad_category.status_code == 422 and "category" in bad_category.json()["error"]["message"]
    exists = await content_api.post(
        "/api/content/faqs", json=faq_payload("opening_hours"), headers=staff["editor1"]
    )
    assert exists.status_code == 409
    missing = await content_api.put(
        "/api/content/faqs/no_such_faq", json=faq_payload(), headers=staff["editor1"]
    )
    assert missing.status_code == 404
    same = (await content_api.get("/api/content/faqs/hotline", headers=staff["editor1"])).json()[
        "content"
    ]
    unchanged = await content_api.put(
        "/api/content/faqs/hotline", json=same, headers=staff["editor1"]
    )
    assert unchanged.status_code == 422 and unchanged.json()["error"]["code"] == "no_change"


async def test_every_step_is_in_the_audit_log(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]]
) -> None:
    change = (
        await content_api.post("/api/content/faqs", json=faq_payload(), headers=staff["editor1"])
    ).json()
    await content_api.post(
        f"/api/content/changes/{change['id']}/approve", json={}, headers=staff["editor2"]
    )
    log = (await content_api.get("/api/content/audit", headers=staff["supervisor1"])).json()[
        "items"
    ]
    actions = [(row["action"], row["subject"]) for row in log]
    assert ("propose_add", "card_activation") in actions
    assert ("approve", "card_activation") in actions
    assert ("seed", "all FAQs") in actions
    approve = next(row for row in log if row["action"] == "approve")
    assert "editor2" in approve["actor"] and "editor1" in approve["detail"]
