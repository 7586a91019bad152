"""Who this conversation proved to be, and how long ago.

The slots say what the dialogue believes; the core bank's record of the
conversation's last successful challenge is what counts. Both must agree, and
the verification must be younger than ``verified_ttl_s`` (30 minutes) to show
an account, younger than ``fresh_verification_s`` (5 minutes) for a
high-risk operation (docs/requirements.md, rules 7-8).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from rasa_sdk import Tracker

from actions.deps import Deps, db, deps
from corebank.repository import Customer


def iso_utc(moment: datetime) -> str:
    """``2026-11-25T08:30:00Z``."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class VerifiedCustomer:
    """The customer this conversation proved to be, and when."""

    customer: Customer
    verified_at: datetime

    @property
    def id(self) -> int:
        """The customer's id."""
        return self.customer.id

    @property
    def name(self) -> str:
        """The customer's name, as the answers greet them."""
        return self.customer.name


async def verified_customer(
    tracker: Tracker, the_deps: Deps | None = None
) -> VerifiedCustomer | None:
    """Who this conversation is verified as, or ``None`` (see module docs)."""
    d = the_deps or deps()
    claimed = tracker.get_slot("verified_customer_id")
    if claimed in (None, ""):
        return None
    record = await db(d.verifications.latest_verification, tracker.sender_id)
    if record is None or str(record.customer_id) != str(claimed):
        return None
    if d.clock() - record.verified_at > timedelta(seconds=d.settings.verified_ttl_s):
        return None
    customer = await db(d.repo.get_customer, record.customer_id)
    if customer is None:
        return None
    return VerifiedCustomer(customer, record.verified_at)


def is_fresh(verified: VerifiedCustomer, the_deps: Deps | None = None) -> bool:
    """Whether the verification is recent enough for a high-risk operation (rule 8)."""
    d = the_deps or deps()
    age = d.clock() - verified.verified_at
    return age <= timedelta(seconds=d.settings.fresh_verification_s)
