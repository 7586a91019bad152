"""Tables of identity verification: challenges, wrong codes, locks, code sends.

They live in the core-banking DB (not the gateway's) because a lockout must
hold across conversations, gateways and engines: whoever guessed wrong three
times in one chat must not start again in the next one.

Nothing here can give a secret back:

* phone numbers are stored only as a keyed hash (``phone_key``), enough to
  count failures and lock a number, never to read it back;
* a one-time code is stored only as its keyed digest (:func:`common.codes.code_digest`);
* ID digits are never stored at all, only whether the facts matched, implied
  by ``customer_id`` being set.

:class:`actions.store.verification.VerificationStore` is the only code that
reads or writes them, and creates them when they are missing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from actions.store.base import CUSTOMER_ID, Base, in_values
from corebank.models import BigIntKey, UTCDateTime

__all__ = [
    "CHALLENGE_PURPOSES",
    "CHALLENGE_STATUSES",
    "CodeSend",
    "VerificationChallenge",
    "VerificationFailure",
    "VerificationLock",
]

CHALLENGE_PURPOSES = ("verify", "reverify")
CHALLENGE_STATUSES = ("open", "verified", "failed", "cancelled")

# A keyed SHA-256 in hex.
_HEX64 = 64


class VerificationChallenge(Base):
    """One attempt of one conversation to prove who the customer is.

    Opened when the customer names a phone number; ``candidate_customer_id``
    is the customer registered with it (or ``NULL``). After the ID digits,
    ``customer_id`` is set only if they matched, and a code is issued:
    a real one, sent by SMS, when the facts matched, otherwise the digest of a
    random code sent nowhere, so the row and the reply look the same.
    """

    __tablename__ = "verification_challenges"
    __table_args__ = (
        CheckConstraint(in_values("purpose", CHALLENGE_PURPOSES), name="purpose"),
        CheckConstraint(in_values("status", CHALLENGE_STATUSES), name="status"),
        CheckConstraint("wrong_codes >= 0 AND sends >= 0", name="counters"),
        Index("ix_verification_challenges_conversation", "conversation_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(128))
    purpose: Mapped[str] = mapped_column(String(8), default="verify")
    phone_key: Mapped[str] = mapped_column(String(_HEX64))
    candidate_customer_id: Mapped[int | None] = mapped_column(ForeignKey(CUSTOMER_ID))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey(CUSTOMER_ID))
    code_digest: Mapped[str | None] = mapped_column(String(_HEX64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sends: Mapped[int] = mapped_column(Integer, default=0)
    wrong_codes: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(10), default="open")
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class VerificationFailure(Base):
    """A wrong code (the only way a wrong phone or wrong ID digits show)."""

    __tablename__ = "verification_failures"
    __table_args__ = (
        Index("ix_verification_failures_conversation", "conversation_id"),
        Index("ix_verification_failures_phone_at", "phone_key", "at"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(128))
    phone_key: Mapped[str] = mapped_column(String(_HEX64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class VerificationLock(Base):
    """A phone number nobody may verify with until ``locked_until``."""

    __tablename__ = "verification_locks"

    phone_key: Mapped[str] = mapped_column(String(_HEX64), primary_key=True)
    locked_until: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    conversation_id: Mapped[str] = mapped_column(String(128))


class CodeSend(Base):
    """A code issued for a phone (sent or not): the SMS rate limit counts these."""

    __tablename__ = "verification_code_sends"
    __table_args__ = (Index("ix_verification_code_sends_phone_at", "phone_key", "at"),)

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    phone_key: Mapped[str] = mapped_column(String(_HEX64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
