"""Where the running stack sends each labelled message: the judgement targets as met.

``python -m bot.judgement_eval`` routes each labelled message through the
engine's decision functions (``bot/judgement_routing.py``), but the dialogue's
rules (``report_fraud`` → the warning, ``complain`` → the complaint form) are
mirrored there by hand. This plays every message of a set's
``upset_<lang>.yml`` and ``fraud_<lang>.yml`` as the first message of a new
conversation through the gateway's public API, with the real engine and
action server, and reads what the customer got:

* **to a person for their feelings**: a handoff for the emotion, fraud or an
  angry complaint (high or urgent), or the complaint form opened with
  ``complaint_upset`` set (the ticket is registered, then a person takes over);
* **a victim queued urgently**: a ``fraud_risk`` handoff;
* **a prevention question answered by the FAQ**: the fraud-prevention answer,
  no handoff; and how many of the fraud sets' *other* messages (a lost card,
  a payment to the wrong account) got that answer all the same.

A calm customer reporting a fraud (kind ``fraud_report_calm`` in the upset
sets) is a victim: the warning and the urgent queue are the fraud rule at
work, not a false alarm on their mood. Such a message counts among "calm
sent there" only when it is queued for anything but fraud, and its own
figure (queued as a victim) is printed beside.

``python -m bankbot.routing_eval --set test9`` (``--workers`` conversations at
a time) prints per language the issue's four figures and the messages missed.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import yaml

from bankbot.dialogue_eval import (
    LANGUAGES,
    SETS,
    Conversation,
    Stack,
    answered_in_latest_turn,
    own_stack,
    percent,
    tracker_of,
)
from common.escalation import CALM_FRAUD_REPORT
from common.handoffs import HandoffReason, Priority

FOR_FEELINGS = frozenset({HandoffReason.emotion, HandoffReason.fraud_risk, HandoffReason.complaint})
"""Handoff reasons that answer an upset customer (at high or urgent priority)."""


@dataclass(frozen=True)
class Labelled:
    """One message of a labelled set."""

    detector: str  # upset | fraud
    language: str
    text: str
    label: str  # upset | calm; victim | prevention | other
    kind: str = ""


@dataclass(frozen=True)
class Met:
    """What the customer got for one message."""

    item: Labelled
    reason: str | None  # the handoff's reason, if any
    priority: str | None
    complaint_upset: bool  # the complaint form, then a person
    faq: str | None  # the FAQ answered

    @property
    def for_feelings(self) -> bool:
        """Sent to a person for how the customer feels (see module docs)."""
        urgent = self.priority in (Priority.high, Priority.urgent)
        return self.complaint_upset or (urgent and self.reason in FOR_FEELINGS)

    @property
    def urgent_fraud(self) -> bool:
        """Given the warning and queued urgently."""
        return self.reason == HandoffReason.fraud_risk

    @property
    def calm_false_alarm(self) -> bool:
        """A calm customer sent to a person for their mood (a calm victim's fraud queue is not)."""
        calm_victim = self.item.kind == CALM_FRAUD_REPORT and self.urgent_fraud
        return self.for_feelings and not calm_victim

    def __str__(self) -> str:
        got = (
            f"handoff {self.reason}/{self.priority}"
            if self.reason
            else ("complaint form, then a person" if self.complaint_upset else f"bot ({self.faq})")
        )
        return f"  [{self.item.label}] {self.item.text[:90]!r}: {got}"


def labelled(folder: Path) -> Iterator[Labelled]:
    """Every message of the set's upset and fraud files."""
    for detector in ("upset", "fraud"):
        for language in LANGUAGES:
            path = folder / f"{detector}_{language}.yml"
            if path.exists():
                data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
                for item in data.get("examples") or []:
                    yield Labelled(
                        detector,
                        language,
                        str(item["text"]),
                        str(item["label"]),
                        str(item.get("kind") or ""),
                    )


def play(stack: Stack, client: httpx.Client, item: Labelled) -> Met:
    """The message as the first of a new conversation."""
    conversation = Conversation(client, item.language)
    turn = conversation.say(item.text)
    handoff = turn.get("handoff") or {}
    tracker = tracker_of(stack, conversation.id)
    slots = tracker.get("slots") or {}
    if turn["state"] == "queued":
        conversation.leave()
    return Met(
        item,
        handoff.get("reason"),
        handoff.get("priority"),
        bool(slots.get("complaint_upset")) and not handoff,
        answered_in_latest_turn(tracker),
    )


def report(met: list[Met]) -> None:
    """Per language: the four figures of the judgement issue, then the misses."""
    for language in LANGUAGES:
        mine = [m for m in met if m.item.language == language]
        counts: Counter[str] = Counter()
        for m in mine:
            counts[m.item.label] += 1
            counts[f"{m.item.label}:feelings"] += m.for_feelings
            counts["calm:false_alarm"] += m.item.label == "calm" and m.calm_false_alarm
            if m.item.kind == CALM_FRAUD_REPORT:
                counts["calm_victim"] += 1
                counts["calm_victim:urgent"] += m.urgent_fraud
            counts[f"{m.item.label}:urgent"] += m.urgent_fraud
            answered = m.faq == "fraud_prevention" and not m.reason
            counts[f"{m.item.label}:faq"] += answered
            counts[f"{m.item.label}:person"] += bool(m.reason or m.complaint_upset)
        print(
            f"{language}: upset to a person {percent(counts['upset:feelings'], counts['upset'])};"
            f" calm sent there {percent(counts['calm:false_alarm'], counts['calm'])}"
            f" (calm fraud reports queued as victims"
            f" {percent(counts['calm_victim:urgent'], counts['calm_victim'])});"
            f" victims urgent {percent(counts['victim:urgent'], counts['victim'])};"
            f" prevention not urgent"
            f" {percent(counts['prevention'] - counts['prevention:urgent'], counts['prevention'])},"
            f" answered by the FAQ {percent(counts['prevention:faq'], counts['prevention'])},"
            f" sent to a person at all"
            f" {percent(counts['prevention:person'], counts['prevention'])};"
            f" other messages given the prevention answer"
            f" {percent(counts['other:faq'], counts['other'])}"
        )
    for m in met:
        wrong = {
            "upset": not m.for_feelings,
            "calm": m.calm_false_alarm,
            "victim": not m.urgent_fraud,
            "prevention": m.faq != "fraud_prevention" or bool(m.reason),
        }.get(m.item.label, False)
        if wrong:
            print(m)


def main(argv: list[str] | None = None) -> int:
    """Play a set's labelled messages on a throw-away stack; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", default="dev", help="folder under tests/judgement/sets, or a path")
    parser.add_argument("--workers", type=int, default=4, help="conversations at a time")
    args = parser.parse_args(argv)
    folder = Path(args.set) if "/" in args.set else SETS / args.set
    items = list(labelled(folder))
    if not items:
        parser.error(f"no upset_<lang>.yml or fraud_<lang>.yml in {folder}")
    with own_stack() as stack, httpx.Client(base_url=stack.gateway, timeout=60) as client:
        with ThreadPoolExecutor(max_workers=max(1, args.workers)) as pool:
            met = list(pool.map(lambda item: play(stack, client, item), items))
    print(f"\n== Routed on the running stack: {folder} ({len(met)} messages) ==")
    report(met)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
