"""The state of identity verification: challenges, code digests, failures, lockouts.

The action server keeps in the conversation's slots only what the dialogue
needs; what security depends on lives here, in the core-banking DB, so it
holds across conversations and processes and cannot be edited by anything
that reaches the engine:

* a conversation's open **challenge** (which phone, whether the facts matched,
  the digest of the code issued, when it expires, how often it was sent);
* **failures** (wrong codes), counted per conversation and per phone;
* **locks** on phone numbers (three failures in a conversation, or too many
  on one number across conversations);
* **code sends** per phone, for the SMS rate limit;
* the **verified** moment of each conversation, the source of truth for
  "is this conversation verified, and how freshly" (docs/requirements.md, rules 7-8).

Phone numbers arrive already hashed (``phone_key``), codes already digested:
this module never sees either in clear. Queries are SQLAlchemy expressions
with bound parameters. Methods are synchronous; ``clock`` is "now".
"""

from __future__ import annotations

import enum
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from actions.store.base import create_tables
from actions.store.verification_tables import (
    CodeSend,
    VerificationChallenge,
    VerificationFailure,
    VerificationLock,
)
from corebank.db import session_factory

__all__ = [
    "Challenge",
    "CodeCheck",
    "CodeOutcome",
    "IssueOutcome",
    "IssueResult",
    "Policy",
    "Verified",
    "VerificationStore",
]

@dataclass(frozen=True, slots=True)
class Policy:
    """The numbers of the verification rules (from the action server's settings)."""

    code_ttl: timedelta = timedelta(minutes=5)
    resend_after: timedelta = timedelta(seconds=60)
    max_sends_per_hour: int = 5
    max_failures: int = 3  # per conversation
    lockout: timedelta = timedelta(minutes=15)
    phone_max_failures: int = 5  # per phone across conversations, within the window
    phone_failure_window: timedelta = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Challenge:
    """A conversation's open challenge, as the actions may see it."""

    id: int
    purpose: str
    phone_key: str
    candidate_customer_id: int | None
    customer_id: int | None  # set once the ID digits matched the candidate
    code_issued: bool
    sent_at: datetime | None
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class Verified:
    """When this conversation last proved it is ``customer_id``."""

    customer_id: int
    verified_at: datetime


class IssueOutcome(enum.StrEnum):
    """What happened to a request for a (new) code."""

    ISSUED = "issued"
    TOO_SOON = "too_soon"  # resend before ``resend_after``
    RATE_LIMITED = "rate_limited"  # too many codes for this phone in the last hour
    NO_CHALLENGE = "no_challenge"


@dataclass(frozen=True, slots=True)
class IssueResult:
    """``customer_id``: whom to text the code to (``None``: send nothing, say the same)."""

    outcome: IssueOutcome
    customer_id: int | None = None
    wait: timedelta = timedelta(0)


class CodeOutcome(enum.StrEnum):
    """The verdict on a submitted code."""

    VERIFIED = "verified"
    WRONG = "wrong"  # or the phone / ID digits were wrong: never said which
    EXPIRED = "expired"
    LOCKED = "locked"  # this failure reached a limit: the phones tried are locked
    NO_CHALLENGE = "no_challenge"


@dataclass(frozen=True, slots=True)
class CodeCheck:
    """Outcome, and for ``VERIFIED`` who and when; for ``WRONG`` the tries left."""

    outcome: CodeOutcome
    customer_id: int | None = None
    verified_at: datetime | None = None
    tries_left: int = 0


def _view(row: VerificationChallenge) -> Challenge:
    return Challenge(
        id=row.id,
        purpose=row.purpose,
        phone_key=row.phone_key,
        candidate_customer_id=row.candidate_customer_id,
        customer_id=row.customer_id,
        code_issued=row.code_digest is not None,
        sent_at=row.sent_at,
        expires_at=row.expires_at,
    )


