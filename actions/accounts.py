"""Account services after verification: balances and statements (docs/requirements.md, rule 7).

Every action here is a :class:`~actions.verification.gate.VerifiedAction`:
without a verification of *this* conversation it remembers the request
(``pending_service`` and its filters) and starts the verification form, and
:mod:`actions.resume` shows the balance or statement once the customer is
verified. Nothing about an account is said before that.

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

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.deps import db, deps
from actions.language import current_language
from actions.tracker import latest_entity, latest_text
from actions.verification.gate import VerifiedAction
from actions.verification.identity import VerifiedCustomer
from actions.wording import ACCOUNT_TYPES, LIST_SEPARATOR, MORE_BUTTON, filter_label
from common.redaction import card_shown
from corebank.money import format_money, to_cents
from corebank.repository import Transaction

PAGE_SIZE = 10

_MONTH = re.compile(r"(\d{4})-(\d{2})")
_OUT_WORDS = re.compile(
    r"消费|支出|花了|花费|付款|支付|转出|扣款|spent|spend|spending|purchase|paid|outgoing"
)
_IN_WORDS = re.compile(r"收入|转入|入账|到账|工资|收款|income|incoming|received|deposit|salary")


# --------------------------------------------------------------------------- filters


def request_filters(tracker: Tracker) -> dict[str, Any]:
    """Filters a transactions request names: month, minimum amount, direction."""
    text = latest_text(tracker).lower()
    month = latest_entity(tracker, "month")
    amount = latest_entity(tracker, "amount")
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


# --------------------------------------------------------------------------- services


async def show_balance(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    verified: VerifiedCustomer,
    domain: DomainDict | None = None,
) -> list[EventType]:
    """Every account's balance."""
    language = current_language(tracker)
    accounts = await db(deps().repo.accounts_for, verified.id)
    if not accounts:
        dispatcher.utter_message(response="utter_no_accounts", name=verified.name)
        return []
    names = ACCOUNT_TYPES[language]
    lines = "\n".join(
        f"· {names.get(a.type, a.type)} {card_shown(a.number_last4)}{LIST_SEPARATOR[language]}"
        f"{format_money(a.balance_cents, a.currency, language)}"
        for a in accounts
    )
    dispatcher.utter_message(response="utter_balance", name=verified.name, lines=lines)
    return []


def _transaction_line(t: Transaction, language: str) -> str:
    when = t.local_time.strftime("%Y-%m-%d %H:%M")
    amount = format_money(t.amount_cents, t.currency, language)
    return (
        f"· {when}  {t.description} · {t.counterparty}  {amount}  ({card_shown(t.account_last4)})"
    )


async def show_transactions(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    verified: VerifiedCustomer,
    domain: DomainDict | None = None,
    filters: dict[str, Any] | None = None,
) -> list[EventType]:
    """One page of statement lines; ``filters`` default to the slots (paging, resuming)."""
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
        deps().repo.recent_transactions,
        verified.id,
        limit=PAGE_SIZE,
        offset=offset,
        month=month,
        min_amount_cents=min_cents,
        direction=direction,
    )
    minimum = format_money(min_cents, "CNY", language) if min_cents else None
    label = filter_label(language, month, minimum, direction)
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


# --------------------------------------------------------------------------- actions


class ActionCheckBalance(VerifiedAction):
    """Balance request ("查余额", "what's my balance")."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_check_balance"

    def service(self, tracker: Tracker) -> str:
        """Resumed as the balance."""
        return "balance"

    async def serve(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        verified: VerifiedCustomer,
        domain: DomainDict,
    ) -> list[EventType]:
        """Every account's balance."""
        return await show_balance(dispatcher, tracker, verified)


class ActionCheckTransactions(VerifiedAction):
    """Statement request ("查交易记录", "transactions over 500 in October")."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_check_transactions"

    def service(self, tracker: Tracker) -> str:
        """Resumed as the statement."""
        return "transactions"

    def remember(self, tracker: Tracker) -> dict[str, Any]:
        """The month, amount and direction the request names."""
        return request_filters(tracker)

    async def serve(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        verified: VerifiedCustomer,
        domain: DomainDict,
    ) -> list[EventType]:
        """The first page, with the request's filters."""
        return await show_transactions(
            dispatcher, tracker, verified, filters=request_filters(tracker)
        )


class ActionMoreTransactions(VerifiedAction):
    """The "more" button after a page of transactions ("更多"): the next, older page."""

    refuse_third_party = False  # "more" names nobody

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_more_transactions"

    def service(self, tracker: Tracker) -> str:
        """A lapsed verification: prove it again, then the statement continues."""
        return "transactions"

    async def serve(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        verified: VerifiedCustomer,
        domain: DomainDict,
    ) -> list[EventType]:
        """The next page, or "that was all"."""
        if not tracker.get_slot("txn_has_more"):
            dispatcher.utter_message(response="utter_transactions_end", filters="")
            return [SlotSet("txn_has_more", False)]
        return await show_transactions(dispatcher, tracker, verified)
