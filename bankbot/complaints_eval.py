"""How complaints go, end to end: ``python -m bankbot.complaints_eval [--set dev]``.

Plays every complaint of ``tests/judgement/sets/<set>/complaints.yml`` as a
customer would, through the gateway's public API of a throw-away stack (the
real engine with the checkout's model, the real action server, a small demo
bank): the customer opens a chat in the complaint's language and sends its
first message, then answers each question the assistant asks with the
answer the set gives for it (what happened, when and where, the category in
their own words, the phone). A customer whose first message the assistant
does not take as a complaint says "我要投诉" / "I want to make a complaint"
once, as people do. The conversation ends at a reference number, a handoff
to a person, or after :data:`MAX_TURNS` customer messages.

Printed per language: the share of complaints that got a reference number
within 3 customer messages, among those whose first message gives what, when
and where (the issue's target; the blind sets mark the others with a
``# missing:`` comment) and among all, and at all, the share whose
ticket carries the set's category (read from the ticket the action server
stored), the questions asked (mean, most), and how many reached a person.
``--set`` names the folder (``dev`` by default; the lead runs it on the
sealed test set); ``--show`` prints each conversation.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

from actions.store.complaints import ComplaintStore
from bankbot.local_stack import RunningStack, start_stack
from common.paths import LOG_DIR, ROOT
from corebank.db import create_schema, make_engine
from corebank.demo.seed import seed
from handoff.migrate import upgrade
from pipeline.checkout import ensure_model

SETS = ROOT / "tests" / "judgement" / "sets"
TARGET_TURNS = 3
MAX_TURNS = 8
REFERENCE = re.compile(r"TS\d{8}-[2-9A-HJ-NP-Z]{4}")
QUESTIONS = {
    "what": "utter_ask_complaint_details",
    "when_where": "utter_ask_complaint_when_where",
    "category": "utter_ask_complaint_category",
    "phone": "utter_ask_complaint_phone",
}
"""The set's answer keys, and the domain response that asks for each."""
PHONE_AGAIN = "utter_complaint_phone_invalid"
I_WANT_TO_COMPLAIN = {"zh": "我要投诉", "en": "I want to make a complaint"}


MISSING = re.compile(r"#\s*missing\b", re.IGNORECASE)
ITEM_ID = re.compile(r"^\s*-\s*id:\s*(\S+)")


def incomplete_ids(text: str) -> set[str] | None:
    """Ids whose first message leaves out what, when or where (``# missing: ...``).

    The writers of the blind sets mark each such complaint with a comment
    inside its entry; a set without any mark does not say (``None``).
    """
    marked: set[str] = set()
    current: str | None = None
    for line in text.splitlines():
        found = ITEM_ID.match(line)
        if found:
            current = found.group(1)
        elif current is not None and MISSING.search(line):
            marked.add(current)
    return marked or None


@dataclass
class Outcome:
    """How one complaint went."""

    id: str
    language: str
    expected: str
    complete: bool | None = None
    turns: int = 0
    questions: list[str] = field(default_factory=list)
    reference: str | None = None
    category: str | None = None
    person: bool = False
    said_complain: bool = False
    transcript: list[tuple[str, str]] = field(default_factory=list)


