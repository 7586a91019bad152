"""Complaint tickets (docs/requirements.md, rules 14, 19, 20) and the store that writes them.

Every complaint the assistant takes is registered at once with a reference
number (``TS20261125-7K3Q``), the time, the content (what happened, when and
where), the category, the contact and the deadline the customer was told.
They live in the core-banking DB, next to the customers they point at,
because the complaint desk works from the bank's records, not from chat
transcripts: the gateway's conversation store is purged on its own schedule.

Privacy (rules 9, 11): the content is stored with card, ID and phone numbers
masked (:func:`redact`). The contact of a verified customer is their
registered phone, kept as ``customer_id`` plus the masked number shown to
them; only a customer who was not verified and left a number for the reply
has that number stored (``callback_phone``), for the call-back and nothing
else, and it is never shown unmasked.

Deadlines (rule 20): general complaints (service attitude, errors in business
handling, anything else) are answered within 3 working days; complex ones
(products, information security: channels and irregular operations) within
7 to 10 working days. Working days here skip weekends; public holidays only
make the bank's own calendar later, never earlier, than what is promised.

:class:`ComplaintStore` is the only code that reads or writes the table.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import (
    CheckConstraint,
    Date,
    Engine,
    ForeignKey,
    Index,
    String,
    Text,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from actions.store.base import CUSTOMER_ID, Base, create_tables, in_values
from common.languages import DEFAULT_LANGUAGE, LANGUAGES
from common.redaction import ID_SHORT
from common.redaction import redact as masked
from corebank.db import session_factory
from corebank.models import BANK_TZ, BigIntKey, UTCDateTime

__all__ = [
    "CATEGORIES",
    "COMPLEX_CATEGORIES",
    "ComplaintStore",
    "ComplaintTicket",
    "NOTIFY_CHANNELS",
    "Ticket",
    "add_working_days",
    "deadline_days",
    "redact",
]

CATEGORIES = ("service_attitude", "business_handling", "product", "information_security", "other")
COMPLEX_CATEGORIES = frozenset({"product", "information_security"})
NOTIFY_CHANNELS = ("sms", "callback", "none")
STATUSES = ("open", "in_progress", "resolved")
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out on the phone
MAX_TEXT = 2000


class ComplaintTicket(Base):
    """One registered complaint."""

    __tablename__ = "complaint_tickets"
    __table_args__ = (
        CheckConstraint(in_values("category", CATEGORIES), name="category"),
        CheckConstraint(in_values("notify_by", NOTIFY_CHANNELS), name="notify_by"),
        CheckConstraint(in_values("status", STATUSES), name="status"),
        CheckConstraint(in_values("language", LANGUAGES), name="language"),
        Index("ix_complaint_tickets_conversation", "conversation_id"),
        Index("ix_complaint_tickets_customer", "customer_id"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    conversation_id: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    category: Mapped[str] = mapped_column(String(24))
    description: Mapped[str] = mapped_column(Text)
    when_where: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(2))
    due_by: Mapped[date] = mapped_column(Date)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey(CUSTOMER_ID))
    contact_masked: Mapped[str | None] = mapped_column(String(16))
    callback_phone: Mapped[str | None] = mapped_column(String(11))
    notify_by: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(12), default="open")


# --------------------------------------------------------------------------- rules


def redact(text: str) -> str:
    """``text`` with ID, phone and card numbers masked, trimmed to :data:`MAX_TEXT`."""
    return masked(text or "", id_mark=ID_SHORT).strip()[:MAX_TEXT]


def deadline_days(category: str) -> tuple[int, int]:
    """Working days within which the bank answers: (3, 3) general, (7, 10) complex."""
    return (7, 10) if category in COMPLEX_CATEGORIES else (3, 3)


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days (Monday to Friday) after ``start``."""
    current = start
    left = days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


@dataclass(frozen=True, slots=True)
class Ticket:
    """A registered complaint, as the assistant may tell the customer about it."""

    reference: str
    category: str
    created_at: datetime
    due_by: date
    deadline: tuple[int, int]
    notify_by: str
    contact_masked: str | None
    customer_id: int | None
    description: str
    when_where: str

    @property
    def complex(self) -> bool:
        """Products, channels, irregular operations: 7-10 working days."""
        return self.category in COMPLEX_CATEGORIES


def _ticket(row: ComplaintTicket) -> Ticket:
    return Ticket(
        reference=row.reference,
        category=row.category,
        created_at=row.created_at,
        due_by=row.due_by,
        deadline=deadline_days(row.category),
        notify_by=row.notify_by,
        contact_masked=row.contact_masked,
        customer_id=row.customer_id,
        description=row.description,
        when_where=row.when_where,
    )


# --------------------------------------------------------------------------- store


class ComplaintStore:
    """Registers and reads complaint tickets (synchronous; ``clock`` is "now")."""

    def __init__(
        self,
        bind: Engine | sessionmaker[Session],
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """``bind``: an engine or session factory on the core-banking DB."""
        self._sessions = session_factory(bind) if isinstance(bind, Engine) else bind
        self._clock = clock

    def ensure_schema(self) -> None:
        """Create the table if it does not exist yet (idempotent)."""
        create_tables(self._sessions.kw["bind"], ComplaintTicket)

    def register(
        self,
        *,
        conversation_id: str,
        category: str,
        description: str,
        when_where: str,
        language: str,
        customer_id: int | None = None,
        contact_masked: str | None = None,
        callback_phone: str | None = None,
    ) -> Ticket:
        """Store a new complaint and give it a reference number.

        ``notify_by``: SMS to the registered phone of a verified customer, a
        call-back to the number an unverified customer left, or none (the
        customer follows it up with the reference number).
        """
        if category not in CATEGORIES:
            raise ValueError(f"unknown complaint category {category!r}")
        now = self._clock()
        local_day = now.astimezone(BANK_TZ).date()
        notify_by = "sms" if customer_id is not None else "callback" if callback_phone else "none"
        for _ in range(10):  # 32^4 codes a day: a collision is rare, a retry enough
            row = ComplaintTicket(
                reference=f"TS{local_day:%Y%m%d}-"
                + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(4)),
                conversation_id=conversation_id,
                created_at=now,
                category=category,
                description=redact(description),
                when_where=redact(when_where),
                language=language if language in LANGUAGES else DEFAULT_LANGUAGE,
                due_by=add_working_days(local_day, deadline_days(category)[1]),
                customer_id=customer_id,
                contact_masked=contact_masked,
                callback_phone=callback_phone if customer_id is None else None,
                notify_by=notify_by,
                status="open",
            )
            try:
                with self._sessions.begin() as session:
                    session.add(row)
                return _ticket(row)
            except IntegrityError:
                continue
        raise RuntimeError("could not allocate a complaint reference number")

    def get(self, reference: str) -> Ticket | None:
        """The ticket with this reference number."""
        with self._sessions() as session:
            row = session.scalars(
                select(ComplaintTicket).where(ComplaintTicket.reference == reference)
            ).first()
            return None if row is None else _ticket(row)

    def for_conversation(self, conversation_id: str) -> list[Ticket]:
        """Tickets registered in one conversation, oldest first."""
        with self._sessions() as session:
            rows = session.scalars(
                select(ComplaintTicket)
                .where(ComplaintTicket.conversation_id == conversation_id)
                .order_by(ComplaintTicket.id)
            ).all()
            return [_ticket(r) for r in rows]
