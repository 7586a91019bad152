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

from handoff.api.deps import DeskDep, SessionDep, client_of, staff_cookie, staff_cookie_name
from handoff.api.errors import security_event_task
from handoff.core.errors import BankbotError, NotFound
from handoff.models import StaffRole
from handoff.pages.render import no_access
from handoff.services import staff, totp
from handoff.services.clock import clock

CONSOLE_DIR = Path(__file__).resolve().parents[2] / "pages" / "console"
templates = Jinja2Templates(directory=CONSOLE_DIR / "templates")
STATIC_FILES = {
    "console.js": "text/javascript; charset=utf-8",
    "console.css": "text/css; charset=utf-8",
    "two_factor.js": "text/javascript; charset=utf-8",
}
NO_STORE = {"Cache-Control": "no-store"}
# Under the gateway's default "no-referrer" the browser would post the form with
# `Origin: null`; "same-origin" lets it send the real origin, which the form checks.
LOGIN_HEADERS = {**NO_STORE, "Referrer-Policy": "same-origin"}

router = APIRouter(tags=["console"], include_in_schema=False)

BAD_LOGIN = "用户名或密码不正确。Wrong username or password."
LOGIN_ERRORS = {
    "too_many_logins": "登录尝试过多，请几分钟后再试。"
    "Too many attempts; please wait a few minutes.",
    "account_locked": "登录失败次数过多，账户暂时锁定，请几分钟后再试。"
    "This account is locked for a few minutes after repeated failed logins.",
    "login_busy": "登录服务繁忙，请稍后再试。"
    "The login service is busy; please try again shortly.",
    "totp_required": "请输入验证器中的6位动态码。"
    "Enter the 6-digit code from your authenticator app.",
    "invalid_totp": "动态码不正确或已使用，请等待下一个。"
    "That code is wrong or was used; wait for the next one.",
}


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
    totp: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    """Check the credentials; on success set the session cookie and open the console."""
    if not _same_origin(request):
        return _login_page(request, "请从本站登录。Please log in from this site.", "", 403)
    try:
        token, agent = await staff.login(
            session, runtime.guard, runtime.hashing,
            staff.Credentials(username, password, totp or None),
            client_of(request), clock.now(),
        )  # fmt: skip
    except BankbotError as exc:
        message = LOGIN_ERRORS.get(exc.code, BAD_LOGIN)
        page = _login_page(request, message, username, exc.status_code)
        page.background = security_event_task(request, exc)
        return page
    # Content editors have no console: their pages are the content tool's.
    landing = "/content" if agent.role == StaffRole.editor else "/console"
    response = RedirectResponse(landing, status_code=303)
    settings = request.app.state.context.settings
    response.set_cookie(
        staff_cookie_name(settings),
        token,
        max_age=int(staff.SESSION_TTL.total_seconds()),
        path="/",
        httponly=True,
        samesite="strict",
        # Production is served over HTTPS (a TLS proxy in front may make the scheme look http).
        secure=not settings.is_development or request.url.scheme == "https",
    )
    return response


@router.get("/console")
async def console(request: Request, session: SessionDep) -> Response:
    """The console shell for a logged-in agent or supervisor; others go to the login form."""
    try:
        agent, _ = await staff.authenticate(
            session, staff_cookie(request), clock.now(),
            request.app.state.context.settings.staff_idle_timeout,
        )  # fmt: skip
    except BankbotError:
        return RedirectResponse("/console/login", status_code=303)
    if totp.must_enrol(request.app.state.context.settings, agent):
        return RedirectResponse("/console/two-factor", status_code=303)
    if agent.role == StaffRole.editor:
        return no_access(request, "console", editor=True, headers=NO_STORE)
    return templates.TemplateResponse(
        request, "console.html", {"agent": staff.agent_view(agent)}, headers=NO_STORE
    )


@router.get("/console/two-factor")
async def two_factor(request: Request, session: SessionDep) -> Response:
    """Set up two-step verification (an authenticator app) for the logged-in account."""
    settings = request.app.state.context.settings
    try:
        agent, _ = await staff.authenticate(
            session, staff_cookie(request), clock.now(), settings.staff_idle_timeout
        )
    except BankbotError:
        return RedirectResponse("/console/login", status_code=303)
    context = {
        "agent": staff.agent_view(agent),
        "enrolled": totp.enrolled(agent),
        "required": totp.must_use(settings, agent),
        "home": "/content" if agent.role == StaffRole.editor else "/console",
    }
    return templates.TemplateResponse(request, "two_factor.html", context, headers=NO_STORE)


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
