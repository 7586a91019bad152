"""The agent side of the public API (docs/architecture.md): login, queue, chats, supervision.

Routes stay thin: who may see what is decided in `services.access`, what
happens in `services.desk`; events are published after each commit.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse

from common.redaction import redact
from handoff.api.deps import (
    ContextDep,
    CurrentStaff,
    DeskDep,
    RowId,
    SessionDep,
    StaffSessionDep,
    client_of,
    staff_cookie_name,
)
from handoff.core.errors import InvalidInput
from handoff.models import StaffRole
from handoff.schemas.agent import (
    AgentMessage,
    CallbackDetail,
    CallbackDone,
    CallbackList,
    CallbackOut,
    CannedList,
    Close,
    Closed,
    HandoffDetail,
    Login,
    LoginResult,
    Me,
    OpenChatList,
    QueueList,
    Reassign,
    StaffList,
)
from handoff.schemas.conversations import MessageOut
from handoff.services import callbacks, desk, queue, security_log, staff, supervision
from handoff.services.access import access_handoff_as_staff, require_desk_staff, require_supervisor
from handoff.services.clock import as_utc, clock
from handoff.services.conversations import message_view
from handoff.services.phrases import CANNED_REPLIES
from handoff.services.text import clean_text

router = APIRouter(prefix="/api/agent", tags=["agent"])


@router.post("/login", response_model=LoginResult)
async def login(body: Login, request: Request, session: SessionDep, runtime: DeskDep) -> Any:
    """A staff session token; 401 on wrong credentials, 429 after repeated failures."""
    credentials = staff.Credentials(body.username, body.password, body.totp)
    token, agent = await staff.login(
        session, runtime.guard, runtime.hashing, credentials, client_of(request), clock.now()
    )
    return {"token": token, "agent": staff.agent_view(agent)}


@router.post("/logout")
async def logout(pair: StaffSessionDep, session: SessionDep, ctx: ContextDep) -> JSONResponse:
    """End this session; with no session left the agent is offline and their chats requeued."""
    agent, staff_session = pair
    outbox = desk.Outbox()
    last = await staff.end_session(session, staff_session, clock.now())
    if last and agent.role != StaffRole.editor:
        await supervision.go_offline(session, agent.id, outbox)
        outbox.add(desk.agent_topic(agent.id), {"type": "logout"})
    await session.commit()
    await outbox.publish(ctx.hub)
    response = JSONResponse({"status": "logged_out"})
    production = not ctx.settings.is_development
    response.delete_cookie(
        staff_cookie_name(ctx.settings), path="/", httponly=True, samesite="strict",
        secure=production,
    )  # fmt: skip
    return response


@router.get("/me", response_model=Me)
async def me(agent: CurrentStaff) -> Any:
    """Who is logged in (the console asks once on load)."""
    return {"agent": staff.agent_view(agent)}


@router.get("/queue", response_model=QueueList)
async def waiting_queue(agent: CurrentStaff, session: SessionDep) -> Any:
    """Waiting handoffs, priority then age; `alert` marks waits over 10 minutes (rule 15)."""
    require_desk_staff(agent)
    return {"items": await queue.queue_items(session, clock.now())}


@router.get("/message-queue", response_model=QueueList)
async def message_queue(agent: CurrentStaff, session: SessionDep) -> Any:
    """Left messages waiting for an answer, soonest due first; `sla_overdue` marks late ones."""
    require_desk_staff(agent)
    return {"items": await queue.message_queue_items(session, clock.now())}


@router.get("/handoffs", response_model=OpenChatList)
async def open_chats(agent: CurrentStaff, session: SessionDep) -> Any:
    """The chats this agent holds; every claimed chat for a supervisor."""
    require_desk_staff(agent)
    return {"items": await desk.open_chats(session, agent, clock.now())}


@router.post("/handoffs/{handoff_id}/claim", response_model=HandoffDetail)
async def claim(
    handoff_id: RowId, agent: CurrentStaff, session: SessionDep, ctx: ContextDep
) -> Any:
    """Take a waiting chat; 409 if someone else has it, it ended, or the agent holds 3."""
    require_desk_staff(agent)
    outbox = desk.Outbox()
    handoff = await desk.claim(session, agent, handoff_id, clock.now(), outbox)
    if handoff.claimed_at is not None:
        waited = as_utc(handoff.claimed_at) - as_utc(handoff.created_at)
        ctx.metrics.queue_wait_seconds.observe(max(0.0, waited.total_seconds()))
    await outbox.publish(ctx.hub)
    return await desk.handoff_detail(session, handoff, clock.now(), ctx.settings.verified_ttl_s)


@router.get("/handoffs/{handoff_id}", response_model=HandoffDetail)
async def detail(
    handoff_id: RowId, agent: CurrentStaff, session: SessionDep, ctx: ContextDep
) -> Any:
    """Reason, priority, verification (and whether it expired), summary, masked transcript."""
    handoff = await access_handoff_as_staff(session, agent, handoff_id)
    view = await desk.handoff_detail(
        session, handoff, clock.now(), ctx.settings.verified_ttl_s, viewer=agent
    )
    security_log.add(
        session, "transcript_read", actor=agent.username, path=f"/api/agent/handoffs/{handoff_id}",
        handoff_id=handoff.id, messages=len(view["transcript"]),
    )  # fmt: skip
    await session.commit()
    return view


@router.post(
    "/handoffs/{handoff_id}/messages",
    status_code=status.HTTP_201_CREATED,
    response_model=MessageOut,
)
async def send_message(
    handoff_id: RowId, body: AgentMessage, agent: CurrentStaff, session: SessionDep, ctx: ContextDep
) -> Any:
    """The agent's reply, cleaned and masked, pushed to the customer at once."""
    handoff = await access_handoff_as_staff(session, agent, handoff_id)
    text = clean_text(body.text)
    if not text:
        raise InvalidInput("The message is empty.", code="empty_message")
    if len(text) > ctx.settings.max_message_chars:
        raise InvalidInput(
            f"The message is over {ctx.settings.max_message_chars} characters.",
            code="message_too_long",
        )
    outbox = desk.Outbox()
    keep_until = clock.now() + timedelta(hours=ctx.settings.message_open_hours)
    message = await desk.post_message(session, agent, handoff, redact(text), outbox, keep_until)
    await outbox.publish(ctx.hub)
    return message_view(message)


