"""A staff member's own account: password change and the second factor (TOTP).

Changing the password ends every other session of the account. Enrolling a
second factor is two steps (`POST /api/agent/me/totp` gives the secret,
`.../confirm` checks the first code); resetting it is an operator's job
(`python -m bankbot staff reset-totp NAME`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import delete

from handoff.api.deps import ContextDep, DeskDep, SessionDep, StaffSessionDep, client_of
from handoff.core.errors import Conflict, InvalidInput, Unauthorized
from handoff.models import StaffSession
from handoff.schemas.account import PasswordChange, TotpCode, TotpEnrolment, TotpStatus
from handoff.services import security_log, staff, totp
from handoff.services.clock import clock

router = APIRouter(prefix="/api/agent/me", tags=["agent"])


@router.post("/password")
async def change_password(
    body: PasswordChange,
    pair: StaffSessionDep,
    session: SessionDep,
    runtime: DeskDep,
    request: Request,
) -> dict[str, str]:
    """A new password; every other session of the account ends (this one stays)."""
    agent, current = pair
    client = client_of(request)
    await runtime.guard.attempt(agent.username, client)
    if not await runtime.hashing.run(staff.check_password, agent.password_hash, body.current):
        raise Unauthorized(
            "The current password is not right.",
            code="invalid_credentials",
            event="login_failed",
            actor=agent.username,
        )
    await runtime.guard.succeeded(agent.username, client)
    if body.new == body.current:
        raise InvalidInput("Choose a password you have not used here.", code="same_password")
    agent.password_hash = await runtime.hashing.run(staff.make_hash, body.new)
    await session.execute(
        delete(StaffSession).where(StaffSession.agent_id == agent.id, StaffSession.id != current.id)
    )
    security_log.add(session, "password_changed", actor=agent.username, client=client)
    await session.commit()
    return {"status": "changed"}


@router.get("/totp", response_model=TotpStatus)
async def totp_status(pair: StaffSessionDep, ctx: ContextDep) -> Any:
    """Whether a second factor is required for this account and whether it is set up."""
    agent, _ = pair
    return {
        "required": totp.must_use(ctx.settings, agent),
        "enrolled": totp.enrolled(agent),
    }


@router.post("/totp", response_model=TotpEnrolment)
async def start_totp(pair: StaffSessionDep, session: SessionDep) -> Any:
    """A new secret for the authenticator app (409 once one is confirmed)."""
    agent, _ = pair
    if totp.enrolled(agent):
        raise Conflict(
            "A second factor is already set up; an administrator can reset it.",
            code="totp_enrolled",
        )
    enrolment = totp.start_enrolment(agent)
    await session.commit()
    return enrolment


@router.post("/totp/confirm", response_model=TotpStatus)
async def confirm_totp(
    body: TotpCode, pair: StaffSessionDep, session: SessionDep, ctx: ContextDep
) -> Any:
    """The first code from the app switches the second factor on."""
    agent, _ = pair
    if totp.enrolled(agent):
        raise Conflict("A second factor is already set up.", code="totp_enrolled")
    if agent.totp_secret is None:
        raise Conflict("Start the set-up first.", code="totp_not_started")
    if not totp.confirm(agent, body.code, clock.now()):
        raise InvalidInput(
            "That code is not right; type the 6 digits the app shows now.", code="invalid_totp"
        )
    security_log.add(session, "totp_enrolled", actor=agent.username)
    await session.commit()
    return {"required": totp.must_use(ctx.settings, agent), "enrolled": True}
