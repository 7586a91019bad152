"""The content team's API and page.

FAQs, four-eyes changes, checks, spreadsheets, training, deployments,
rollback, "try it", the repository comparison and the audit log.

Editors write; supervisors read, approve and roll back; agents get 403 (their
routes in turn refuse editors). Every route depends on the staff session
(Bearer token or the console's cookie with its CSRF header). The logic lives in
`handoff.services.content`; the worker (`pipeline.worker`) does the training.
"""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from faqs.model import CATEGORIES
from handoff.api.deps import ContextDep, CurrentStaff, Ordinal, RowId, SessionDep, staff_cookie
from handoff.core.errors import BankbotError, InvalidInput, NotFound, PayloadTooLarge
from handoff.models import Agent, ChangeKind, ChangeStatus
from handoff.pages.render import no_access
from handoff.services import staff, totp
from handoff.services.clock import clock
from handoff.services.content import audit, changes, jobs, live, store, sync, uploads
from handoff.services.content.faqdata import check_id, make_content
from handoff.services.content.runtime import ContentRuntime
from handoff.services.content.schemas import ExportIn, FaqIn, NoteIn, TrainIn, TryIn, UploadIn
from handoff.services.content.settings import ContentSettings
from handoff.services.content.spreadsheet import CSV_TYPE, XLSX_TYPE, to_csv, to_xlsx
from handoff.services.quality import unanswered

PAGES = Path(__file__).resolve().parents[2] / "pages" / "content"
templates = Jinja2Templates(directory=PAGES / "templates")
STATIC_FILES = {
    "content.js": "text/javascript; charset=utf-8",
    "unanswered.js": "text/javascript; charset=utf-8",
    "content.css": "text/css; charset=utf-8",
}
NO_STORE = {"Cache-Control": "no-store"}

router = APIRouter(prefix="/api/content", tags=["content"])
pages = APIRouter(tags=["content"], include_in_schema=False)


def get_settings(request: Request) -> ContentSettings:
    """The content tool's settings (from its runtime)."""
    runtime: ContentRuntime = request.app.state.content
    return runtime.settings


def reader(agent: CurrentStaff) -> Agent:
    """Editors and supervisors; 403 for anyone else."""
    changes.require_reader(agent)
    return agent


def editor(agent: CurrentStaff) -> Agent:
    """Editors only; 403 for anyone else."""
    changes.require_editor(agent)
    return agent


Settings = Annotated[ContentSettings, Depends(get_settings)]
Reader = Annotated[Agent, Depends(reader)]
Editor = Annotated[Agent, Depends(editor)]


# ---- FAQs and changes -----------------------------------------------------------------------


@router.get("/faqs")
async def faq_list(
    _: Reader, session: SessionDep, search: Annotated[str, Query(max_length=100)] = "",
    include_retired: bool = False,
) -> dict[str, Any]:  # fmt: skip
    """FAQs by category, with their pending change; `search` looks through every text."""
    return {"items": await store.list_faqs(session, search=search, include_retired=include_retired)}


@router.get("/faqs/{faq_id}")
async def faq_detail(faq_id: str, _: Reader, session: SessionDep) -> dict[str, Any]:
    """The approved content, the pending change and the version history of one FAQ."""
    return await store.faq_detail(session, faq_id)


async def _propose(
    session: SessionDep, settings: ContentSettings, agent: Agent, faq_id: str,
    kind: ChangeKind, body: FaqIn | None,
) -> dict[str, Any]:  # fmt: skip
    content = make_content(body.raw()) if body is not None else None
    taken = body.unanswered if body is not None else []
    change = await changes.propose(
        session, settings, agent, check_id(faq_id), kind, content, commit=not taken
    )
    if taken:  # from the Unanswered page: its messages leave the list with this change
        await unanswered.take_up(session, taken, change.id)
        await session.commit()
    return await changes.change_detail(session, settings, agent, change.id)


@router.post("/faqs", status_code=status.HTTP_201_CREATED)
async def add_faq(body: FaqIn, agent: Editor, session: SessionDep, settings: Settings) -> Any:
    """Propose a new FAQ (a draft until someone else approves it)."""
    return await _propose(session, settings, agent, body.id or "", ChangeKind.add, body)


@router.put("/faqs/{faq_id}", status_code=status.HTTP_201_CREATED)
async def edit_faq(
    faq_id: str, body: FaqIn, agent: Editor, session: SessionDep, settings: Settings
) -> Any:
    """Propose an edit (replaces your own pending draft of this FAQ)."""
    return await _propose(session, settings, agent, faq_id, ChangeKind.edit, body)


@router.post("/faqs/{faq_id}/retire", status_code=status.HTTP_201_CREATED)
async def retire_faq(faq_id: str, agent: Editor, session: SessionDep, settings: Settings) -> Any:
    """Propose retiring a FAQ (customers stop getting its answer after the next training)."""
    return await _propose(session, settings, agent, faq_id, ChangeKind.retire, None)


