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
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    """Render `template` (path under handoff/pages) with HTML autoescaping."""
    return templates.TemplateResponse(request, template, context, status_code=status)
