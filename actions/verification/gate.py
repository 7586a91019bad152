"""The one gate every account and card action passes before it says anything about an account.

:class:`VerifiedAction` runs the same checks in the same order for all of them:

1. a request about another person (a relative named, a phone number that is
   not the verified customer's) is refused (rule 9), verified or not;
2. without a verification of *this* conversation the request is remembered
   and the verification form starts (rule 7);
3. a high-risk action (``fresh = True``) with a verification older than five
   minutes sends a new code first (rule 8);
4. only then does :meth:`VerifiedAction.serve` run, with the verified customer.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.refusals import mentions_someone_else, refuse_third_party
from actions.verification.flow import start_reverification, start_verification
from actions.verification.identity import VerifiedCustomer, is_fresh, verified_customer


class VerifiedAction(Action, ABC):
    """An action for the verified account holder only (see module docs)."""

    fresh: bool = False
    """A high-risk operation: the verification must be younger than five minutes."""
    refuse_third_party: bool = True
    """Refuse requests about another person before anything else."""

    @abstractmethod
    def name(self) -> str:
        """The action's name in the domain (a base without one is no action)."""

    @abstractmethod
    def service(self, tracker: Tracker) -> str:
        """What ``pending_service`` remembers, so :mod:`actions.resume` can do it later."""

    def remember(self, tracker: Tracker) -> dict[str, Any]:
        """Slots the service needs after a verification (filters, a card)."""
        return {}

    @abstractmethod
    async def serve(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        verified: VerifiedCustomer,
        domain: DomainDict,
    ) -> list[EventType]:
        """Do what the customer asked, for the customer they proved to be."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """The gate, then :meth:`serve`."""
        verified = await verified_customer(tracker)
        if self.refuse_third_party and mentions_someone_else(tracker, verified):
            return refuse_third_party(dispatcher)
        if verified is None:
            return start_verification(
                dispatcher, tracker, self.service(tracker), self.remember(tracker)
            )
        if self.fresh and not is_fresh(verified):
            return await start_reverification(
                dispatcher, tracker, verified, self.service(tracker), self.remember(tracker)
            )
        return await self.serve(dispatcher, tracker, verified, domain)