class VerificationStore:
    """Challenges, failures and locks (see module docs)."""

    def __init__(
        self,
        bind: Engine | sessionmaker[Session],
        *,
        policy: Policy | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """``bind``: the core-banking engine or a session factory; ``clock``: "now"."""
        self._sessions = session_factory(bind) if isinstance(bind, Engine) else bind
        self.policy = policy or Policy()
        self._clock = clock

    def ensure_schema(self) -> None:
        """Create the verification tables that do not exist yet (idempotent)."""
        create_tables(
            self._sessions.kw["bind"],
            VerificationChallenge,
            VerificationFailure,
            VerificationLock,
            CodeSend,
        )

    # ---- locks -----------------------------------------------------------------

    def locked_until(self, phone_key: str) -> datetime | None:
        """Until when this phone may not be used to verify, or ``None``."""
        now = self._clock()
        with self._sessions() as session:
            until = session.scalar(
                select(VerificationLock.locked_until).where(VerificationLock.phone_key == phone_key)
            )
        return until if until is not None and until > now else None

    def failures_in_conversation(self, conversation_id: str) -> int:
        """Wrong codes so far in this conversation."""
        with self._sessions() as session:
            return self._conversation_failures(session, conversation_id)

    # ---- challenges ------------------------------------------------------------

    def begin(
        self,
        conversation_id: str,
        phone_key: str,
        candidate_customer_id: int | None,
        *,
        purpose: str = "verify",
    ) -> Challenge:
        """Open a new challenge for this conversation (closing any open one)."""
        now = self._clock()
        with self._sessions.begin() as session:
            self._close_open(session, conversation_id, "cancelled")
            row = VerificationChallenge(
                conversation_id=conversation_id,
                purpose=purpose,
                phone_key=phone_key,
                candidate_customer_id=candidate_customer_id,
                created_at=now,
                sends=0,
                wrong_codes=0,
                status="open",
            )
            session.add(row)
            session.flush()
            return _view(row)

    def open_challenge(self, conversation_id: str) -> Challenge | None:
        """The conversation's open challenge, if any."""
        with self._sessions() as session:
            row = self._open_row(session, conversation_id)
            return None if row is None else _view(row)

    def issue_code(
        self, conversation_id: str, code_digest: str, *, customer_id: int | None
    ) -> IssueResult:
        """First code of the open challenge, after the ID digits.

        ``customer_id``: the customer when phone and ID digits matched, else
        ``None`` (the digest is then of a code sent nowhere).
        """
        with self._sessions.begin() as session:
            row = self._open_row(session, conversation_id)
            if row is None:
                return IssueResult(IssueOutcome.NO_CHALLENGE)
            row.customer_id = customer_id
            return self._issue(session, row, code_digest)

    def reissue_code(self, conversation_id: str, code_digest: str) -> IssueResult:
        """A new code for the open challenge ("resend"); the old one stops working.

        Allowed ``resend_after`` after the last send, or at once when the last
        code has expired or was burned.
        """
        now = self._clock()
        with self._sessions.begin() as session:
            row = self._open_row(session, conversation_id)
            if row is None or row.code_digest is None or row.sent_at is None:
                return IssueResult(IssueOutcome.NO_CHALLENGE)
            expired = row.expires_at is not None and row.expires_at <= now
            ready_at = row.sent_at + self.policy.resend_after
            if not expired and now < ready_at:
                return IssueResult(IssueOutcome.TOO_SOON, wait=ready_at - now)
            return self._issue(session, row, code_digest)

    def burn_code(self, conversation_id: str) -> None:
        """The code showed up in clear (typed inside a sentence): it stops working now."""
        now = self._clock()
        with self._sessions.begin() as session:
            row = self._open_row(session, conversation_id)
            if row is not None and row.code_digest is not None:
                row.expires_at = now

    def check_code(self, conversation_id: str, code_digest: str) -> CodeCheck:
        """Judge a submitted code digest (constant-time comparison)."""
        now = self._clock()
        policy = self.policy
        with self._sessions.begin() as session:
            row = self._open_row(session, conversation_id)
            if row is None or row.code_digest is None:
                return CodeCheck(CodeOutcome.NO_CHALLENGE)
            if row.expires_at is None or row.expires_at <= now:
                return CodeCheck(CodeOutcome.EXPIRED)
            matches = hmac.compare_digest(row.code_digest.encode(), code_digest.encode())
            if matches and row.customer_id is not None:
                row.status = "verified"
                row.verified_at = now
                row.code_digest = None  # a code works once
                return CodeCheck(CodeOutcome.VERIFIED, customer_id=row.customer_id, verified_at=now)

            row.wrong_codes += 1
            session.add(
                VerificationFailure(
                    conversation_id=conversation_id, phone_key=row.phone_key, at=now
                )
            )
            session.flush()
            in_conversation = self._conversation_failures(session, conversation_id)
            on_phone = (
                session.scalar(
                    select(func.count())
                    .select_from(VerificationFailure)
                    .where(
                        VerificationFailure.phone_key == row.phone_key,
                        VerificationFailure.at > now - policy.phone_failure_window,
                    )
                )
                or 0
            )
            if in_conversation >= policy.max_failures or on_phone >= policy.phone_max_failures:
                phones = {row.phone_key}
                if in_conversation >= policy.max_failures:
                    phones |= set(
                        session.scalars(
                            select(VerificationFailure.phone_key).where(
                                VerificationFailure.conversation_id == conversation_id
                            )
                        )
                    )
                for phone_key in phones:
                    self._lock(session, phone_key, conversation_id, now)
                row.status = "failed"
                row.code_digest = None
                return CodeCheck(CodeOutcome.LOCKED)
            return CodeCheck(CodeOutcome.WRONG, tries_left=policy.max_failures - in_conversation)

    def cancel(self, conversation_id: str) -> None:
        """The customer gave up ("算了"): close the open challenge."""
        with self._sessions.begin() as session:
            self._close_open(session, conversation_id, "cancelled")

    def latest_verification(self, conversation_id: str) -> Verified | None:
        """The conversation's most recent successful verification."""
        stmt = (
            select(VerificationChallenge.customer_id, VerificationChallenge.verified_at)
            .where(
                VerificationChallenge.conversation_id == conversation_id,
                VerificationChallenge.status == "verified",
            )
            .order_by(VerificationChallenge.verified_at.desc(), VerificationChallenge.id.desc())
            .limit(1)
        )
        with self._sessions() as session:
            row = session.execute(stmt).first()
        if row is None or row.customer_id is None or row.verified_at is None:
            return None
        return Verified(customer_id=row.customer_id, verified_at=row.verified_at)

    # ---- retention ---------------------------------------------------------------

    def purge(self, older_than: timedelta = timedelta(days=30)) -> int:
        """Delete challenges, failures, sends and expired locks older than ``older_than``.

        Verification records are kept only as long as a dispute about them is
        plausible (docs/requirements.md, rule 11); returns how many rows were deleted.
        """
        cutoff = self._clock() - older_than
        deleted = 0
        with self._sessions.begin() as session:
            for stmt in (
                delete(VerificationChallenge).where(VerificationChallenge.created_at < cutoff),
                delete(VerificationFailure).where(VerificationFailure.at < cutoff),
                delete(CodeSend).where(CodeSend.at < cutoff),
                delete(VerificationLock).where(VerificationLock.locked_until < self._clock()),
            ):
                deleted += session.execute(stmt).rowcount or 0  # type: ignore[attr-defined]
        return deleted

    # ---- internals ---------------------------------------------------------------

    def _open_row(self, session: Session, conversation_id: str) -> VerificationChallenge | None:
        return session.scalars(
            select(VerificationChallenge)
            .where(
                VerificationChallenge.conversation_id == conversation_id,
                VerificationChallenge.status == "open",
            )
            .order_by(VerificationChallenge.id.desc())
            .limit(1)
        ).first()

    @staticmethod
    def _close_open(session: Session, conversation_id: str, status: str) -> None:
        session.execute(
            update(VerificationChallenge)
            .where(
                VerificationChallenge.conversation_id == conversation_id,
                VerificationChallenge.status == "open",
            )
            .values(status=status, code_digest=None)
            .execution_options(synchronize_session=False)
        )

    @staticmethod
    def _conversation_failures(session: Session, conversation_id: str) -> int:
        return (
            session.scalar(
                select(func.count())
                .select_from(VerificationFailure)
                .where(VerificationFailure.conversation_id == conversation_id)
            )
            or 0
        )

    def _issue(self, session: Session, row: VerificationChallenge, code_digest: str) -> IssueResult:
        now = self._clock()
        recent = (
            session.scalar(
                select(func.count())
                .select_from(CodeSend)
                .where(CodeSend.phone_key == row.phone_key, CodeSend.at > now - timedelta(hours=1))
            )
            or 0
        )
        if recent >= self.policy.max_sends_per_hour:
            return IssueResult(IssueOutcome.RATE_LIMITED)
        row.code_digest = code_digest
        row.sent_at = now
        row.expires_at = now + self.policy.code_ttl
        row.sends += 1
        session.add(CodeSend(phone_key=row.phone_key, at=now))
        return IssueResult(IssueOutcome.ISSUED, customer_id=row.customer_id)

    def _lock(self, session: Session, phone_key: str, conversation_id: str, now: datetime) -> None:
        until = now + self.policy.lockout
        lock = session.get(VerificationLock, phone_key)
        if lock is None:
            session.add(
                VerificationLock(
                    phone_key=phone_key,
                    locked_until=until,
                    locked_at=now,
                    conversation_id=conversation_id,
                )
            )
        elif lock.locked_until < until:
            lock.locked_until = until
            lock.locked_at = now
            lock.conversation_id = conversation_id