@router.get("/changes")
async def change_list(
    _: Reader, session: SessionDep, state: Annotated[str, Query(alias="status")] = "pending"
) -> dict[str, Any]:
    """Pending changes (default) or every change (`status=all`), newest first."""
    known = {s.value: s for s in ChangeStatus}
    if state != "all" and state not in known:
        raise InvalidInput("status must be pending, approved, rejected, withdrawn or all.")
    wanted = known.get(state)
    return {"items": await changes.list_changes(session, status=wanted)}


@router.get("/changes/{change_id}")
async def change_detail(
    change_id: RowId, agent: Reader, session: SessionDep, settings: Settings
) -> dict[str, Any]:
    """Before and after side by side, the problems the change brings, who may act."""
    return await changes.change_detail(session, settings, agent, change_id)


@router.post("/changes/{change_id}/approve")
async def approve(
    change_id: RowId, body: NoteIn, agent: Reader, session: SessionDep, settings: Settings
) -> dict[str, Any]:
    """A second editor or a supervisor approves: the FAQ gets a new version."""
    version = await changes.approve(session, settings, agent, change_id, body.note)
    return {"faq_id": version.faq_id, "version": version.number}


@router.post("/changes/{change_id}/reject")
async def reject(change_id: RowId, body: NoteIn, agent: Reader, session: SessionDep) -> Any:
    """Send a draft back to its author with a reason."""
    return changes.change_row(await changes.reject(session, agent, change_id, body.note))


@router.post("/changes/{change_id}/withdraw")
async def withdraw(change_id: RowId, agent: Editor, session: SessionDep) -> Any:
    """The author takes back their own draft."""
    return changes.change_row(await changes.withdraw(session, agent, change_id))


@router.post("/batches/{batch}/approve")
async def approve_batch(batch: str, agent: Reader, session: SessionDep, settings: Settings) -> Any:
    """Approve every change of one spreadsheet import."""
    return {"approved": await changes.approve_batch(session, settings, agent, batch)}


@router.get("/checks")
async def checks(_: Reader, session: SessionDep, settings: Settings) -> dict[str, Any]:
    """The checks on the approved content, as training will see it."""
    findings = await changes.findings_for(settings, await store.approved_set(session))
    return {"findings": [f.view() for f in findings],
            "blocking": sum(f.blocking for f in findings)}  # fmt: skip


# ---- repository, spreadsheets --------------------------------------------------------------


@router.get("/sync")
async def sync_state(_: Reader, session: SessionDep, settings: Settings) -> dict[str, Any]:
    """FAQs whose repository file and approved content differ, and who moved."""
    return {"items": await sync.differences(session, settings),
            "content_dir": str(settings.content_dir)}  # fmt: skip


@router.post("/sync/{faq_id}/adopt", status_code=status.HTTP_201_CREATED)
async def adopt(faq_id: str, agent: Editor, session: SessionDep, settings: Settings) -> Any:
    """Propose the repository's version of a FAQ (four eyes still apply)."""
    return await sync.adopt(session, settings, agent, faq_id)


@router.post("/sync/export")
async def export_files(
    body: ExportIn, agent: Editor, session: SessionDep, settings: Settings
) -> Any:
    """Write approved content to content/faqs (all FAQs when `faq_ids` is null)."""
    return {"written": await sync.export(session, settings, agent, body.faq_ids)}


@router.get("/export.{fmt}")
async def export_sheet(fmt: str, _: Reader, session: SessionDep) -> Response:
    """The whole approved FAQ set as .xlsx or .csv."""
    faqs = await store.approved_set(session)
    if fmt == "xlsx":
        body, media = await asyncio.to_thread(to_xlsx, faqs), XLSX_TYPE
    elif fmt == "csv":
        body, media = await asyncio.to_thread(to_csv, faqs), CSV_TYPE
    else:
        raise NotFound("Export as .xlsx or .csv.")
    name = f"bankbot-faqs-{date.today():%Y%m%d}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', **NO_STORE}
    return Response(body, media_type=media, headers=headers)


@router.post("/uploads", status_code=status.HTTP_201_CREATED)
async def open_upload(
    body: UploadIn, agent: Editor, session: SessionDep, settings: Settings
) -> Any:
    """Announce a spreadsheet upload; it is then sent in parts of `part_bytes`."""
    return await uploads.open_upload(session, settings, agent, body.filename, body.size)


@router.put("/uploads/{upload_id}/parts/{number}")
async def upload_part(
    upload_id: str, number: Ordinal, request: Request, agent: Editor, session: SessionDep,
    settings: Settings,
) -> Any:  # fmt: skip
    """One part of the file, raw bytes, in order."""
    data = await request.body()
    if len(data) > settings.upload_part_bytes:
        raise PayloadTooLarge(f"A part may be at most {settings.upload_part_bytes} bytes.")
    return await uploads.add_part(session, agent, upload_id, number, data)


