"""Edit to live for real: engine, action server, gateway and the training worker.

One stack for the module (the repository's model, cached by content hash, is
the first live model). Customers keep talking while models are swapped; not
one of their messages may fail or get the system-failure apology.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bankbot.bench_content import (
    QUESTION,
    Chatter,
    ContentClient,
    ask,
    new_faq_payload,
    start_content_stack,
)
from bankbot.local_stack import RunningStack
from common.paths import ROOT

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def content_stack(
    trained_model: Path,
    core_bank: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RunningStack]:
    running = start_content_stack(
        trained_model, tmp_path_factory.mktemp("content-stack"), core_database_url=core_bank
    )
    yield running
    running.stop()


@pytest.fixture(scope="module")
def editors(content_stack: RunningStack) -> tuple[ContentClient, ContentClient]:
    return (
        ContentClient(content_stack.gateway_url, "editor1"),
        ContentClient(content_stack.gateway_url, "editor2"),
    )


def approve_edit(editors: tuple[ContentClient, ContentClient], marker: str) -> None:
    editor1, editor2 = editors
    content = editor1.faq("opening_hours")
    content["answer"]["en"] += f" (Checked {marker}.)"
    content["answer"]["zh"] += f"（{marker}）"
    change = editor1.call("PUT", "/faqs/opening_hours", json=content)
    editor2.call("POST", f"/changes/{change['id']}/approve", json={})


def test_the_stack_model_is_live_at_first(
    content_stack: RunningStack, editors: tuple[ContentClient, ContentClient]
) -> None:
    overview = editors[0].call("GET", "/training")
    assert overview["worker"] == "running"
    assert overview["live"]["from_repository"] is True
    assert overview["live_engine"] == content_stack.config.engine_url
    tried = editors[0].call("POST", "/try", json={"text": "你们几点开门"})
    assert tried["live"]["faq"]["faq_id"] == "opening_hours"
    assert tried["live"]["faq"]["confidence"] > 0.5
    assert tried["candidate"] is None


def test_an_edit_goes_live_with_no_failed_message_and_rolls_back(
    content_stack: RunningStack, editors: tuple[ContentClient, ContentClient]
) -> None:
    editor1, editor2 = editors
    base = content_stack.gateway_url
    before = editor1.call("GET", "/training")["live"]["id"]
    marker = f"M{secrets.token_hex(3)}"
    approve_edit(editors, marker)
    with Chatter(base).running() as chatter:
        job = editor1.call("POST", "/training", json={"auto_deploy": True})
        busy = httpx.post(
            f"{base}/api/content/training", json={"auto_deploy": True},
            headers=editor2.http.headers,
        )  # fmt: skip
        assert busy.status_code == 409  # one training at a time
        final = editor1.wait_job(job["id"])
        assert final["status"] == "succeeded", final
        assert marker in ask(base, QUESTION["en"], "en")
        assert marker in ask(base, QUESTION["zh"], "zh")

        gate = final["details"]["gate"]
        assert gate["passed"] and gate["candidate"]["all"] >= 0.92
        assert final["details"]["heldout"] > 0  # part of the edited FAQ was held out

        overview = editor1.call("GET", "/training")
        assert overview["live"]["id"] == final["model_id"]
        assert overview["not_live"] == []
        assert before in [m["id"] for m in overview["rollback"]]
        back = editor2.call("POST", f"/models/{before}/rollback")
        assert editor2.wait_job(back["id"])["status"] == "succeeded"
        assert marker not in ask(base, QUESTION["en"], "en")
    assert chatter.sent > 20
    assert chatter.failures == []
    audit = [row["action"] for row in editor1.call("GET", "/audit")["items"]]
    for action in ("approve", "train_requested", "trained", "deploy", "rollback"):
        assert action in audit, audit


def test_a_candidate_can_be_tried_before_it_goes_live(
    content_stack: RunningStack, editors: tuple[ContentClient, ContentClient]
) -> None:
    editor1, editor2 = editors
    payload = new_faq_payload(f"card_activation_{secrets.token_hex(2)}")
    change = editor1.call("POST", "/faqs", json=payload)
    editor2.call("POST", f"/changes/{change['id']}/approve", json={})
    job = editor1.call("POST", "/training", json={"auto_deploy": False})
    final = editor1.wait_job(job["id"])
    assert final["status"] == "succeeded" and "ready to deploy" in final["message"]
    tried = editor1.call("POST", "/try", json={"text": "新卡片如何激活"})
    assert tried["candidate"]["faq"]["faq_id"] == payload["id"]
    assert (tried["live"].get("faq") or {}).get("faq_id") != payload["id"]
    deploy = editor1.call("POST", f"/models/{final['model_id']}/deploy")
    assert editor1.wait_job(deploy["id"])["status"] == "succeeded"
    live = editor1.call("POST", "/try", json={"text": "新卡片如何激活"})["live"]
    assert live["faq"]["faq_id"] == payload["id"]


@pytest.fixture
def broken_stack(
    trained_model: Path,
    core_bank: str,
    tmp_path: Path,
) -> Iterator[RunningStack]:
    """A stack whose worker trains with a pipeline Rasa cannot load (a training crash)."""
    repo = tmp_path / "repo"
    for rel in ("bot", "content", "data", "domain", "tests/nlu", "requirements", "credentials.yml"):
        source = ROOT / rel
        if source.is_dir():
            shutil.copytree(source, repo / rel, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (repo / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / rel)
    config = (ROOT / "config.yml").read_text(encoding="utf-8")
    (repo / "config.yml").write_text(
        config.replace("pipeline:\n", "pipeline:\n  - name: bot.no_such_module.Missing\n", 1),
        encoding="utf-8",
    )
    running = start_content_stack(
        trained_model, tmp_path / "stack", core_database_url=core_bank,
        extra_env={"CONTENT_REPO_ROOT": str(repo)},
    )  # fmt: skip
    yield running
    running.stop()


def test_a_crashed_training_leaves_the_live_model_untouched(broken_stack: RunningStack) -> None:
    editor1 = ContentClient(broken_stack.gateway_url, "editor1")
    editor2 = ContentClient(broken_stack.gateway_url, "editor2")
    marker = f"X{secrets.token_hex(3)}"
    approve_edit((editor1, editor2), marker)
    live_before = editor1.call("GET", "/training")["live"]["id"]
    job = editor1.call("POST", "/training", json={"auto_deploy": True})
    final = editor1.wait_job(job["id"])
    assert final["status"] == "failed"
    assert "live model is unchanged" in final["message"]
    assert final["log_tail"]
    overview = editor1.call("GET", "/training")
    assert overview["live"]["id"] == live_before
    assert overview["not_live"] == ["opening_hours"]
    answer = ask(broken_stack.gateway_url, QUESTION["en"], "en")
    assert "09:00" in answer and marker not in answer
