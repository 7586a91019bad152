"""Jinja2 rendering for the gateway's server-side pages (autoescaped)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

PAGES = Path(__file__).parent
templates = Jinja2Templates(directory=str(PAGES))


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render `template` (path under handoff/pages) with HTML autoescaping."""
    return templates.TemplateResponse(
        request, template, context, status_code=status, headers=headers
    )


CONSOLE_LINK = ("/console", "坐席工作台 Agent console")
CONTENT_LINK = ("/content", "内容管理 Content pages")
NO_ACCESS: dict[str, tuple[str, str]] = {
    "console": (
        "内容编辑账号不能查看客户会话，请使用内容管理页面。",
        "Content editor accounts cannot see customer conversations; please use the content pages.",
    ),
    "content": ("内容管理页面仅供内容编辑和主管使用。",
                "The content pages are for content editors and supervisors."),
    "quality": ("服务质量页面仅供主管查看。", "The Quality page is for supervisors only."),
}  # fmt: skip
"""Why each staff page refuses a role, in both languages."""


def no_access(
    request: Request, page: str, editor: bool, headers: dict[str, str] | None = None
) -> HTMLResponse:
    """The one 403 page of the staff pages: why, and a link to the pages the role may use."""
    why_zh, why_en = NO_ACCESS[page]
    href, label = CONTENT_LINK if editor else CONSOLE_LINK
    context = {"why_zh": why_zh, "why_en": why_en, "href": href, "label": label}
    return render(request, "no_access.html", context, status=403, headers=headers)