@router.post("/handoffs/{handoff_id}/close", response_model=Closed)
async def close(
    handoff_id: RowId, body: Close, agent: CurrentStaff, session: SessionDep, ctx: ContextDep
) -> Any:
    """End the agent's part: back to the bot or closed; the customer is asked for a rating."""
    handoff = await access_handoff_as_staff(session, agent, handoff_id)
    resolution = redact(clean_text(body.resolution))
    if not resolution:
        raise InvalidInput("Say how the chat was resolved.", code="empty_resolution")
    outbox = desk.Outbox()
    handoff, conversation = await desk.close(
        session, agent, handoff, resolution, body.return_to_bot, clock.now(), outbox
    )
    await outbox.publish(ctx.hub)
    return {
        "id": handoff.id,
        "status": handoff.status.value,
        "conversation_state": conversation.state.value,
    }


@router.post("/handoffs/{handoff_id}/reassign", response_model=HandoffDetail)
async def reassign(
    handoff_id: RowId, body: Reassign, agent: CurrentStaff, session: SessionDep, ctx: ContextDep
) -> Any:
    """A supervisor gives a chat to another agent (409 if they are at capacity)."""
    require_supervisor(agent)
    handoff = await access_handoff_as_staff(session, agent, handoff_id)
    outbox = desk.Outbox()
    handoff = await desk.reassign(session, handoff, body.agent_id, clock.now(), outbox)
    await outbox.publish(ctx.hub)
    return await desk.handoff_detail(session, handoff, clock.now(), ctx.settings.verified_ttl_s)


@router.get("/staff", response_model=StaffList)
async def staff_list(agent: CurrentStaff, session: SessionDep) -> Any:
    """Agents with their load and presence (supervisors only)."""
    require_supervisor(agent)
    return {"items": await supervision.staff_overview(session)}


@router.get("/callbacks", response_model=CallbackList)
async def callback_list(agent: CurrentStaff, session: SessionDep, ctx: ContextDep) -> Any:
    """Callbacks to make, soonest first; phone numbers masked."""
    require_desk_staff(agent)
    hours = callbacks.AgentHours.from_settings(ctx.settings)
    tickets = await callbacks.open_tickets(session)
    return {"items": [callbacks.ticket_view(ticket, hours) for ticket in tickets]}


@router.get("/callbacks/{ticket_id}", response_model=CallbackDetail)
async def callback_detail(
    ticket_id: int, agent: CurrentStaff, session: SessionDep, ctx: ContextDep
) -> Any:
    """The callback with its conversation: reason, verification state, masked transcript."""
    require_desk_staff(agent)
    return await callbacks.ticket_detail(session, ctx.settings, ticket_id, clock.now())


@router.post("/callbacks/{ticket_id}/done", response_model=CallbackOut)
async def callback_done(
    ticket_id: int, body: CallbackDone, agent: CurrentStaff, session: SessionDep, ctx: ContextDep
) -> Any:
    """The call was made; the note (masked) stays with the ticket. 409 if it was done already."""
    require_desk_staff(agent)
    note = redact(clean_text(body.note))
    if not note:
        raise InvalidInput("Say how the call went.", code="empty_note")
    ticket = await callbacks.complete(session, ticket_id, note, clock.now())
    return callbacks.ticket_view(ticket, callbacks.AgentHours.from_settings(ctx.settings))


@router.get("/canned-replies", response_model=CannedList)
async def canned_replies(agent: CurrentStaff) -> Any:
    """The banks' standard phrasings in both languages (docs/requirements.md)."""
    require_desk_staff(agent)
    return {"items": list(CANNED_REPLIES)}
