"""Action tests: real rasa_sdk trackers and dispatchers on a real temporary core bank.

``bank`` is the action server's :class:`actions.deps.Deps` over a freshly seeded SQLite
core bank (the two named customers plus a few synthetic ones), with a clock
the test moves and an SMS adapter that records what it would have sent.
``Chat`` plays one conversation turn by turn the way the engine would: it
keeps slots and events, runs an action with a real ``Tracker`` and
``CollectingDispatcher``, and, for the verification forms, runs the
validation action and picks the next requested slot like Rasa's FormAction.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import Engine

from actions.config import ActionSettings
from actions.deps import Deps, policy_from, use_deps
from actions.store.complaints import ComplaintStore
from actions.store.verification import VerificationStore
from common.codes import code_digest
from corebank.db import create_schema, make_engine
from corebank.demo.seed import seed
from corebank.repository import CoreBankRepository

ROOT = Path(__file__).resolve().parents[2]
KEY = "test-otp-digest-key-" + "k" * 20
START = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)

ZHANG = {"id": 1, "name": "张伟", "phone": "13800138000", "id_last4": "1234", "debit": "6789"}
EMILY = {"id": 2, "name": "Emily Chen", "phone": "13900139000", "id_last4": "5678", "debit": "2468"}
UNREGISTERED = "13700001111"


def load_domain() -> dict[str, Any]:
    """The merged domain (slots, forms, responses) as rasa_sdk receives it."""
    merged: dict[str, Any] = {
        "slots": {},
        "forms": {},
        "responses": {},
        "intents": [],
        "actions": [],
    }
    for path in sorted((ROOT / "domain").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key in ("slots", "forms", "responses"):
            merged[key].update(data.get(key) or {})
        for key in ("intents", "actions"):
            merged[key] += data.get(key) or []
    return merged


DOMAIN = load_domain()


class Clock:
    """ "Now", moved by the test."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class RecordingSms:
    """An SMS adapter that remembers instead of sending."""

    sent: list[tuple[str, str]] = field(default_factory=list)
    fail: bool = False

    async def send(self, phone: str, text: str) -> None:
        from actions.sms import SmsError

        if self.fail:
            raise SmsError("down")
        self.sent.append((phone, text))

    def last_code(self, phone: str) -> str:
        texts = [t for p, t in self.sent if p == phone]
        assert texts, f"no SMS to {phone}"
        match = re.search(r"\d{6}", texts[-1])
        assert match
        return match.group(0)


@pytest.fixture
def core_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'corebank.db'}")
    create_schema(engine)
    seed(engine, customers=10)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings() -> ActionSettings:
    return ActionSettings(
        _env_file=None,  # type: ignore[call-arg]
        otp_digest_key=KEY,
        core_database_url="sqlite://",
        gateway_url="http://127.0.0.1:9",
    )


@pytest.fixture
def bank(core_engine: Engine, clock: Clock, settings: ActionSettings) -> Iterator[Deps]:
    verifications = VerificationStore(core_engine, policy=policy_from(settings), clock=clock)
    verifications.ensure_schema()
    complaints = ComplaintStore(core_engine, clock=clock)
    complaints.ensure_schema()
    the_bank = Deps(
        settings=settings,
        repo=CoreBankRepository(core_engine, clock=clock),
        verifications=verifications,
        complaints=complaints,
        sms=RecordingSms(),
        clock=clock,
    )
    use_deps(the_bank)
    yield the_bank
    use_deps(None)


