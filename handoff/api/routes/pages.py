"""The customer's pages: the demo host page, the full-screen chat and the widget's files.

Everything here is public and static apart from two template variables
(language and channel), so the pages work under the gateway's strict CSP:
no inline script or style, the widget's CSS is a file it loads itself.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from handoff.core.errors import NotFound

WIDGET_DIR = Path(__file__).resolve().parents[2] / "pages" / "widget"
STATIC_DIR = WIDGET_DIR / "static"
templates = Jinja2Templates(directory=WIDGET_DIR / "templates")

router = APIRouter(tags=["pages"], include_in_schema=False)

Language = Literal["zh", "en"]
_MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
}
# Flat names only: no folders, no dot files, so no path can leave STATIC_DIR.
_SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*\.[a-z0-9]+$")
_COMPRESSIBLE = {".js", ".css", ".svg"}


@dataclass(frozen=True)
class StaticFile:
    """A file read once per content version, with its gzip form and ETag."""

    body: bytes
    gzipped: bytes | None
    etag: str
    media_type: str


@lru_cache(maxsize=64)
def _load(path: Path, mtime_ns: int) -> StaticFile:
    """Read and pre-compress a file; the mtime in the key refreshes edited files."""
    body = path.read_bytes()
    gzipped = gzip.compress(body, 9, mtime=0) if path.suffix in _COMPRESSIBLE else None
    etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
    return StaticFile(body, gzipped, etag, _MEDIA_TYPES[path.suffix])


def static_response(request: Request, name: str) -> Response:
    """Serve one widget file with gzip when accepted and an ETag for revalidation."""
    path = STATIC_DIR / name
    if not _SAFE_NAME.match(name) or path.suffix not in _MEDIA_TYPES or not path.is_file():
        raise NotFound("No such file.")
    file = _load(path, path.stat().st_mtime_ns)
    headers = {
        "etag": file.etag,
        # Revalidate every time (a cheap 304): a fix to the widget reaches every bank page at once.
        "cache-control": "no-cache",
        "vary": "accept-encoding",
        # The widget is meant to run on the banks' own pages.
        "cross-origin-resource-policy": "cross-origin",
    }
    if request.headers.get("if-none-match") == file.etag:
        return Response(status_code=304, headers=headers)
    body = file.body
    if file.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
        body, headers["content-encoding"] = file.gzipped, "gzip"
    return Response(body, media_type=file.media_type, headers=headers)


def _language(lang: str | None) -> Language:
    """Pages are lenient: an unknown `?lang=` falls back to Chinese instead of a 422."""
    return "en" if lang == "en" else "zh"


@router.get("/", response_class=HTMLResponse)
async def demo_page(request: Request, lang: str | None = None) -> Response:
    """A fake Harbour Bank home page embedding the widget with its one script tag."""
    language = _language(lang)
    return templates.TemplateResponse(
        request,
        "demo.html",
        {
            "lang": language,
            "widget_src": "/widget.js",
            "gateway": str(request.base_url).rstrip("/"),
        },
    )


@router.get("/chat", response_class=HTMLResponse)
async def chat_page(request: Request, channel: str = "web", lang: str | None = None) -> Response:
    """The widget full screen, without a launcher: what an app's web view opens."""
    return templates.TemplateResponse(
        request,
        "chat.html",
        {
            "lang": _language(lang),
            "channel": "app" if channel == "app" else "web",
            "widget_src": "/widget.js",
        },
    )


@router.get("/widget.js")
async def widget_script(request: Request) -> Response:
    """The one file a bank embeds: `<script src=".../widget.js" async></script>`."""
    return static_response(request, "widget.js")


@router.get("/widget/{name}")
async def widget_static(request: Request, name: str) -> Response:
    """The widget's stylesheet and the demo page's files."""
    return static_response(request, name)
