"""Cards: status, and the temporary freeze (loss report) of docs/requirements.md, rule 8.

Freezing is the one high-risk operation the assistant performs, so it takes:

1. a verification of this conversation that is **fresh** (younger than
   ``FRESH_VERIFICATION_S``, 5 minutes); an older one triggers a new code to
   the customer's own phone (``reverify_form``) first — the gate of
   :class:`~actions.verification.gate.VerifiedAction` with ``fresh = True``;
2. the card, named by its last four digits or chosen from buttons when the
   customer has several;
3. an **explicit confirmation** in the very next message (affirm/deny
   buttons); a "yes" later in the conversation freezes nothing.

The lost-card flow (``report_lost_card``) is the same freeze followed by the
loss-report facts: the answer of the FAQ ``card_lost_info`` as the live model
has it (:mod:`actions.domain_faqs`).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import domain_faqs
from actions.deps import db, deps
from actions.language import current_language
from actions.tracker import latest_entity, previous_turn
from actions.verification.gate import VerifiedAction
from actions.verification.identity import VerifiedCustomer
from actions.wording import CARD_KINDS, CARD_STATUSES, CONFIRM_FREEZE_BUTTONS, LIST_SEPARATOR
from common.redaction import card_shown
from corebank.repository import Card, FreezeOutcome

LOST_CARD_FAQ = "card_lost_info"
FREEZE_SLOTS = ("confirmation_pending", "card_last4", "freeze_lost")


def _kind(card: Card, language: str) -> str:
    return CARD_KINDS[language].get(card.kind, card.kind)


def _status(card: Card, language: str) -> str:
    return CARD_STATUSES[language].get(card.status, card.status)


def _clear_freeze() -> list[EventType]:
    return [SlotSet(name, None) for name in FREEZE_SLOTS]


def _lost_card_facts(dispatcher: CollectingDispatcher, domain: DomainDict, language: str) -> None:
    facts = domain_faqs.answer(domain, LOST_CARD_FAQ, language)
    if facts:
        dispatcher.utter_message(text=facts)


def confirmation_asked_last_turn(tracker: Tracker) -> bool:
    """Whether the bot's answer to the previous message asked to confirm a freeze.

    Only a reply to that question confirms; the customer's "yes" to anything
    later must not freeze a card.
    """
    for event in previous_turn(tracker):
        if event.get("event") == "slot" and event.get("name") == "confirmation_pending":
            return event.get("value") == "freeze_card"
    return False


# --------------------------------------------------------------------------- services


async def show_card_status(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    verified: VerifiedCustomer,
    domain: DomainDict | None = None,
    last4: str | None = None,
) -> list[EventType]:
    """Each card's status (or just the named one)."""
    language = current_language(tracker)
    last4 = last4 or tracker.get_slot("card_last4")
    cards = await db(deps().repo.cards_for, verified.id)
    if last4:
        cards = tuple(c for c in cards if c.last4 == last4)
        if not cards:
            dispatcher.utter_message(response="utter_card_not_found", card=card_shown(last4))
            return [SlotSet("card_last4", None)]
    if not cards:
        dispatcher.utter_message(response="utter_no_cards", name=verified.name)
        return [SlotSet("card_last4", None)]
    lines = "\n".join(
        f"· {_kind(c, language).capitalize() if language == 'en' else _kind(c, language)} "
        f"{card_shown(c.last4)}{LIST_SEPARATOR[language]}{_status(c, language)}"
        for c in cards
    )
    dispatcher.utter_message(response="utter_card_status", name=verified.name, lines=lines)
    return [SlotSet("card_last4", None)]


async def ask_freeze_confirmation(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    verified: VerifiedCustomer,
    domain: DomainDict,
    last4: str | None,
    *,
    lost: bool,
) -> list[EventType]:
    """Find the card and ask "freeze it?" (or which card, or say why not)."""
    language = current_language(tracker)
    cards = await db(deps().repo.cards_for, verified.id)
    if last4:
        matching = [c for c in cards if c.last4 == last4]
        if not matching:
            dispatcher.utter_message(response="utter_card_not_found", card=card_shown(last4))
            return _clear_freeze()
        card = matching[0]
    else:
        usable = [c for c in cards if c.status in ("active", "frozen")]
        if not usable:
            dispatcher.utter_message(response="utter_no_cards", name=verified.name)
            return _clear_freeze()
        if len(usable) > 1:
            intent = "report_lost_card" if lost else "freeze_card"
            buttons = [
                {
                    "title": f"{_kind(c, language)} {card_shown(c.last4)}",
                    "payload": f'/{intent}{{"card_last4":"{c.last4}"}}',
                }
                for c in usable
            ]
            dispatcher.utter_message(response="utter_freeze_choose_card", buttons=buttons)
            return _clear_freeze()
        card = usable[0]

    if card.status == "frozen":
        dispatcher.utter_message(
            response="utter_freeze_already", card=card_shown(card.last4), kind=_kind(card, language)
        )
        if lost:
            _lost_card_facts(dispatcher, domain, language)
        return _clear_freeze()
    if card.status != "active":
        dispatcher.utter_message(
            response="utter_card_not_freezable",
            card=card_shown(card.last4),
            kind=_kind(card, language),
            status=_status(card, language),
        )
        return _clear_freeze()
    dispatcher.utter_message(
        response="utter_freeze_confirm",
        card=card_shown(card.last4),
        kind=_kind(card, language),
        buttons=CONFIRM_FREEZE_BUTTONS[language],
    )
    return [
        SlotSet("confirmation_pending", "freeze_card"),
        SlotSet("card_last4", card.last4),
        SlotSet("freeze_lost", lost),
    ]