@dataclass
class Turn:
    """What the bot answered in one action run."""

    messages: list[dict[str, Any]]
    events: list[dict[str, Any]]

    @property
    def responses(self) -> list[str]:
        return [m.get("response") for m in self.messages if m.get("response")]

    @property
    def custom(self) -> list[dict[str, Any]]:
        return [m["custom"] for m in self.messages if m.get("custom")]

    @property
    def handoffs(self) -> list[dict[str, Any]]:
        """Each handoff requested: ``{"reason", "priority"}`` (its evidence in ``evidence``)."""
        return [
            {"reason": c["handoff"]["reason"], "priority": c["handoff"]["priority"]}
            for c in self.custom
            if "handoff" in c
        ]

    @property
    def evidence(self) -> list[dict[str, Any]]:
        """The evidence each handoff carries (``{}`` when it carries none)."""
        return [c["handoff"].get("evidence") or {} for c in self.custom if "handoff" in c]

    def message(self, response: str) -> dict[str, Any]:
        return next(m for m in self.messages if m.get("response") == response)

    @property
    def texts(self) -> str:
        return "\n".join(str(m.get("text") or "") for m in self.messages)

    def rendered(self, response: str, language: str) -> str:
        """The domain's text of ``response`` in ``language``, filled as the engine fills it."""
        return render(response, language, self.message(response))


def render(response: str, language: str, values: dict[str, Any]) -> str:
    """A domain response's variant for ``language`` with ``{name}`` filled from ``values``."""
    variants = DOMAIN["responses"][response]
    conditional = [v for v in variants if v.get("condition")]
    variant = conditional[0] if language == "en" and conditional else variants[0]
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), m.group(0))), variant["text"])


