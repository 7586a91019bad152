"""Account services after verification: balances and statements (rule 7).

Every action here first asks :func:`actions.verification.verified_customer`;
without a verification of *this* conversation it remembers the request
(``pending_service`` and its filters) and starts the verification form,
which comes back to :func:`resume_service` once the customer is verified.
Nothing about an account is said before that.

Money is integer cents from the repository, shown with
:func:`corebank.money.format_money`; account numbers only as ``**** 1234``.
Transactions come 10 at a time, newest first; "more" (``/more``) pages back,
with the month (``month`` entity, ``YYYY-MM``) and amount (``amount``
entity: "over 500") filters of the request.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import InvalidOperation
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.language import current_language
from actions.refusals import mentions_someone_else, refuse_third_party
from actions.verification import (
    VerifiedCustomer,
    bank,
    db,
    mask_card,
    start_verification,
    verified_customer,
)
from corebank.money import format_money, to_cents

PAGE_SIZE = 10

ACCOUNT_TYPES = {
    "zh": {"current": "活期账户", "savings": "储蓄账户"},
    "en": {"current": "Current account", "savings": "Savings account"},
}
MORE_BUTTON = {
    "zh": {"title": "查看更多", "payload": "/more"},
    "en": {"title": "Show more", "payload": "/more"},
}

_MONTH = re.compile(r"(\d{4})-(\d{2})")
_OUT_WORDS = re.compile(
    r"消费|支出|花了|花费|付款|支付|转出|扣款|spent|spend|spending|purchase|paid|outgoing"
)
_IN_WORDS = re.compile(r"收入|转入|入账|到账|工资|收款|income|incoming|received|deposit|salary")


# --------------------------------------------------------------------------- filters


def _entity(tracker: Tracker, name: str) -> str | None:
    value = next(tracker.get_latest_entity_values(name), None)
    return None if value in (None, "") else str(value)


def request_filters(tracker: Tracker) -> dict[str, Any]:
    """Filters a transactions request names: month, minimum amount, direction."""
    text = str((tracker.latest_message or {}).get("text") or "").lower()
    month = _entity(tracker, "month")
    amount = _entity(tracker, "amount")
    direction = None
    if _OUT_WORDS.search(text) and not _IN_WORDS.search(text):
        direction = "out"
    elif _IN_WORDS.search(text) and not _OUT_WORDS.search(text):
        direction = "in"
    return {
        "txn_month": month if month and _MONTH.fullmatch(month) else None,
        "txn_min_amount": amount,
        "txn_direction": direction,
        "txn_offset": 0,
    }


def _month(value: str | None) -> date | None:
    match = _MONTH.fullmatch(value or "")
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    return date(year, month, 1) if 1 <= month <= 12 else None


def _cents(value: str | None) -> int | None:
    if not value:
        return None
    try:
        cents = to_cents(str(value))
    except (TypeError, ValueError, InvalidOperation):
        return None
    return cents if cents > 0 else None


def _month_label(month: date, language: str) -> str:
    if language == "zh":
        return f"{month.year}年{month.month}月"
    return month.strftime("%B %Y")


# --------------------------------------------------------------------------- services


async def show_balance(
    dispatcher: CollectingDispatcher, tracker: Tracker, verified: VerifiedCustomer
) -> list[EventType]:
    """Every account's balance."""
    language = current_language(tracker)
    accounts = await db(bank().repo.accounts_for, verified.id)
    if not accounts:
        dispatcher.utter_message(response="utter_no_accounts", name=verified.name)
        return []
    names = ACCOUNT_TYPES[language]
    separator = "：" if language == "zh" else ": "
    lines = "\n".join(
        f"· {names.get(a.type, a.type)} {mask_card(a.number_last4)}{separator}"
        f"{format_money(a.balance_cents, a.currency, language)}"
        for a in accounts
    )
    dispatcher.utter_message(response="utter_balance", name=verified.name, lines=lines)
    return []


def _transaction_line(t: Any, language: str) -> str:
    when = t.local_time.strftime("%Y-%m-%d %H:%M")
    amount = format_money(t.amount_cents, t.currency, language)
    return f"· {when}  {t.description} · {t.counterparty}  {amount}  ({mask_card(t.account_last4)})"


def _filter_label(
    language: str, month: date | None, min_cents: int | None, direction: str | None
) -> str:
    parts: list[str] = []
    if language == "zh":
        if month:
            parts.append(_month_label(month, language))
        if min_cents:
            parts.append(f"金额在 {format_money(min_cents, 'CNY', language)} 及以上")
        if direction:
            parts.append("支出" if direction == "out" else "收入")
        return "（" + "，".join(parts) + "）" if parts else ""
    if month:
        parts.append(f"in {_month_label(month, language)}")
    if min_cents:
        parts.append(f"of {format_money(min_cents, 'CNY', language)} or more")
    if direction:
        parts.append("outgoing" if direction == "out" else "incoming")
    return " (" + ", ".join(parts) + ")" if parts else ""


