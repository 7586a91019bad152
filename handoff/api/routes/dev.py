"""Development-only routes: the SMS outbox (docs/requirements.md, demo data).

Mounted only when BANKBOT_ENV=development. The action server posts here with
the engine token; people and tests read it.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from handoff.api.deps import ContextDep
from handoff.core.errors import Unauthorized
from handoff.pages.render import render

router = APIRouter(tags=["development"])


class SmsIn(BaseModel):
    """A text the action server sent."""

    phone: str = Field(min_length=5, max_length=20)
    text: str = Field(min_length=1, max_length=500)


def _outbox_view(ctx: ContextDep, phone: str | None) -> list[dict[str, Any]]:
    return [
        {
            "phone": m.phone,
            "text": m.text,
            "created_at": m.created_at.isoformat().replace("+00:00", "Z"),
        }
        for m in ctx.sms_outbox.list(phone)
    ]


@router.post("/api/dev/sms", status_code=201)
async def deliver(
    body: SmsIn, ctx: ContextDep, x_engine_token: Annotated[str | None, Header()] = None
) -> dict[str, str]:
    """The development SMS adapter's delivery point (action server → gateway)."""
    expected = ctx.settings.engine_token.get_secret_value()
    if not x_engine_token or not hmac.compare_digest(x_engine_token, expected):
        raise Unauthorized("The SMS outbox takes messages from the action server only.")
    ctx.sms_outbox.add(body.phone, body.text)
    return {"status": "queued"}


@router.get("/api/dev/sms")
async def outbox(ctx: ContextDep, phone: str | None = Query(None, max_length=20)) -> dict[str, Any]:
    """What the phones received, newest first."""
    return {"messages": _outbox_view(ctx, phone)}


@router.get("/dev/sms", response_class=HTMLResponse)
async def outbox_page(request: Request, ctx: ContextDep) -> HTMLResponse:
    """The same outbox for a developer's browser; refreshes itself."""
    return render(request, "dev/sms.html", {"messages": _outbox_view(ctx, None)})