@router.post("/uploads/{upload_id}/import")
async def finish_import(
    upload_id: str, agent: Editor, session: SessionDep, settings: Settings
) -> Any:
    """Validate every row; all valid -> pending changes; else 422 listing every bad row."""
    try:
        return await uploads.finish_import(session, settings, agent, upload_id)
    except uploads.ImportRejected as rejected:
        body = {
            "error": {"code": rejected.code, "message": rejected.message, "rows": rejected.rows}
        }
        return JSONResponse(body, status_code=rejected.status_code)


# ---- training, deployment, try it, audit -----------------------------------------------------


@router.get("/training")
async def training(agent: Reader, session: SessionDep, settings: Settings) -> Any:
    """Live model, worker state, recent jobs, candidates and rollback targets."""
    return await jobs.overview(session, settings, agent)


@router.post("/training", status_code=status.HTTP_202_ACCEPTED)
async def train(body: TrainIn, agent: Editor, session: SessionDep, settings: Settings) -> Any:
    """Retrain from the approved content in the background (one training at a time)."""
    job = await jobs.request_training(session, settings, agent, auto_deploy=body.auto_deploy)
    return jobs.job_view(job)


@router.get("/jobs/{job_id}")
async def job(job_id: RowId, _: Reader, session: SessionDep) -> Any:
    """A job's stage, percent, message and (when judged) the gate's report."""
    return await jobs.get_job(session, job_id)


@router.post("/jobs/{job_id}/cancel")
async def cancel(job_id: RowId, agent: Editor, session: SessionDep) -> Any:
    """Stop a training (a queued one ends at once)."""
    return jobs.job_view(await jobs.cancel(session, agent, job_id))


@router.post("/models/{model_id}/deploy", status_code=status.HTTP_202_ACCEPTED)
async def deploy(model_id: str, agent: Editor, session: SessionDep, settings: Settings) -> Any:
    """Put a candidate that passed the gate live."""
    job = await jobs.request_deploy(session, agent, model_id, rollback=False,
                                    depth=settings.rollback_depth)  # fmt: skip
    return jobs.job_view(job)


@router.post("/models/{model_id}/rollback", status_code=status.HTTP_202_ACCEPTED)
async def rollback(model_id: str, agent: Reader, session: SessionDep, settings: Settings) -> Any:
    """Go back to one of the last five live models (the same swap as a deployment)."""
    job = await jobs.request_deploy(session, agent, model_id, rollback=True,
                                    depth=settings.rollback_depth)  # fmt: skip
    return jobs.job_view(job)


@router.post("/try")
async def try_it(body: TryIn, ctx: ContextDep, _: Reader, session: SessionDep) -> Any:
    """Which FAQ the live model and the candidate model pick for a question."""
    approved = await store.approved_set(session)
    questions = {faq_id: c["question"] for faq_id, c in approved.items()}
    candidate = await jobs.candidate_engine(session)
    return await live.try_text(ctx, session, body.text.strip(), candidate, questions)


@router.get("/audit")
async def audit_log(
    _: Reader, session: SessionDep, subject: Annotated[str | None, Query(max_length=80)] = None
) -> Any:
    """Who changed, approved, trained, deployed and rolled back what, newest first."""
    return {"items": await audit.recent(session, subject=subject)}


# ---- the page ---------------------------------------------------------------------------------


@pages.get("/content")
async def content_page(request: Request, session: SessionDep) -> Response:
    """The content tool for editors and supervisors; others are sent to log in or refused."""
    try:
        agent, _ = await staff.authenticate(
            session, staff_cookie(request), clock.now(),
            request.app.state.context.settings.staff_idle_timeout,
        )  # fmt: skip
        changes.require_reader(agent)
        if totp.must_enrol(request.app.state.context.settings, agent):
            return RedirectResponse("/console/two-factor", status_code=303)
    except BankbotError as exc:
        if exc.status_code == 401:
            return RedirectResponse("/console/login", status_code=303)
        return no_access(request, "content", editor=False, headers=NO_STORE)
    return templates.TemplateResponse(
        request, "content.html",
        {"agent": staff.agent_view(agent), "categories": sorted(CATEGORIES)}, headers=NO_STORE,
    )  # fmt: skip


@pages.get("/content/static/{name}")
async def static_file(name: str, _: Reader) -> Response:
    """The page's script and style sheet (a fixed list: no path leaves the folder)."""
    if name not in STATIC_FILES:
        raise NotFound("No such file.")
    return FileResponse(PAGES / "static" / name, media_type=STATIC_FILES[name],
                        headers={"Cache-Control": "no-cache"})  # fmt: skip
