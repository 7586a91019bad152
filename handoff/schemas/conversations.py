"""Request and response bodies of the customer API (DESIGN.md contract)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CreateConversation(_Strict):
    channel: Literal["web", "app"] = "web"
    language: Literal["zh", "en"] | None = None


class Button(BaseModel):
    title: str
    payload: str


class Reply(BaseModel):
    text: str
    buttons: list[Button] = []


class HandoffInfo(BaseModel):
    reason: str
    priority: str
    queue_position: int


class ConversationCreated(BaseModel):
    conversation_id: str
    token: str
    state: str
    replies: list[Reply]


class PostMessage(_Strict):
    # Length is checked after cleaning, so invisible characters cannot pad it.
    text: str = Field(max_length=20_000)
    client_message_id: str = Field(min_length=1, max_length=128)


class TurnResult(BaseModel):
    replies: list[Reply]
    state: str
    handoff: HandoffInfo | None


class MessageOut(BaseModel):
    seq: int
    sender: Literal["customer", "bot", "agent", "system"]
    text: str
    created_at: str
    buttons: list[Button] | None = None
    agent_name: str | None = None


class MessageList(BaseModel):
    messages: list[MessageOut]


class Csat(_Strict):
    score: Literal["very_satisfied", "neutral", "dissatisfied"]
    comment: str | None = Field(default=None, max_length=2000)


class CsatSaved(BaseModel):
    score: str
