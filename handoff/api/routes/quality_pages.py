"""The supervisors' Quality page, its script and style, and the vendored chart library.

The page carries no figures itself: its script loads them from
`GET /api/agent/metrics` with the console's session cookie. Chart.js is served
from the repository (`handoff/pages/vendor/chartjs/`), never from a CDN.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from handoff.api.deps import STAFF_COOKIE, SessionDep
from handoff.core.errors import BankbotError, NotFound
from handoff.models import StaffRole
from handoff.pages.render import no_access
from handoff.services import staff
from handoff.services.clock import clock

PAGES = Path(__file__).resolve().parents[2] / "pages"
templates = Jinja2Templates(directory=PAGES / "quality" / "templates")
FILES = {
    "quality.js": (PAGES / "quality" / "static" / "quality.js", "text/javascript; charset=utf-8"),
    "quality.css": (PAGES / "quality" / "static" / "quality.css", "text/css; charset=utf-8"),
    "evidence.js": (PAGES / "quality" / "static" / "evidence.js", "text/javascript; charset=utf-8"),
    "chart.umd.min.js": (
        PAGES / "vendor" / "chartjs" / "chart.umd.min.js",
        "text/javascript; charset=utf-8",
    ),
}
NO_STORE = {"Cache-Control": "no-store"}

router = APIRouter(tags=["console"], include_in_schema=False)


@router.get("/console/quality")
async def quality_page(request: Request, session: SessionDep) -> Response:
    """The Quality page for supervisors; 403 page for other staff, login form for nobody."""
    try:
        agent, _ = await staff.authenticate(session, request.cookies.get(STAFF_COOKIE), clock.now())
    except BankbotError:
        return RedirectResponse("/console/login", status_code=303)
    if agent.role != StaffRole.supervisor:
        editor = agent.role == StaffRole.editor
        return no_access(request, "quality", editor=editor, headers=NO_STORE)
    return templates.TemplateResponse(
        request, "quality.html", {"agent": staff.agent_view(agent)}, headers=NO_STORE
    )


@router.get("/console/quality/static/{name}")
async def quality_static(name: str) -> Response:
    """The page's files (a fixed list: no path leaves the folders)."""
    if name not in FILES:
        raise NotFound("No such file.")
    path, media_type = FILES[name]
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": "no-cache"})
