"""The agent console's pages: a login form, the console shell and its two static files.

The login form sets an HttpOnly, SameSite=Strict session cookie, so the
console's JavaScript never holds the token; its unsafe API calls add the CSRF
header `deps.current_staff_session` requires. The pages carry no customer
data: the console loads everything through the agent API.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from handoff.api.deps import STAFF_COOKIE, DeskDep, SessionDep
from handoff.api.routes.agent import client_ip
from handoff.core.errors import BankbotError, NotFound
from handoff.models import StaffRole
from handoff.services import staff
from handoff.services.clock import clock

CONSOLE_DIR = Path(__file__).resolve().parents[2] / "pages" / "console"
templates = Jinja2Templates(directory=CONSOLE_DIR / "templates")
STATIC_FILES = {
    "console.js": "text/javascript; charset=utf-8",
    "console.css": "text/css; charset=utf-8",
}
NO_STORE = {"Cache-Control": "no-store"}
# Under the gateway's default "no-referrer" the browser would post the form with
# `Origin: null`; "same-origin" lets it send the real origin, which the form checks.
LOGIN_HEADERS = {**NO_STORE, "Referrer-Policy": "same-origin"}

router = APIRouter(tags=["console"], include_in_schema=False)


def _same_origin(request: Request) -> bool:
    """A form post from another site is refused (login CSRF); no Origin means no browser."""
    origin = request.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == request.headers.get("host")


def _login_page(request: Request, error: str | None, username: str, status: int) -> Response:
    return templates.TemplateResponse(
        request,
        "login.html",
        {"error": error, "username": username},
        status_code=status,
        headers=LOGIN_HEADERS,
    )


@router.get("/console/login")
async def login_form(request: Request) -> Response:
    """The login form (plain HTML: works without JavaScript)."""
    return _login_page(request, None, "", 200)


@router.post("/console/login")
async def login_submit(
    request: Request,
    session: SessionDep,
    runtime: DeskDep,
    username: Annotated[str, Form(max_length=40)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    """Check the credentials; on success set the session cookie and open the console."""
    if not _same_origin(request):
        return _login_page(request, "请从本站登录。Please log in from this site.", "", 403)
    try:
        token, agent = await staff.login(
            session, runtime.limiter, username, password, client_ip(request), clock.now()
        )
    except BankbotError as exc:
        message = (
            "登录尝试过多，请几分钟后再试。Too many attempts; please wait a few minutes."
            if exc.status_code == 429
            else "用户名或密码不正确。Wrong username or password."
        )
        return _login_page(request, message, username, exc.status_code)
    # Content editors have no console: their pages are the content tool's.
    landing = "/content" if agent.role == StaffRole.editor else "/console"
    response = RedirectResponse(landing, status_code=303)
    response.set_cookie(
        STAFF_COOKIE,
        token,
        max_age=int(staff.SESSION_TTL.total_seconds()),
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.get("/console")
async def console(request: Request, session: SessionDep) -> Response:
    """The console shell for a logged-in agent or supervisor; others go to the login form."""
    try:
        agent, _ = await staff.authenticate(session, request.cookies.get(STAFF_COOKIE), clock.now())
    except BankbotError:
        return RedirectResponse("/console/login", status_code=303)
    if agent.role == StaffRole.editor:
        return templates.TemplateResponse(
            request, "no_access.html", {}, status_code=403, headers=NO_STORE
        )
    return templates.TemplateResponse(
        request, "console.html", {"agent": staff.agent_view(agent)}, headers=NO_STORE
    )


@router.get("/console/static/{name}")
async def static_file(name: str) -> Response:
    """The console's script and style sheet (a fixed list: no path leaves the folder)."""
    if name not in STATIC_FILES:
        raise NotFound("No such file.")
    return FileResponse(
        CONSOLE_DIR / "static" / name,
        media_type=STATIC_FILES[name],
        headers={"Cache-Control": "no-cache"},
    )
