"""The content team's Unanswered page API: grouped missed messages, and dismissing them.

Editors only (supervisors see the quality figures instead; agents see
neither). New FAQs and added examples go through the usual change routes
(`POST /api/content/faqs`, `PUT /api/content/faqs/{id}`) with the ids of the
messages they take up.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from handoff.api.deps import CurrentStaff, SessionDep
from handoff.services.content.changes import require_editor
from handoff.services.quality import unanswered

router = APIRouter(prefix="/api/content/unanswered", tags=["content"])


class Ids(BaseModel):
    """Unanswered messages, by id."""

    model_config = ConfigDict(extra="forbid")
    ids: list[int] = Field(min_length=1, max_length=unanswered.MAX_IDS)


@router.get("")
async def unanswered_list(
    agent: CurrentStaff,
    session: SessionDep,
    language: Annotated[Literal["zh", "en"] | None, Query()] = None,
) -> dict[str, Any]:
    """The open unanswered messages in groups, biggest first."""
    require_editor(agent)
    items = await unanswered.clusters(session, language)
    return {"items": items, "messages": sum(int(item["count"]) for item in items)}


@router.post("/dismiss")
async def dismiss(body: Ids, agent: CurrentStaff, session: SessionDep) -> dict[str, Any]:
    """Take messages off the list (not a question for the assistant)."""
    require_editor(agent)
    count = await unanswered.dismiss(session, body.ids)
    await session.commit()
    return {"dismissed": count}