class Chat:
    """One conversation as the engine would drive the actions (see module docs)."""

    def __init__(self, the_bank: Deps, language: str = "zh") -> None:
        self.bank = the_bank
        self.sender_id = uuid.uuid4().hex
        self.slots: dict[str, Any] = {"language": language, "requested_slot": None}
        self.events: list[dict[str, Any]] = []
        self.latest_message: dict[str, Any] = {}
        self.active_loop: str | None = None
        self.followup: str | None = None

    # ---- input -------------------------------------------------------------
    def user(self, text: str, intent: str = "nlu_fallback", **entities: str) -> None:
        ents = [{"entity": k, "value": v} for k, v in entities.items()]
        self.latest_message = {
            "text": text,
            "intent": {"name": intent, "confidence": 0.9},
            "entities": ents,
        }
        self.events.append({"event": "user", "text": text, "parse_data": self.latest_message})
        self.followup = None

    def code(self, code: str) -> None:
        """The customer types a code; the gateway sends its digest."""
        digest = code_digest(KEY, self.sender_id, code)
        self.user(f'/submit_code{{"code_digest":"{digest}"}}', "submit_code", code_digest=digest)

    def engine_turn(self) -> None:
        """What the engine sets after the latest message (common.escalation.track), applied."""
        from actions.domain_faqs import faq_keys
        from common.escalation import SLOTS, track

        slots = {name: self.slots.get(name) for name in SLOTS}
        changes = track(self.latest_message, slots, self.events, self.active_loop, faq_keys(DOMAIN))
        self._apply([{"event": "slot", "name": n, "value": v} for n, v in changes])

    # ---- running actions -----------------------------------------------------
    def tracker(self) -> Tracker:
        return Tracker(
            self.sender_id,
            dict(self.slots),
            self.latest_message,
            list(self.events),
            False,
            None,
            {"name": self.active_loop} if self.active_loop else {},
            None,
        )

    def _apply(self, events: list[dict[str, Any]]) -> None:
        for event in events:
            self.events.append(event)
            if event["event"] == "slot":
                self.slots[event["name"]] = event["value"]
            elif event["event"] == "followup":
                self.followup = event["name"]
            elif event["event"] == "active_loop":
                self.active_loop = event["name"]

    async def run(self, action: Action) -> Turn:
        dispatcher = CollectingDispatcher()
        events = await action.run(dispatcher, self.tracker(), DOMAIN)
        await self.bank.drain()
        self._apply(events)
        turn = Turn(dispatcher.messages, events)
        if self.followup in DOMAIN["forms"]:
            form, self.followup = self.followup, None
            turn.messages += (await self._activate(form)).messages
        return turn

    def _candidates(self, form: str) -> dict[str, Any]:
        """Like Rasa: form slots set since the customer's last message are values to validate."""
        required = DOMAIN["forms"][form]["required_slots"]
        since: list[dict[str, Any]] = []
        for event in reversed(self.events):
            if event["event"] == "user":
                break
            since.append(event)
        return {
            e["name"]: e["value"]
            for e in reversed(since)
            if e["event"] == "slot" and e["name"] in required
        }

    async def _validate(self, form: str) -> tuple[Turn, dict[str, Any]]:
        """Rasa's FormAction.validate: the validation action on a tracker with the candidates."""
        from rasa_sdk.events import SlotSet

        from actions.verification.forms import ValidateReverifyForm, ValidateVerificationForm

        validator = (
            ValidateVerificationForm() if form == "verification_form" else ValidateReverifyForm()
        )
        candidates = self._candidates(form)
        tracker = self.tracker()
        tracker.events += [SlotSet(k, v) for k, v in candidates.items()]
        tracker.slots.update(candidates)
        dispatcher = CollectingDispatcher()
        events = await validator.run(dispatcher, tracker, DOMAIN)
        await self.bank.drain()
        self._apply(events)
        return Turn(dispatcher.messages, events), candidates

    def _stopped(self, turn: Turn) -> bool:
        return any(
            e["event"] == "slot" and e["name"] == "requested_slot" and e["value"] is None
            for e in turn.events
        )

    async def _activate(self, form: str) -> Turn:
        """A form started by an action: validated once (as Rasa does), then it asks."""
        self.active_loop = form
        self.slots["requested_slot"] = None
        turn, _ = await self._validate(form)
        if self._stopped(turn):
            return await self._finish(turn)
        turn.messages += (await self._ask_next(form)).messages
        return turn

    async def form_turn(self) -> Turn:
        """The active form runs on the latest message: validate, then ask or finish."""
        form = self.active_loop
        assert form
        turn, candidates = await self._validate(form)
        changed = [e for e in turn.events if e["event"] == "slot" and e["name"] != "requested_slot"]
        turn.rejected = not candidates and not changed  # type: ignore[attr-defined]
        if turn.rejected:  # type: ignore[attr-defined]
            return turn  # the engine would now let the rules answer
        if self._stopped(turn):
            return await self._finish(turn)
        turn.messages += (await self._ask_next(form)).messages
        return turn

    async def _ask_next(self, form: str) -> Turn:
        from actions.verification.forms import ActionAskVerifyCode

        missing = [s for s in DOMAIN["forms"][form]["required_slots"] if self.slots.get(s) is None]
        if not missing:
            return await self._finish(Turn([], []))
        self.slots["requested_slot"] = missing[0]
        if missing[0] == "verify_code":
            return await self.run(ActionAskVerifyCode())
        return Turn([{"response": f"utter_ask_{missing[0]}"}], [])

    async def _finish(self, turn: Turn) -> Turn:
        from actions.resume import ActionVerificationComplete

        self.active_loop = None
        self.slots["requested_slot"] = None
        done = await self.run(ActionVerificationComplete())
        turn.messages += done.messages
        return turn

    async def resume_form(self) -> Turn:
        """After an interruption (FAQ, resend) the form asks again."""
        assert self.active_loop
        return await self._ask_next(self.active_loop)

    # ---- whole flows ---------------------------------------------------------
    async def verify(
        self, who: dict[str, Any], action: Action | None = None, *, asked: bool = False
    ) -> Turn:
        """Ask for something that needs verification and pass it with the right facts.

        ``asked``: the test already put the customer's request (``user``); by
        default it is a balance request.
        """
        from actions.accounts import ActionCheckBalance

        if not asked:
            self.user("查余额" if self.slots["language"] == "zh" else "my balance", "check_balance")
        await self.run(action or ActionCheckBalance())
        self.user(who["phone"], "nlu_fallback", phone=who["phone"])
        await self.form_turn()
        self.user(who["id_last4"])
        await self.form_turn()
        sms: RecordingSms = self.bank.sms  # type: ignore[assignment]
        self.code(sms.last_code(who["phone"]))
        return await self.form_turn()


@pytest.fixture
def chat(bank: Deps) -> Chat:
    return Chat(bank)


@pytest.fixture
def chat_en(bank: Deps) -> Chat:
    return Chat(bank, language="en")
