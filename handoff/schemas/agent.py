"""Request and response bodies of the agent API (DESIGN.md "Agent side")."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from handoff.schemas.conversations import MessageOut


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Login(_Strict):
    username: str = Field(min_length=1, max_length=40)
    password: str = Field(min_length=1, max_length=256)


class StaffOut(BaseModel):
    id: int
    name: str
    role: Literal["agent", "supervisor", "editor"]


class LoginResult(BaseModel):
    token: str
    agent: StaffOut


class Me(BaseModel):
    agent: StaffOut


class QueueItem(BaseModel):
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


class QueueList(BaseModel):
    items: list[QueueItem]


class Holder(BaseModel):
    id: int
    name: str


class OpenChat(QueueItem):
    agent: Holder | None


class OpenChatList(BaseModel):
    items: list[OpenChat]


class Verification(BaseModel):
    verified: bool
    at: str | None


class Failure(BaseModel):
    seq: int
    kind: str


class Summary(BaseModel):
    intents: list[str]
    faq_keys: list[str]
    customer_messages: int
    customer_asked: list[str]
    bot_answered: list[str]
    failed_attempts: int
    failures: list[Failure]


class HandoffDetail(QueueItem):
    conversation_state: str
    created_at: str | None
    claimed_at: str | None
    closed_at: str | None
    resolution: str | None
    agent: Holder | None
    requeued: bool
    verification: Verification
    summary: Summary
    transcript: list[MessageOut]


class AgentMessage(_Strict):
    # Length is checked after cleaning, like the customer's.
    text: str = Field(max_length=20_000)


class Close(_Strict):
    resolution: str = Field(min_length=1, max_length=2000)
    return_to_bot: bool = False


class Closed(BaseModel):
    id: int
    status: str
    conversation_state: str


class Reassign(_Strict):
    agent_id: int


class StaffMember(StaffOut):
    username: str
    online: bool
    chats: int
    capacity: int


class StaffList(BaseModel):
    items: list[StaffMember]


class CallbackOut(BaseModel):
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
    items: list[CallbackOut]


class CannedReply(BaseModel):
    key: str
    situation: str
    zh: str
    en: str


class CannedList(BaseModel):
    items: list[CannedReply]
