"""Request and response bodies of the customer API (the contract in docs/architecture.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CreateConversation(_Strict):
    """Body of POST /api/conversations."""

    channel: Literal["web", "app"] = "web"
    language: Literal["zh", "en"] | None = None
    # A random id the widget keeps in the browser, so repeat contacts can be
    # counted (first-contact resolution); only its hash is stored.
    browser: str | None = Field(None, min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")


class Button(BaseModel):
    """A quick reply: press it by sending `payload` as text."""

    title: str
    payload: str


class Reply(BaseModel):
    """One message of the assistant."""

    text: str
    buttons: list[Button] = []


class WaitRange(BaseModel):
    """The wait the desk's recent pace predicts: `low`-`high` minutes, `minutes` expected."""

    low_minutes: int
    high_minutes: int
    minutes: int


class HandoffInfo(BaseModel):
    """Why and where the customer waits for a person."""

    reason: str
    priority: str
    queue_position: int
    # "live" in the queue, or "message": answered later in this chat (issue 18).
    mode: str = "live"
    # None when nobody is online (no honest estimate), or after a message was left.
    estimated_wait: WaitRange | None = None
    # The status line the widget shows, in the conversation's language.
    notice: str | None = None


class ConversationCreated(BaseModel):
    """The new conversation, its token and the greeting."""

    conversation_id: str
    token: str
    state: str
    replies: list[Reply]


class PostMessage(_Strict):
    """Body of POST .../messages."""

    # Length is checked after cleaning, so invisible characters cannot pad it.
    text: str = Field(max_length=20_000)
    client_message_id: str = Field(min_length=1, max_length=128)


class TurnResult(BaseModel):
    """What the customer gets back for one message."""

    replies: list[Reply]
    state: str
    handoff: HandoffInfo | None


class MessageOut(BaseModel):
    """One stored message, as the history shows it."""

    seq: int
    sender: Literal["customer", "bot", "agent", "system"]
    text: str
    created_at: str
    buttons: list[Button] | None = None
    agent_name: str | None = None


class MessageList(BaseModel):
    """Messages in seq order."""

    messages: list[MessageOut]


class Csat(_Strict):
    """Body of POST .../csat."""

    score: Literal["very_satisfied", "neutral", "dissatisfied"]
    comment: str | None = Field(default=None, max_length=2000)


class CsatSaved(BaseModel):
    """The rating as stored."""

    score: str
