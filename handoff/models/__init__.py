"""Every gateway table, imported here so Alembic and `Base.metadata` see them all."""

from handoff.models.base import Base
from handoff.models.content import (
    ChangeKind,
    ChangeStatus,
    ContentAudit,
    ContentChange,
    ContentEngine,
    ContentFaq,
    ContentFaqVersion,
    ContentGateway,
    ContentJob,
    ContentLive,
    ContentModel,
    ContentModelArchive,
    ContentRepoSync,
    ContentUpload,
    ContentUploadPart,
    EngineStatus,
    JobKind,
    JobStatus,
    ModelStatus,
)
from handoff.models.conversation import Channel, Conversation, ConversationState
from handoff.models.csat import CsatRating, CsatScore
from handoff.models.desk import (
    AgentPresence,
    CallbackStatus,
    CallbackTicket,
    ConversationFacts,
    DeskEntry,
)
from handoff.models.handoff import Handoff, HandoffMode, HandoffReason, HandoffStatus, Priority
from handoff.models.idempotency import IdempotentReply
from handoff.models.message import Message, Sender
from handoff.models.quality import HandoffDispute, Outcome, TurnOutcome
from handoff.models.security import SecurityEvent
from handoff.models.staff import Agent, StaffRole, StaffSession

__all__ = [
    "Agent",
    "AgentPresence",
    "Base",
    "CallbackStatus",
    "CallbackTicket",
    "ChangeKind",
    "ChangeStatus",
    "Channel",
    "ContentAudit",
    "ContentChange",
    "ContentEngine",
    "ContentFaq",
    "ContentFaqVersion",
    "ContentGateway",
    "ContentModelArchive",
    "ContentJob",
    "ContentLive",
    "ContentModel",
    "ContentRepoSync",
    "ContentUpload",
    "ContentUploadPart",
    "Conversation",
    "ConversationFacts",
    "ConversationState",
    "CsatRating",
    "CsatScore",
    "DeskEntry",
    "EngineStatus",
    "Handoff",
    "HandoffDispute",
    "HandoffMode",
    "HandoffReason",
    "HandoffStatus",
    "IdempotentReply",
    "JobKind",
    "JobStatus",
    "Message",
    "ModelStatus",
    "Outcome",
    "Priority",
    "SecurityEvent",
    "Sender",
    "StaffRole",
    "StaffSession",
    "TurnOutcome",
]
