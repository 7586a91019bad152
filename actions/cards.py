"""Cards: status, and the temporary freeze (loss report) of SERVICE-RULES 8.

Freezing is the one high-risk operation the assistant performs, so it takes:

1. a verification of this conversation that is **fresh** (younger than
   ``FRESH_VERIFICATION_S``, 5 minutes); an older one triggers a new code to
   the customer's own phone (``reverify_form``) first;
2. the card, named by its last four digits or chosen from buttons when the
   customer has several;
3. an **explicit confirmation** in the very next message (affirm/deny
   buttons); a "yes" later in the conversation freezes nothing.

The lost-card flow (``report_lost_card``) is the same freeze followed by the
catalog's loss-report facts (``content/faqs/card_lost_info.yml``).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.fraud import catalog_answer
from actions.language import current_language
from actions.refusals import mentions_someone_else, refuse_third_party
from actions.verification import (
    VerifiedCustomer,
    bank,
    db,
    is_fresh,
    mask_card,
    start_reverification,
    start_verification,
    verified_customer,
)
from corebank.repository import Card, FreezeOutcome

KINDS = {
    "zh": {"debit": "借记卡", "credit": "信用卡"},
    "en": {"debit": "debit card", "credit": "credit card"},
}
STATUSES = {
    "zh": {"active": "正常", "frozen": "已临时冻结", "lost": "已挂失", "expired": "已过期"},
    "en": {
        "active": "active",
        "frozen": "temporarily frozen",
        "lost": "reported lost",
        "expired": "expired",
    },
}
CONFIRM_BUTTONS = {
    "zh": [
        {"title": "确认冻结", "payload": "/affirm"},
        {"title": "暂不冻结", "payload": "/deny"},
    ],
    "en": [
        {"title": "Yes, freeze it", "payload": "/affirm"},
        {"title": "No, keep it active", "payload": "/deny"},
    ],
}
FREEZE_SLOTS = ("confirmation_pending", "card_last4", "freeze_lost")


def _last4_entity(tracker: Tracker) -> str | None:
    value = next(tracker.get_latest_entity_values("card_last4"), None)
    return str(value) if value else None


def _kind(card: Card, language: str) -> str:
    return KINDS[language].get(card.kind, card.kind)


def _clear_freeze() -> list[EventType]:
    return [SlotSet(name, None) for name in FREEZE_SLOTS]


def confirmation_asked_last_turn(tracker: Tracker) -> bool:
    """Whether the bot's answer to the previous message asked to confirm a freeze.

    Only a reply to that question confirms; the customer's "yes" to anything
    later must not freeze a card.
    """
    seen_current = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_current:
                return False
            seen_current = True
            continue
        if (
            seen_current
            and event.get("event") == "slot"
            and event.get("name") == "confirmation_pending"
        ):
            return event.get("value") == "freeze_card"
    return False


async def show_card_status(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    verified: VerifiedCustomer,
    last4: str | None = None,
) -> list[EventType]:
    """Each card's status (or just the named one)."""
    language = current_language(tracker)
    last4 = last4 or tracker.get_slot("card_last4")
    cards = await db(bank().repo.cards_for, verified.id)
    if last4:
        cards = tuple(c for c in cards if c.last4 == last4)
        if not cards:
            dispatcher.utter_message(response="utter_card_not_found", card=mask_card(last4))
            return [SlotSet("card_last4", None)]
    if not cards:
        dispatcher.utter_message(response="utter_no_cards", name=verified.name)
        return [SlotSet("card_last4", None)]
    separator = "：" if language == "zh" else ": "
    lines = "\n".join(
        f"· {_kind(c, language).capitalize() if language == 'en' else _kind(c, language)} "
        f"{mask_card(c.last4)}{separator}{STATUSES[language].get(c.status, c.status)}"
        for c in cards
    )
    dispatcher.utter_message(response="utter_card_status", name=verified.name, lines=lines)
    return [SlotSet("card_last4", None)]


