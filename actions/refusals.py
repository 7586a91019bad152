"""Requests the assistant refuses, politely, with what to do instead (docs/requirements.md, rule 9).

* someone else's balance or details ("查一下我老公的余额") — only the account
  holder, verified, hears about an account;
* sending a password, PIN or code to anyone ("把密码发给我朋友");
* asking the assistant for the customer's password ("我的密码是多少") — the
  bank does not know it and never asks for it.

The intents ``third_party_info``, ``share_credentials`` and ``ask_password``
map to :class:`ActionRefuseRequest`; the account and card actions' gate
(:mod:`actions.verification.gate`) also calls :func:`mentions_someone_else`, so a
classifier slip ("查一下我老婆的余额" read as ``check_balance``) still never
reaches another person's data.
"""

from __future__ import annotations

import re

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.deps import deps
from actions.identifiers import phones
from actions.tracker import latest_entity, latest_intent, latest_text
from actions.verification.identity import VerifiedCustomer
from corebank.repository import normalise_phone

RESPONSES: dict[str, str] = {
    "third_party_info": "utter_refuse_third_party",
    "share_credentials": "utter_refuse_share_credentials",
    "ask_password": "utter_refuse_ask_password",
}

_PEOPLE_ZH = (
    "老公|老婆|丈夫|妻子|爱人|太太|先生|男朋友|女朋友|对象|爸爸|妈妈|爸|妈|父亲|母亲|"
    "儿子|女儿|孩子|哥哥|姐姐|弟弟|妹妹|哥|姐|弟|妹|朋友|同事|老板|家人|亲戚|邻居"
)
# "我老公的余额", "我妈卡里", "帮我朋友查", "他的余额", "别人的卡"
_THIRD_PARTY_ZH = re.compile(
    rf"我的?({_PEOPLE_ZH})|(他|她|他们|她们|别人|他人|其他人)的|帮(他|她|别人)查|替(他|她|别人)"
)
_PEOPLE_EN = (
    r"wife|husband|partner|friend|mother|mom|mum|father|dad|son|daughter|brother|sister|"
    r"colleague|boss|neighbou?r|client|girlfriend|boyfriend|parents?|family"
)
_THIRD_PARTY_EN = re.compile(
    rf"\bmy\s+({_PEOPLE_EN})(?:'s|’s|s')"
    rf"|\bfor\s+my\s+({_PEOPLE_EN})\b"
    r"|\b(someone|somebody)\s+else'?s?\b|\banother\s+person'?s?\b|\bother\s+people'?s?\b"
    r"|\b(his|her|their)\s+(balance|account|card|transactions?|statement|details|money)\b",
    re.IGNORECASE,
)


def mentions_someone_else(tracker: Tracker, verified: VerifiedCustomer | None = None) -> bool:
    """Whether the request is about another person's account.

    Another person named ("my husband's balance", "他的余额"), or a phone
    number that is not the verified customer's.
    """
    text = latest_text(tracker)
    if _THIRD_PARTY_ZH.search(text) or _THIRD_PARTY_EN.search(text):
        return True
    sealed = phones(deps(), tracker)  # numbers reach us as the gateway's tokens
    phone = sealed[0] if sealed else latest_entity(tracker, "phone")
    if phone and verified is not None:
        return normalise_phone(str(phone)) != verified.customer.phone
    return False


def refuse_third_party(dispatcher: CollectingDispatcher) -> list[EventType]:
    """The polite refusal for someone else's information."""
    dispatcher.utter_message(response="utter_refuse_third_party")
    return []


class ActionRefuseRequest(Action):
    """Refuses what rule 9 forbids, naming what the customer can do instead."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_refuse_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Run the action (see the class docstring)."""
        intent = latest_intent(tracker) or ""
        dispatcher.utter_message(response=RESPONSES.get(intent, "utter_refuse_third_party"))
        return []