def question_texts(domain_dir: Path = ROOT / "domain") -> dict[str, list[str]]:
    """Each question's texts in both languages, from the domain (the one source of wording)."""
    responses: dict[str, Any] = {}
    for path in sorted(domain_dir.glob("*.yml")):
        responses.update(
            (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {}
        )
    wanted = {**{v: k for k, v in QUESTIONS.items()}, PHONE_AGAIN: "phone"}
    out: dict[str, list[str]] = {}
    for response, key in wanted.items():
        texts = [str(v.get("text") or "").strip() for v in responses.get(response) or []]
        out.setdefault(key, []).extend(t for t in texts if t)
    return out


def asked(reply: str, questions: dict[str, list[str]]) -> str | None:
    """Which of the set's answers the assistant's reply asks for, if any."""
    for key, texts in questions.items():
        if any(text in reply for text in texts):
            return key
    return None


def play(client: httpx.Client, case: dict[str, Any], questions: dict[str, list[str]]) -> Outcome:
    """One complaint through the public API (see the module docstring)."""
    language = case["language"]
    outcome = Outcome(case["id"], language, case["category"], case.get("complete"))
    created = client.post("/api/conversations", json={"channel": "web", "language": language})
    created.raise_for_status()
    conversation = created.json()
    headers = {"Authorization": f"Bearer {conversation['token']}"}

    def say(text: str) -> dict[str, Any]:
        outcome.turns += 1
        response = client.post(
            f"/api/conversations/{conversation['conversation_id']}/messages",
            json={"text": text, "client_message_id": uuid.uuid4().hex},
            headers=headers,
        )
        response.raise_for_status()
        turn: dict[str, Any] = response.json()
        reply = "\n".join(str(r.get("text") or "") for r in turn.get("replies") or [])
        outcome.transcript.append((text, reply))
        return turn

    turn = say(case["first"])
    while outcome.turns <= MAX_TURNS:
        reply = outcome.transcript[-1][1]
        found = REFERENCE.search(reply)
        if found:
            outcome.reference = found.group(0)
        if turn.get("handoff"):
            outcome.person = True
        if outcome.reference or outcome.person:
            break
        key = asked(reply, questions)
        if key is not None:
            outcome.questions.append(key)
            turn = say(str(case["answers"][key]))
        elif not outcome.said_complain:
            outcome.said_complain = True
            turn = say(I_WANT_TO_COMPLAIN[language])
        else:
            break
    return outcome


@dataclass
class Figures:
    """One language's figures."""

    language: str
    outcomes: list[Outcome]

    def share(self, hits: Iterable[bool]) -> str:
        """``12/30 (40.0%)``."""
        hit = sum(1 for h in hits if h)
        total = len(self.outcomes)
        return f"{hit}/{total} ({100 * hit / total:.1f}%)" if total else "-"

    def lines(self) -> list[str]:
        """The printed report for this language."""
        o = self.outcomes
        registered = [x for x in o if x.reference]
        counts = [len(x.questions) for x in o]
        right = sum(1 for x in registered if x.category == x.expected)
        told = [x for x in o if x.complete]
        in_time = sum(1 for x in told if x.reference is not None and x.turns <= TARGET_TURNS)
        whole = (
            [f"  first message gives what, when and where: reference within 3 messages "
             f"{in_time}/{len(told)} ({100 * in_time / len(told):.1f}%)"]
            if told else []
        )  # fmt: skip
        return [
            f"[{self.language}] {len(o)} complaints",
            *whole,
            "  reference number within 3 customer messages: "
            + self.share(x.reference is not None and x.turns <= TARGET_TURNS for x in o),
            "  reference number at all:                      "
            + self.share(x.reference is not None for x in o),
            f"  category right (of those registered):         {right}/{len(registered)}"
            + (f" ({100 * right / len(registered):.1f}%)" if registered else ""),
            "  category right (of all):                      "
            + self.share(x.category == x.expected for x in o),
            f"  questions asked: mean {sum(counts) / max(1, len(counts)):.2f}, "
            f"most {max(counts, default=0)}; by kind "
            + ", ".join(f"{k} {sum(x.questions.count(k) for x in o)}" for k in QUESTIONS),
            "  reached a person:                             " + self.share(x.person for x in o),
            "  not taken as a complaint at first (customer said so): "
            + self.share(x.said_complain for x in o),
        ]


def evaluate(running: RunningStack, core_url: str, cases: list[dict[str, Any]], show: bool) -> None:
    """Play every case and print the figures per language."""
    questions = question_texts()
    outcomes: list[Outcome] = []
    with httpx.Client(base_url=running.gateway_url, timeout=60) as client:
        for case in cases:
            outcomes.append(play(client, case, questions))
    engine = make_engine(core_url)
    try:
        store = ComplaintStore(engine)
        for outcome in outcomes:
            if outcome.reference:
                ticket = store.get(outcome.reference)
                outcome.category = ticket.category if ticket else None
    finally:
        engine.dispose()
    if show:
        for o in outcomes:
            mark = "OK " if o.reference and o.turns <= TARGET_TURNS else "-- "
            print(f"{mark}{o.id} turns={o.turns} asked={o.questions} category={o.category} "
                  f"(set: {o.expected}) person={o.person}")  # fmt: skip
            for said, reply in o.transcript:
                print(f"     > {said}\n     < {reply[:160]!r}")
    for language in ("zh", "en"):
        mine = [o for o in outcomes if o.language == language]
        if mine:
            print("\n".join(Figures(language, mine).lines()))


def main(argv: list[str] | None = None) -> int:
    """Start a throw-away stack, play the set, print the figures, stop."""
    parser = argparse.ArgumentParser(prog="python -m bankbot.complaints_eval")
    parser.add_argument("--set", default="dev", help="folder under tests/judgement/sets")
    parser.add_argument("--show", action="store_true", help="print every conversation")
    args = parser.parse_args(argv)
    path = SETS / args.set / "complaints.yml"
    if not path.exists():
        print(f"no complaint set at {path}")
        return 1
    text = path.read_text(encoding="utf-8")
    cases = (yaml.safe_load(text) or {}).get("complaints") or []
    incomplete = incomplete_ids(text)
    for case in cases:
        case["complete"] = None if incomplete is None else case["id"] not in incomplete
    model = ensure_model(ROOT / LOG_DIR / "train.log")
    print(f"complaints of the '{args.set}' set ({len(cases)}), model {model.name}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bankbot-complaints-") as tmp:
        workdir = Path(tmp)
        core = f"sqlite:///{workdir}/corebank.db"
        engine = make_engine(core)
        create_schema(engine)
        seed(engine, customers=50)
        engine.dispose()
        upgrade(f"sqlite:///{workdir}/gateway.db")
        running = start_stack(model, workdir, core_database_url=core)
        try:
            evaluate(running, core, cases, args.show)
        finally:
            running.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
