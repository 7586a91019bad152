"""Whole conversations and follow-ups, judged on the real stack.

``python -m bankbot.dialogue_eval [--set dev|test|<folder>]`` plays the blind
sets of ``tests/judgement/sets/<set>/`` through the gateway's public API, as
the widget does, with the real engine and action server behind it:

* ``conversations.yml``: each conversation is said turn by turn; it "went to a
  person" when any turn handed over (then the rest is not said: the customer
  is queued). Printed: per language, how many of those that should reach a
  person did and how many that should stay with the bot did, per kind
  (rising frustration, misunderstood twice, ...) and the misses;
* ``followups.yml``: a first question, then a short follow-up ("那境外呢",
  "what now?"). Right when the follow-up is answered with the FAQ expected in
  the context of the first (the engine's ``last_faq`` after that turn), or,
  after a fraud victim's first message (``victim``), when the conversation
  is queued urgently with ``fraud_risk``. Printed per language, with the
  first questions answered right and the misses.

It starts its own stack on free ports with throw-away databases (the current
model, trained if its inputs changed), or uses a running one
(``--gateway``, ``--engine``, ``--token``). The development set is for tuning;
the test set (``--set test``) is for the figures.
"""

from __future__ import annotations

import argparse
import tempfile
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

from bankbot.local_stack import start_stack
from common.paths import LOG_DIR, ROOT
from corebank.db import create_schema, make_engine
from corebank.demo.seed import seed
from handoff.migrate import upgrade
from pipeline.checkout import ensure_model

SETS = ROOT / "tests" / "judgement" / "sets"
LANGUAGES = ("zh", "en")
VICTIM = "victim"


@dataclass(frozen=True)
class Stack:
    """Where to talk to: the gateway (customers) and the engine (its trackers)."""

    gateway: str
    engine: str
    token: str


@dataclass
class Tally:
    """Right / total per language and per kind, and what went wrong."""

    right: Counter[tuple[str, str]] = field(default_factory=Counter)
    total: Counter[tuple[str, str]] = field(default_factory=Counter)
    misses: list[str] = field(default_factory=list)

    def add(self, language: str, kind: str, ok: bool, miss: str) -> None:
        """Count one item; remember it when it went wrong."""
        self.total[(language, kind)] += 1
        self.right[(language, kind)] += ok
        if not ok:
            self.misses.append(miss)

    def share(self, language: str, kinds: set[str] | None = None) -> tuple[int, int]:
        """(right, total) for one language, over ``kinds`` (all when None)."""
        keys = [k for k in self.total if k[0] == language and (kinds is None or k[1] in kinds)]
        return sum(self.right[k] for k in keys), sum(self.total[k] for k in keys)


def percent(right: int, total: int) -> str:
    """``right/total = x.x%`` (``-`` when there is nothing to count)."""
    return f"{right}/{total} = {100 * right / total:.1f}%" if total else "-"


# --------------------------------------------------------------------------- talking


class Conversation:
    """One customer on the gateway's public API."""

    def __init__(self, client: httpx.Client, language: str) -> None:
        response = client.post("/api/conversations", json={"channel": "web", "language": language})
        response.raise_for_status()
        body = response.json()
        self.client, self.id = client, str(body["conversation_id"])
        self.headers = {"Authorization": f"Bearer {body['token']}"}

    def say(self, text: str) -> dict[str, Any]:
        """One message; the turn as the widget receives it."""
        response = self.client.post(
            f"/api/conversations/{self.id}/messages",
            json={"text": text, "client_message_id": uuid.uuid4().hex},
            headers=self.headers,
        )
        response.raise_for_status()
        return dict(response.json())

    def leave(self) -> None:
        """Leave the queue, so the shared queue keeps nothing of the evaluation."""
        self.say("/leave_queue")


def tracker_of(stack: Stack, conversation_id: str) -> dict[str, Any]:
    """The engine's tracker of one conversation (its slots and events)."""
    response = httpx.get(
        f"{stack.engine}/conversations/{conversation_id}/tracker",
        params={"token": stack.token},
        timeout=30,
    )
    response.raise_for_status()
    return dict(response.json())


def last_faq_of_latest_turn(stack: Stack, conversation_id: str) -> str | None:
    """The FAQ the bot answered to the customer's latest message (engine tracker)."""
    return answered_in_latest_turn(tracker_of(stack, conversation_id))


def answered_in_latest_turn(tracker: dict[str, Any]) -> str | None:
    """The FAQ a tracker shows answered to the customer's latest message."""
    answered = None
    for event in tracker["events"]:
        if event.get("event") == "user":
            answered = None
        elif event.get("event") == "slot" and event.get("name") == "last_faq":
            answered = event.get("value")
    return str(answered) if answered else None


def replies(turn: dict[str, Any]) -> str:
    """What the customer read, on one line."""
    return " / ".join(r["text"] for r in turn["replies"]).replace("\n", " ")[:160]


# --------------------------------------------------------------------------- the two sets


def run_conversations(stack: Stack, items: list[dict[str, Any]]) -> Tally:
    """Say each conversation turn by turn and note whether it reached a person."""
    tally = Tally()
    with httpx.Client(base_url=stack.gateway, timeout=60) as client:
        for item in items:
            conversation = Conversation(client, item["language"])
            handed: tuple[int, dict[str, Any]] | None = None
            last: dict[str, Any] = {"replies": []}
            for number, text in enumerate(item["turns"], start=1):
                last = conversation.say(text)
                if last.get("handoff"):
                    handed = (number, last["handoff"])
                    conversation.leave()
                    break
            got = "person" if handed else "bot"
            how = (
                f"turn {handed[0]}: {handed[1]['reason']}/{handed[1]['priority']}" if handed else ""
            )
            miss = (
                f"  {item['id']} ({item['why']}): expected {item['expect']}, got {got} {how}"
                f" | last reply: {replies(last)}"
            )
            tally.add(item["language"], item["why"], got == item["expect"], miss)
            tally.add(item["language"], "expect:" + item["expect"], got == item["expect"], "")
    tally.misses = [m for m in tally.misses if m]
    return tally


