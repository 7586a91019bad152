"""Benchmark: how long from a content editor's change to customers getting the new answer.

`python -m bankbot.bench_content` starts its own stack on free ports (engine,
action server, gateway and the training worker, throw-away databases, models
in a temporary folder), then, through the public API as the content page does:

1. editor1 edits a FAQ's answer (a unique marker sentence) and adds an example;
2. editor2 approves it;
3. editor1 presses "Train" (deploy when it passes the gate);
4. a customer keeps asking the question until the answer carries the marker.

It prints the edit-to-live time and where it went (training, candidate engine
start, evaluation, switch), the gate's figures, and how many customer messages
sent during the swap failed (it must be none). `--new-faq` also times a new
FAQ (a new label). `--gateway URL` measures a running installation instead.
"""

from __future__ import annotations

import argparse
import secrets
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bankbot.local_stack import LOOPBACK_LOAD_LIMITS, RunningStack, start_stack
from bankbot.stack import worker_service
from common.paths import LOG_DIR, ROOT
from handoff.migrate import upgrade
from handoff.services.phrases import phrase
from pipeline.checkout import ensure_model
from pipeline.processes import free_port, wait_ready

QUESTION = {"zh": "你们几点开门", "en": "what are your opening hours"}


# --------------------------------------------------------------------------- the stack


def start_content_stack(
    model: Path, workdir: Path, *, core_database_url: str, extra_env: dict[str, str] | None = None
) -> RunningStack:
    """`start_stack` plus the training worker, models and builds under `workdir`."""
    env = {
        "CONTENT_MODELS_DIR": str(workdir / "models"),
        "CONTENT_WORK_DIR": str(workdir / "content"),
        **LOOPBACK_LOAD_LIMITS,
        **(extra_env or {}),
    }
    upgrade(f"sqlite:///{workdir}/gateway.db")
    running = start_stack(model, workdir, core_database_url=core_database_url, extra_env=env)
    worker = worker_service(running.config, free_port())
    try:
        worker.start()
        wait_ready([worker], timeout_s=300, say=lambda _: None)
    except Exception:
        worker.stop()
        running.stop()
        raise
    running.services[worker.name] = worker
    return running


# --------------------------------------------------------------------------- the page's API


