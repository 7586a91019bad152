"""Request and response bodies of the agent API (docs/architecture.md, the public API)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from handoff.schemas.bounds import RowIdField
from handoff.schemas.conversations import MessageOut


class _Strict(BaseModel):
    """Unknown fields are an error, so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid")


class Login(_Strict):
    """Credentials for `POST /api/agent/login`."""

    username: str = Field(min_length=1, max_length=40)
    password: str = Field(min_length=1, max_length=256)
    # The authenticator app's code, once a second factor is enrolled.
    totp: str | None = Field(None, max_length=12)


class StaffOut(BaseModel):
    """A staff member as the API shows them."""

    id: int
    name: str
    role: Literal["agent", "supervisor", "editor"]


class LoginResult(BaseModel):
    """The session token and who it belongs to."""

    token: str
    agent: StaffOut


class Me(BaseModel):
    """The logged-in staff member."""

    agent: StaffOut


class QueueItem(BaseModel):
    """One waiting handoff in the queue."""

    id: int
    conversation_id: str
    reason: str
    priority: str
    language: str | None
    waited_s: int
    queue_position: int | None
    status: str
    # Rule 15: waiting for more than 10 minutes.
    alert: bool = False
    # "live", or "message": left a message, answered later (issue 18), due by `due_at`.
    mode: str = "live"
    due_at: str | None = None
    sla_overdue: bool = False


class QueueList(BaseModel):
    """`GET /api/agent/queue`."""

    items: list[QueueItem]


class Holder(BaseModel):
    """The agent who holds a chat."""

    id: int
    name: str


class OpenChat(QueueItem):
    """A claimed chat and its holder."""

    agent: Holder | None


class OpenChatList(BaseModel):
    """`GET /api/agent/handoffs`."""

    items: list[OpenChat]


class Verification(BaseModel):
    """Whether (and when) the customer passed identity verification."""

    verified: bool
    at: str | None
    # Older than the action server's VERIFIED_TTL_S: verify again before account details.
    expired: bool = False
    expires_at: str | None = None


class Failure(BaseModel):
    """A place in the transcript where the bot did not manage."""

    seq: int
    kind: str


class Summary(BaseModel):
    """The digest an agent reads before answering."""

    intents: list[str]
    faq_keys: list[str]
    customer_messages: int
    customer_asked: list[str]
    bot_answered: list[str]
    failed_attempts: int
    failures: list[Failure]


class EvidenceIntent(BaseModel):
    """An intent the engine saw, with its confidence when reported."""

    name: str
    confidence: float | None = None


class DisputeOut(BaseModel):
    """An agent's verdict that the handoff was a false alarm."""

    label: str
    by: str
    at: str


class Evidence(BaseModel):
    """Why the handoff happened (`common.evidence`), completed from the gateway's facts."""

    reported: bool
    messages: list[str]
    detector: str
    score: float | None
    intents: list[EvidenceIntent]
    faqs: list[str]
    verified: bool
    dispute_label: Literal["not_upset", "not_fraud"] | None
    dispute: DisputeOut | None


class Dispute(_Strict):
    """Body of `POST /api/agent/handoffs/{id}/dispute`."""

    label: Literal["not_upset", "not_fraud"]


class HandoffDetail(QueueItem):
    """`GET /api/agent/handoffs/{id}`: everything about one chat."""

    conversation_state: str
    created_at: str | None
    claimed_at: str | None
    closed_at: str | None
    resolution: str | None
    agent: Holder | None
    requeued: bool
    verification: Verification
    summary: Summary
    evidence: Evidence
    transcript: list[MessageOut]


class AgentMessage(_Strict):
    """The agent's reply."""

    # Length is checked after cleaning, like the customer's.
    text: str = Field(max_length=20_000)


class Close(_Strict):
    """How the chat ended, and whether the bot takes over again."""

    resolution: str = Field(min_length=1, max_length=2000)
    return_to_bot: bool = False


class Closed(BaseModel):
    """The handoff and conversation after closing."""

    id: int
    status: str
    conversation_state: str


class Reassign(_Strict):
    """The agent a supervisor gives the chat to."""

    agent_id: RowIdField


class StaffMember(StaffOut):
    """An agent's presence and load, for supervisors."""

    username: str
    online: bool
    chats: int
    capacity: int


class StaffList(BaseModel):
    """`GET /api/agent/staff`."""

    items: list[StaffMember]


class CallbackOut(BaseModel):
    """A callback to make; the phone number is masked."""

    id: int
    reference: str
    conversation_id: str
    phone: str
    language: str | None
    reason: str
    call_at: str
    call_at_local: str
    status: str


class CallbackList(BaseModel):
    """`GET /api/agent/callbacks`."""

    items: list[CallbackOut]


class CallbackDetail(CallbackOut):
    """`GET /api/agent/callbacks/{id}`: the ticket and the conversation it came from."""

    priority: str | None
    verification: Verification
    summary: Summary
    transcript: list[MessageOut]
    note: str | None


class CallbackDone(_Strict):
    """How the call went (kept with the ticket)."""

    note: str = Field(min_length=1, max_length=2000)


class CannedReply(BaseModel):
    """A standard phrasing in both languages."""

    key: str
    situation: str
    zh: str
    en: str


class CannedList(BaseModel):
    """`GET /api/agent/canned-replies`."""

    items: list[CannedReply]