async def resume_freeze(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    verified: VerifiedCustomer,
    domain: DomainDict,
) -> list[EventType]:
    """After a verification: ask to confirm freezing the card remembered with the request."""
    last4 = tracker.get_slot("card_last4")
    return await ask_freeze_confirmation(dispatcher, tracker, verified, domain, last4, lost=False)


async def resume_lost_card(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    verified: VerifiedCustomer,
    domain: DomainDict,
) -> list[EventType]:
    """After a verification: the lost-card freeze, for the card remembered with the request."""
    last4 = tracker.get_slot("card_last4")
    return await ask_freeze_confirmation(dispatcher, tracker, verified, domain, last4, lost=True)


# --------------------------------------------------------------------------- actions


class ActionCheckCardStatus(VerifiedAction):
    """Card status request ("我的卡状态正常吗", "is my card frozen")."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_check_card_status"

    def service(self, tracker: Tracker) -> str:
        """Resumed as the card status."""
        return "card_status"

    def remember(self, tracker: Tracker) -> dict[str, Any]:
        """The card the request names, if it names one."""
        return {"card_last4": latest_entity(tracker, "card_last4")}

    async def serve(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        verified: VerifiedCustomer,
        domain: DomainDict,
    ) -> list[EventType]:
        """Each card's status (or the named one's)."""
        last4 = latest_entity(tracker, "card_last4")
        return await show_card_status(dispatcher, tracker, verified, domain, last4)


class _FreezeRequest(VerifiedAction):
    """A request to freeze a card: a fresh verification, then "freeze it?"."""

    fresh = True
    lost = False

    def service(self, tracker: Tracker) -> str:
        """Resumed as the same freeze."""
        return "lost_card" if self.lost else "freeze_card"

    def remember(self, tracker: Tracker) -> dict[str, Any]:
        """The card named, and no confirmation pending yet."""
        return {"card_last4": latest_entity(tracker, "card_last4"), "confirmation_pending": None}

    async def serve(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        verified: VerifiedCustomer,
        domain: DomainDict,
    ) -> list[EventType]:
        """Ask to confirm the freeze of the named (or only) card."""
        last4 = latest_entity(tracker, "card_last4")
        return await ask_freeze_confirmation(
            dispatcher, tracker, verified, domain, last4, lost=self.lost
        )


class ActionFreezeCard(_FreezeRequest):
    """Freeze request ("冻结我的卡", "freeze card ending 2468")."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_freeze_card"


class ActionReportLostCard(_FreezeRequest):
    """Lost card ("我的卡丢了", "I lost my card"): freeze, then the loss-report facts."""

    lost = True

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_report_lost_card"


class ActionFreezeConfirmed(VerifiedAction):
    """The customer said yes to "freeze card **** 6789?"."""

    fresh = True  # the question was answered too late: prove it again
    refuse_third_party = False  # "yes" names nobody

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_freeze_confirmed"

    def service(self, tracker: Tracker) -> str:
        """Resumed as the freeze that was being confirmed."""
        return "lost_card" if tracker.get_slot("freeze_lost") else "freeze_card"

    def remember(self, tracker: Tracker) -> dict[str, Any]:
        """The card being confirmed, asked about again after the verification."""
        return {"card_last4": tracker.get_slot("card_last4"), "confirmation_pending": None}

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Only a reply to the question confirms; then the gate, then the freeze."""
        if not confirmation_asked_last_turn(tracker):
            dispatcher.utter_message(response="utter_affirm")
            return _clear_freeze()
        return await super().run(dispatcher, tracker, domain)

    async def serve(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        verified: VerifiedCustomer,
        domain: DomainDict,
    ) -> list[EventType]:
        """Freeze the card and say so (and the loss-report facts for a lost card)."""
        language = current_language(tracker)
        last4: Any = tracker.get_slot("card_last4")
        lost = bool(tracker.get_slot("freeze_lost"))
        result = await db(deps().repo.freeze_card, verified.id, last4)
        card = result.card
        if result.outcome is FreezeOutcome.FROZEN and card is not None:
            dispatcher.utter_message(
                response="utter_freeze_done",
                name=verified.name,
                card=card_shown(card.last4),
                kind=_kind(card, language),
            )
        elif result.outcome is FreezeOutcome.ALREADY_FROZEN and card is not None:
            dispatcher.utter_message(
                response="utter_freeze_already",
                card=card_shown(card.last4),
                kind=_kind(card, language),
            )
        elif result.outcome is FreezeOutcome.NOT_FREEZABLE and card is not None:
            dispatcher.utter_message(
                response="utter_card_not_freezable",
                card=card_shown(card.last4),
                kind=_kind(card, language),
                status=_status(card, language),
            )
        else:
            dispatcher.utter_message(
                response="utter_card_not_found", card=card_shown(str(last4 or ""))
            )
        if lost:
            _lost_card_facts(dispatcher, domain, language)
        return _clear_freeze()


class ActionFreezeDeclined(Action):
    """The customer said no to the freeze."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_freeze_declined"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Run the action (see the class docstring)."""
        if not confirmation_asked_last_turn(tracker):
            dispatcher.utter_message(response="utter_deny")
            return _clear_freeze()
        dispatcher.utter_message(response="utter_freeze_cancelled")
        if tracker.get_slot("freeze_lost"):
            _lost_card_facts(dispatcher, domain, current_language(tracker))
        return _clear_freeze()