class ContentClient:
    """The content page's calls, for one staff member."""

    def __init__(self, base_url: str, username: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=60)
        response = self.http.post(
            "/api/agent/login",
            json={"username": username, "password": f"{username}-demo-password"},
        )
        response.raise_for_status()
        self.http.headers["Authorization"] = f"Bearer {response.json()['token']}"

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """One API call; any non-2xx raises with the gateway's error message."""
        response = self.http.request(method, f"/api/content{path}", **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")
        return response.json()

    def faq(self, faq_id: str) -> dict[str, Any]:
        """The approved content of one FAQ."""
        return self.call("GET", f"/faqs/{faq_id}")["content"]

    def wait_job(self, job_id: int, timeout_s: float = 900) -> dict[str, Any]:
        """Poll a job until it ends; returns its final view."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            job = self.call("GET", f"/jobs/{job_id}")
            if job["status"] not in ("queued", "running"):
                return job
            time.sleep(0.5)
        raise TimeoutError(f"job {job_id} did not end within {timeout_s:.0f} s")


# --------------------------------------------------------------------------- customers


@dataclass
class Chatter:
    """Customers sending messages in the background; every reply is checked."""

    base_url: str
    sent: int = 0
    failures: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        """Ask the opening-hours question again and again, alternating languages."""
        apology = {phrase("system_failure", lang, hotline="95-000")[:12] for lang in ("zh", "en")}
        with httpx.Client(base_url=self.base_url, timeout=30) as http:
            while not self._stop.is_set():
                lang = "zh" if self.sent % 2 == 0 else "en"
                try:
                    conv = http.post(
                        "/api/conversations", json={"channel": "web", "language": lang}
                    )
                    body = conv.json()
                    reply = http.post(
                        f"/api/conversations/{body['conversation_id']}/messages",
                        json={"text": QUESTION[lang], "client_message_id": uuid.uuid4().hex},
                        headers={"Authorization": f"Bearer {body['token']}"},
                    )
                    self.sent += 1
                    text = " ".join(r["text"] for r in reply.json().get("replies", []))
                    if reply.status_code != 200:
                        self.failures.append(f"HTTP {reply.status_code}: {reply.text[:200]}")
                    elif not text or any(a in text for a in apology):
                        self.failures.append(f"error reply: {text[:200]}")
                except (httpx.HTTPError, ValueError, KeyError) as exc:
                    self.failures.append(f"{type(exc).__name__}: {exc}")
                time.sleep(0.05)

    @contextmanager
    def running(self) -> Iterator[Chatter]:
        """Run in a background thread for the duration of the block."""
        thread = threading.Thread(target=self.run, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join(timeout=60)


def ask(base_url: str, text: str, language: str) -> str:
    """A new customer's answer to one question (all reply texts joined)."""
    with httpx.Client(base_url=base_url, timeout=30) as http:
        body = http.post("/api/conversations", json={"channel": "web", "language": language}).json()
        reply = http.post(
            f"/api/conversations/{body['conversation_id']}/messages",
            json={"text": text, "client_message_id": uuid.uuid4().hex},
            headers={"Authorization": f"Bearer {body['token']}"},
        ).json()
    return "\n".join(r["text"] for r in reply["replies"])


# --------------------------------------------------------------------------- scenarios


def new_faq_payload(faq_id: str = "card_activation", **changes: Any) -> dict[str, Any]:
    """A new FAQ that passes every check (both languages, 12 examples each)."""
    body: dict[str, Any] = {
        "id": faq_id,
        "category": "cards",
        "question": {"zh": "新卡怎么激活？", "en": "How do I activate my new card?"},
        "answer": {
            "zh": "您好，新卡可以在手机银行“卡片管理”中激活，"
            "也可以到任一网点柜台激活，需要本人身份证。",
            "en": "Hello! You can activate a new card in the mobile app under Card management, "
            "or at any branch counter with your ID card.",
        },
        "examples": {
            "zh": [
                "新卡怎么激活",
                "银行卡激活流程",
                "收到新卡要激活吗",
                "怎样开通新办的卡",
                "卡片激活在哪里操作",
                "新借记卡怎么启用",
                "手机上能激活新卡吗",
                "激活银行卡需要带什么",
                "新卡不激活能用吗",
                "补办的卡怎么激活",
                "柜台可以激活卡片吗",
                "新卡激活要多久",
            ],
            "en": [
                "how do i activate my new card",
                "card activation steps",
                "activate debit card",
                "do i need to activate a new card",
                "where can i activate my card",
                "activate card in the app",
                "how to switch on my new card",
                "can i use a card before activation",
                "activating a replacement card",
                "card activation at a branch",
                "what do i need to activate my card",
                "how long does card activation take",
            ],
        },
        "test": {"zh": ["新卡片如何激活"], "en": ["how can i activate the card i just got"]},
    }
    body.update(changes)
    return body


def edit_to_live(base_url: str) -> dict[str, Any]:
    """Edit an answer, approve, train; seconds until a customer gets the new answer."""
    editor1, editor2 = ContentClient(base_url, "editor1"), ContentClient(base_url, "editor2")
    marker = f"B{secrets.token_hex(3)}"
    content = editor1.faq("opening_hours")
    content["answer"]["en"] += f" (Checked {marker}.)"
    content["answer"]["zh"] += f"（{marker}）"
    content["examples"]["zh"].append(f"请问网点几点开门{marker[-2:]}")
    started = time.monotonic()
    change = editor1.call("PUT", "/faqs/opening_hours", json=content)
    editor2.call("POST", f"/changes/{change['id']}/approve", json={"note": "benchmark"})
    approved = time.monotonic()
    with Chatter(base_url).running() as chatter:
        job = editor1.call("POST", "/training", json={"auto_deploy": True})
        final = editor1.wait_job(job["id"])
        if final["status"] != "succeeded":
            raise RuntimeError(f"the training job ended {final['status']}: {final['message']}")
        while marker not in ask(base_url, QUESTION["en"], "en"):
            if time.monotonic() - started > 900:
                raise TimeoutError("the new answer never reached customers")
            time.sleep(0.2)
        live = time.monotonic()
        time.sleep(3)  # keep talking through the old engine's drain
    details = final["details"]
    return {
        "edit_to_live_s": round(live - started, 1),
        "approve_to_live_s": round(live - approved, 1),
        "job_s": _job_seconds(final),
        "training_s": details.get("training_s"),
        "mode": details.get("mode"),
        "gate": {k: details["gate"][k] for k in ("candidate", "live", "cases", "passed")},
        "messages_during_swap": chatter.sent,
        "failed_messages": chatter.failures,
        "job": final["id"],
    }


def new_faq_to_live(base_url: str) -> dict[str, Any]:
    """Add a new FAQ (a new label), approve, train; seconds until the live model picks it."""
    editor1, editor2 = ContentClient(base_url, "editor1"), ContentClient(base_url, "editor2")
    faq_id = f"bench_{secrets.token_hex(3)}"
    payload = new_faq_payload(faq_id)
    started = time.monotonic()
    change = editor1.call("POST", "/faqs", json=payload)
    editor2.call("POST", f"/changes/{change['id']}/approve", json={})
    job = editor1.call("POST", "/training", json={"auto_deploy": True})
    final = editor1.wait_job(job["id"])
    if final["status"] != "succeeded":
        raise RuntimeError(f"the training job ended {final['status']}: {final['message']}")
    picked = editor1.call("POST", "/try", json={"text": payload["test"]["zh"][0]})
    elapsed = round(time.monotonic() - started, 1)
    return {
        "new_faq_to_live_s": elapsed,
        "job_s": _job_seconds(final),
        "picked": (picked["live"].get("faq") or {}).get("faq_id"),
        "expected": faq_id,
    }


def _job_seconds(job: dict[str, Any]) -> float | None:
    from datetime import datetime

    if not (job.get("started_at") and job.get("finished_at")):
        return None
    started = datetime.fromisoformat(job["created_at"])
    finished = datetime.fromisoformat(job["finished_at"])
    return round((finished - started).total_seconds(), 1)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit 1 if a customer message failed during a swap."""
    parser = argparse.ArgumentParser(prog="python -m bankbot.bench_content", description=__doc__)
    parser.add_argument("--gateway", help="measure a running installation (its worker must run)")
    parser.add_argument("--new-faq", action="store_true", help="also time a new FAQ")
    args = parser.parse_args(argv)
    running: RunningStack | None = None
    tmp = tempfile.TemporaryDirectory(prefix="bankbot-bench-content-")
    try:
        base = args.gateway
        if base is None:
            from corebank.db import create_schema, make_engine
            from corebank.demo.seed import seed

            workdir = Path(tmp.name)
            model = ensure_model(ROOT / LOG_DIR / "train.log")
            core = f"sqlite:///{workdir}/corebank.db"
            engine = make_engine(core)
            create_schema(engine)
            seed(engine, customers=200)
            engine.dispose()
            print("starting engine, action server, gateway and training worker…", flush=True)
            running = start_content_stack(model, workdir, core_database_url=core)
            base = running.gateway_url
        result = edit_to_live(base)
        print(
            f"edit to live: {result['edit_to_live_s']} s "
            f"(approve to live {result['approve_to_live_s']} s; job {result['job_s']} s, "
            f"of which training {result['training_s']} s, mode {result['mode']})"
        )
        gate = result["gate"]
        live = gate["live"]["all"] if gate.get("live") else None
        print(
            f"gate: candidate {gate['candidate']['all']:.1%}"
            + (f", live {live:.1%}" if live is not None else "")
            + f" on {gate['cases']} held-out phrasings; passed={gate['passed']}"
        )
        print(
            f"customer messages during the swap: {result['messages_during_swap']}, "
            f"failed: {len(result['failed_messages'])}"
        )
        for failure in result["failed_messages"][:10]:
            print(f"  {failure}")
        if args.new_faq:
            new = new_faq_to_live(base)
            print(
                f"new FAQ to live: {new['new_faq_to_live_s']} s (job {new['job_s']} s); "
                f"the live model picks {new['picked']} (expected {new['expected']})"
            )
        return 1 if result["failed_messages"] else 0
    finally:
        if running is not None:
            running.stop()
        tmp.cleanup()


if __name__ == "__main__":
    raise SystemExit(main())