async def show_transactions(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    verified: VerifiedCustomer,
    filters: dict[str, Any] | None = None,
) -> list[EventType]:
    """One page of statement lines; ``filters`` default to the slots (paging)."""
    language = current_language(tracker)
    f = (
        filters
        if filters is not None
        else {
            "txn_month": tracker.get_slot("txn_month"),
            "txn_min_amount": tracker.get_slot("txn_min_amount"),
            "txn_direction": tracker.get_slot("txn_direction"),
            "txn_offset": tracker.get_slot("txn_offset") or 0,
        }
    )
    month = _month(f.get("txn_month"))
    min_cents = _cents(f.get("txn_min_amount"))
    direction = f.get("txn_direction") if f.get("txn_direction") in ("in", "out") else None
    offset = max(0, int(f.get("txn_offset") or 0))
    page = await db(
        bank().repo.recent_transactions,
        verified.id,
        limit=PAGE_SIZE,
        offset=offset,
        month=month,
        min_amount_cents=min_cents,
        direction=direction,
    )
    label = _filter_label(language, month, min_cents, direction)
    keep = [
        SlotSet("txn_month", f.get("txn_month") if month else None),
        SlotSet("txn_min_amount", f.get("txn_min_amount") if min_cents else None),
        SlotSet("txn_direction", direction),
    ]
    if not page.items:
        response = "utter_transactions_none" if offset == 0 else "utter_transactions_end"
        dispatcher.utter_message(response=response, filters=label)
        return keep + [SlotSet("txn_offset", 0), SlotSet("txn_has_more", False)]
    lines = "\n".join(_transaction_line(t, language) for t in page.items)
    first, last = offset + 1, offset + len(page.items)
    buttons = [MORE_BUTTON[language]] if page.has_more else []
    dispatcher.utter_message(
        response="utter_transactions" if page.has_more else "utter_transactions_last_page",
        name=verified.name,
        filters=label,
        first=first,
        last=last,
        lines=lines,
        buttons=buttons,
    )
    return keep + [
        SlotSet("txn_offset", page.next_offset or 0),
        SlotSet("txn_has_more", page.has_more),
    ]


async def resume_service(
    service: str,
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    verified: VerifiedCustomer,
) -> list[EventType]:
    """Do what the customer asked for before verification (``pending_service``)."""
    from actions import cards  # cards imports this module's neighbours

    if service == "balance":
        return await show_balance(dispatcher, tracker, verified)
    if service == "transactions":
        return await show_transactions(dispatcher, tracker, verified)
    if service == "card_status":
        return await cards.show_card_status(dispatcher, tracker, verified)
    if service in ("freeze_card", "lost_card"):
        return await cards.ask_freeze_confirmation(
            dispatcher,
            tracker,
            verified,
            tracker.get_slot("card_last4"),
            lost=service == "lost_card",
        )
    dispatcher.utter_message(response="utter_verified_what_next")
    return []


# --------------------------------------------------------------------------- actions


class ActionCheckBalance(Action):
    """Balance request ("查余额", "what's my balance")."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_check_balance"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Run the action (see the class docstring)."""
        verified = await verified_customer(tracker)
        if mentions_someone_else(tracker, verified):
            return refuse_third_party(dispatcher)
        if verified is None:
            return start_verification(dispatcher, tracker, "balance")
        return await show_balance(dispatcher, tracker, verified)


class ActionCheckTransactions(Action):
    """Statement request ("查交易记录", "transactions over 500 in October")."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_check_transactions"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Run the action (see the class docstring)."""
        verified = await verified_customer(tracker)
        if mentions_someone_else(tracker, verified):
            return refuse_third_party(dispatcher)
        filters = request_filters(tracker)
        if verified is None:
            return start_verification(dispatcher, tracker, "transactions", filters)
        return await show_transactions(dispatcher, tracker, verified, filters)


class ActionMoreTransactions(Action):
    """"More" after a page of transactions ("更多"): the next, older page."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_more_transactions"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Run the action (see the class docstring)."""
        verified = await verified_customer(tracker)
        if verified is None:  # the verification has lapsed: prove it again, then continue
            return start_verification(dispatcher, tracker, "transactions")
        if not tracker.get_slot("txn_has_more"):
            dispatcher.utter_message(response="utter_transactions_end", filters="")
            return [SlotSet("txn_has_more", False)]
        return await show_transactions(dispatcher, tracker, verified)