def run_followups(stack: Stack, items: list[dict[str, Any]]) -> tuple[Tally, Tally]:
    """Each first question and its follow-up: (first answered right, follow-up right)."""
    firsts, follows = Tally(), Tally()
    with httpx.Client(base_url=stack.gateway, timeout=60) as client:
        for item in items:
            language = item["language"]
            conversation = Conversation(client, language)
            first = conversation.say(item["first"])
            if item["first_faq"] == VICTIM:
                got_first = (first.get("handoff") or {}).get("reason") or "bot"
                ok_first = got_first == "fraud_risk"
            else:
                got_first = last_faq_of_latest_turn(stack, conversation.id) or "no answer"
                ok_first = got_first == item["first_faq"]
            firsts.add(language, "first", ok_first, f"  {item['id']} first: {got_first}")
            turn = conversation.say(item["followup"])
            if item["followup_faq"] == VICTIM:
                handoff = turn.get("handoff") or first.get("handoff") or {}
                got = f"{handoff.get('reason')}/{handoff.get('priority')}" if handoff else "bot"
                ok = got == "fraud_risk/urgent" and turn["state"] == "queued"
            else:
                got = last_faq_of_latest_turn(stack, conversation.id) or (
                    f"handoff {turn['handoff']['reason']}" if turn.get("handoff") else "no answer"
                )
                ok = got == item["followup_faq"]
            follows.add(
                language,
                "followup",
                ok,
                f"  {item['id']} {item['followup']!r} after {item['first_faq']}: expected"
                f" {item['followup_faq']}, got {got} | {replies(turn)}",
            )
            if turn["state"] == "queued" or first["state"] == "queued":
                conversation.leave()
    return firsts, follows


# --------------------------------------------------------------------------- report


def report_conversations(tally: Tally) -> None:
    """Per language: all, person, bot; per kind; the misses."""
    for language in LANGUAGES:
        person = tally.share(language, {"expect:person"})
        bot = tally.share(language, {"expect:bot"})
        whole = (person[0] + bot[0], person[1] + bot[1])
        print(
            f"{language}: right {percent(*whole)}; to a person {percent(*person)};"
            f" kept by the bot {percent(*bot)}"
        )
        kinds = sorted({k for (lang, k) in tally.total if lang == language and ":" not in k})
        for kind in kinds:
            print(f"    {kind:<22} {percent(*tally.share(language, {kind}))}")
    for miss in tally.misses:
        print(miss)


def report_followups(firsts: Tally, follows: Tally) -> None:
    """Per language: follow-ups right, first questions right; the misses."""
    for language in LANGUAGES:
        print(
            f"{language}: follow-ups right {percent(*follows.share(language))}"
            f" (first questions right {percent(*firsts.share(language))})"
        )
    for miss in follows.misses + firsts.misses:
        print(miss)


def load(folder: Path, name: str, key: str) -> list[dict[str, Any]]:
    """The items of one set file (none when the set has no such file)."""
    path = folder / name
    if not path.exists():
        return []
    return list((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get(key) or [])


@contextmanager
def own_stack() -> Iterator[Stack]:
    """A throw-away stack on free ports, stopped afterwards."""
    model = ensure_model(ROOT / LOG_DIR / "train.log")
    with tempfile.TemporaryDirectory(prefix="bankbot-dialogue-eval-") as tmp:
        workdir = Path(tmp)
        core = f"sqlite:///{workdir}/corebank.db"
        engine = make_engine(core)
        create_schema(engine)
        seed(engine, customers=50)
        engine.dispose()
        upgrade(f"sqlite:///{workdir}/gateway.db")
        print(f"model: {model.name}; starting engine, action server and gateway…", flush=True)
        running = start_stack(
            model,
            workdir,
            core_database_url=core,
            extra_env={"AGENT_HOURS": "00:00-23:59:59", "OTP_MAX_SENDS_PER_HOUR": "1000"},
        )
        try:
            yield Stack(running.gateway_url, running.config.engine_url, running.config.engine_token)
        finally:
            running.stop()


def main(argv: list[str] | None = None) -> int:
    """Play the set's conversations and follow-ups; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", default="dev", help="folder under tests/judgement/sets, or a path")
    parser.add_argument("--only", choices=("conversations", "followups"))
    parser.add_argument("--gateway", help="a running gateway (with --engine, --token)")
    parser.add_argument("--engine")
    parser.add_argument("--token")
    args = parser.parse_args(argv)
    folder = Path(args.set) if "/" in args.set else SETS / args.set
    if not folder.is_dir():
        parser.error(f"no labelled set at {folder}")
    conversations = load(folder, "conversations.yml", "conversations")
    followups = load(folder, "followups.yml", "followups")
    if args.gateway and not (args.engine and args.token):
        parser.error("--gateway needs --engine and --token (the follow-ups read the tracker)")
    with (
        own_stack()
        if not args.gateway
        else contextmanager(lambda: iter([Stack(args.gateway, args.engine, args.token)]))()
    ) as stack:
        if args.only != "followups":
            print(f"\n== Conversations: {folder / 'conversations.yml'} ==", flush=True)
            report_conversations(run_conversations(stack, conversations))
        if args.only != "conversations":
            print(f"\n== Follow-ups: {folder / 'followups.yml'} ==", flush=True)
            report_followups(*run_followups(stack, followups))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
