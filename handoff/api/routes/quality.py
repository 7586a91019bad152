"""Supervisors' quality figures and agents' "false alarm" verdicts on handoffs.

`GET /api/agent/metrics` (and `.csv`) is for supervisors only; the dispute
route is for whoever may see the handoff (`services.access`); the disputes'
export is for the content team (`/api/content/disputes.csv`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, status
from fastapi.responses import Response

from handoff.api.deps import ContextDep, CurrentStaff, SessionDep
from handoff.schemas.agent import Dispute, Evidence
from handoff.schemas.quality import Metrics
from handoff.services import handoff_evidence, summary
from handoff.services.access import access_handoff_as_staff, require_supervisor
from handoff.services.clock import clock
from handoff.services.content.changes import require_editor
from handoff.services.quality.export import disputes_csv, figures_csv
from handoff.services.quality.metrics import quality_figures
from handoff.services.quality.period import period_from

router = APIRouter(tags=["quality"])

Since = Annotated[str | None, Query(max_length=40, description="ISO 8601, inclusive")]
Until = Annotated[str | None, Query(max_length=40, description="ISO 8601, exclusive")]
Language = Annotated[Literal["zh", "en"] | None, Query()]
NO_STORE = {"Cache-Control": "no-store"}


@router.get("/api/agent/metrics", response_model=Metrics)
async def metrics(
    agent: CurrentStaff,
    ctx: ContextDep,
    since: Since = None,
    until: Until = None,
    language: Language = None,
) -> Any:
    """The quality figures of the conversations started in the period (supervisors only)."""
    require_supervisor(agent)
    now = clock.now()
    return await quality_figures(ctx.sessions, period_from(since, until, language, now), now)


@router.get("/api/agent/metrics.csv")
async def metrics_csv(
    agent: CurrentStaff,
    ctx: ContextDep,
    since: Since = None,
    until: Until = None,
    language: Language = None,
) -> Response:
    """The same figures as a CSV file."""
    require_supervisor(agent)
    now = clock.now()
    figures = await quality_figures(ctx.sessions, period_from(since, until, language, now), now)
    return Response(
        figures_csv(figures),
        media_type="text/csv; charset=utf-8",
        headers={**NO_STORE, "Content-Disposition": 'attachment; filename="quality.csv"'},
    )


@router.post(
    "/api/agent/handoffs/{handoff_id}/dispute",
    status_code=status.HTTP_201_CREATED,
    response_model=Evidence,
)
async def dispute(handoff_id: int, body: Dispute, agent: CurrentStaff, session: SessionDep) -> Any:
    """Mark a handoff "not upset" / "not fraud"; 409 if already marked."""
    handoff = await access_handoff_as_staff(session, agent, handoff_id)
    messages = await summary.transcript(session, handoff.conversation_id)
    row = await handoff_evidence.dispute(session, agent, handoff, body.label, messages, clock.now())
    await session.commit()
    facts = await summary.existing_facts(session, handoff.conversation_id)
    return handoff_evidence.view(handoff, messages, facts, row)


@router.get("/api/content/disputes.csv")
async def disputes_export(agent: CurrentStaff, session: SessionDep) -> Response:
    """The disputed handoffs' masked messages with their labels (content editors)."""
    require_editor(agent)
    return Response(
        await disputes_csv(session),
        media_type="text/csv; charset=utf-8",
        headers={**NO_STORE, "Content-Disposition": 'attachment; filename="disputes.csv"'},
    )