async def ask_freeze_confirmation(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    verified: VerifiedCustomer,
    last4: str | None,
    *,
    lost: bool,
) -> list[EventType]:
    """Find the card and ask "freeze it?" (or which card, or say why not)."""
    language = current_language(tracker)
    cards = await db(bank().repo.cards_for, verified.id)
    if last4:
        matching = [c for c in cards if c.last4 == last4]
        if not matching:
            dispatcher.utter_message(response="utter_card_not_found", card=mask_card(last4))
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
                    "title": f"{_kind(c, language)} {mask_card(c.last4)}",
                    "payload": f'/{intent}{{"card_last4":"{c.last4}"}}',
                }
                for c in usable
            ]
            dispatcher.utter_message(response="utter_freeze_choose_card", buttons=buttons)
            return _clear_freeze()
        card = usable[0]

    if card.status == "frozen":
        dispatcher.utter_message(
            response="utter_freeze_already", card=mask_card(card.last4), kind=_kind(card, language)
        )
        if lost:
            dispatcher.utter_message(text=catalog_answer("card_lost_info", language))
        return _clear_freeze()
    if card.status != "active":
        dispatcher.utter_message(
            response="utter_card_not_freezable",
            card=mask_card(card.last4),
            kind=_kind(card, language),
            status=STATUSES[language].get(card.status, card.status),
        )
        return _clear_freeze()
    dispatcher.utter_message(
        response="utter_freeze_confirm",
        card=mask_card(card.last4),
        kind=_kind(card, language),
        buttons=CONFIRM_BUTTONS[language],
    )
    return [
        SlotSet("confirmation_pending", "freeze_card"),
        SlotSet("card_last4", card.last4),
        SlotSet("freeze_lost", lost),
    ]


async def _freeze_request(
    dispatcher: CollectingDispatcher, tracker: Tracker, *, lost: bool
) -> list[EventType]:
    service = "lost_card" if lost else "freeze_card"
    last4 = _last4_entity(tracker)
    verified = await verified_customer(tracker)
    if mentions_someone_else(tracker, verified):
        return refuse_third_party(dispatcher)
    remember = {"card_last4": last4, "confirmation_pending": None}
    if verified is None:
        return start_verification(dispatcher, tracker, service, remember)
    if not is_fresh(verified):
        return await start_reverification(dispatcher, tracker, verified, service, remember)
    return await ask_freeze_confirmation(dispatcher, tracker, verified, last4, lost=lost)


class ActionCheckCardStatus(Action):
    """Card status request ("我的卡状态正常吗", "is my card frozen")."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_check_card_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Run the action (see the class docstring)."""
        last4 = _last4_entity(tracker)
        verified = await verified_customer(tracker)
        if mentions_someone_else(tracker, verified):
            return refuse_third_party(dispatcher)
        if verified is None:
            return start_verification(dispatcher, tracker, "card_status", {"card_last4": last4})
        return await show_card_status(dispatcher, tracker, verified, last4)


class ActionFreezeCard(Action):
    """Freeze request ("冻结我的卡", "freeze card ending 2468")."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_freeze_card"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Run the action (see the class docstring)."""
        return await _freeze_request(dispatcher, tracker, lost=False)


class ActionReportLostCard(Action):
    """Lost card ("我的卡丢了", "I lost my card"): freeze, then the loss-report facts."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_report_lost_card"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Run the action (see the class docstring)."""
        return await _freeze_request(dispatcher, tracker, lost=True)


class ActionFreezeConfirmed(Action):
    """The customer said yes to "freeze card **** 6789?"."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_freeze_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Run the action (see the class docstring)."""
        language = current_language(tracker)
        if not confirmation_asked_last_turn(tracker):
            dispatcher.utter_message(response="utter_affirm")
            return _clear_freeze()
        last4: Any = tracker.get_slot("card_last4")
        lost = bool(tracker.get_slot("freeze_lost"))
        service = "lost_card" if lost else "freeze_card"
        verified = await verified_customer(tracker)
        remember = {"card_last4": last4, "confirmation_pending": None}
        if verified is None:
            return start_verification(dispatcher, tracker, service, remember)
        if not is_fresh(verified):  # the question was answered too late: prove it again
            return await start_reverification(dispatcher, tracker, verified, service, remember)

        result = await db(bank().repo.freeze_card, verified.id, last4)
        card = result.card
        if result.outcome is FreezeOutcome.FROZEN and card is not None:
            dispatcher.utter_message(
                response="utter_freeze_done",
                name=verified.name,
                card=mask_card(card.last4),
                kind=_kind(card, language),
            )
        elif result.outcome is FreezeOutcome.ALREADY_FROZEN and card is not None:
            dispatcher.utter_message(
                response="utter_freeze_already",
                card=mask_card(card.last4),
                kind=_kind(card, language),
            )
        elif result.outcome is FreezeOutcome.NOT_FREEZABLE and card is not None:
            dispatcher.utter_message(
                response="utter_card_not_freezable",
                card=mask_card(card.last4),
                kind=_kind(card, language),
                status=STATUSES[language].get(card.status, card.status),
            )
        else:
            dispatcher.utter_message(
                response="utter_card_not_found", card=mask_card(str(last4 or ""))
            )
        if lost:
            dispatcher.utter_message(text=catalog_answer("card_lost_info", language))
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
            dispatcher.utter_message(
                text=catalog_answer("card_lost_info", current_language(tracker))
            )
        return _clear_freeze()
