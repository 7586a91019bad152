"""The widget's pages and files, and who may call the customer API cross-origin (in-process)."""

from __future__ import annotations

import asyncio
import gzip
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from handoff.api.routes.pages import STATIC_DIR
from handoff.core.config import Settings
from handoff.main import create_app
from handoff.migrate import upgrade
from tests.conftest import make_settings

ALLOWED = "https://www.harbour-bank.example"
FOREIGN = "https://evil.example"
WIDGET_GZIP_BUDGET = 50 * 1024


@pytest.fixture
def cors_settings(tmp_path: Path) -> Settings:
    url = f"sqlite:///{tmp_path}/gateway.db"
    upgrade(url)
    return make_settings(url, allowed_origins=[ALLOWED])


@pytest.fixture
async def site(cors_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway in-process with one allowed embedding origin."""
    app = create_app(cors_settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            client.app = app  # type: ignore[attr-defined]
            yield client


async def websocket_handshake(
    app: FastAPI, path: str, origin: str, token: str
) -> list[dict[str, Any]]:
    """Open a WebSocket at the ASGI level as a browser on `origin` would; return what was sent."""
    scope = {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "scheme": "ws",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"gateway"), (b"origin", origin.encode())],
        "server": ("gateway", 80),
        "client": ("127.0.0.1", 50000),
        "subprotocols": [],
        "state": {},
    }
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    inbox.put_nowait({"type": "websocket.connect"})
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
        if message["type"] == "websocket.accept":
            inbox.put_nowait(
                {"type": "websocket.receive", "text": json.dumps({"type": "auth", "token": token})}
            )
        elif message["type"] == "websocket.send":
            inbox.put_nowait({"type": "websocket.disconnect", "code": 1000})

    await asyncio.wait_for(app(scope, inbox.get, send), timeout=10)
    return sent


def assert_csp_clean(html: str) -> None:
    """No inline script, no inline style: what a strict CSP would block."""
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, tag
    assert "<style" not in html
    assert not re.search(r"\sstyle\s*=", html)
    assert not re.search(r"\son[a-z]+\s*=", html)  # no inline event handlers


# ---- pages -------------------------------------------------------------------------


async def test_demo_page_embeds_the_widget_with_one_tag_under_a_strict_csp(
    site: httpx.AsyncClient,
) -> None:
    response = await site.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    html = response.text
    assert '<html lang="zh-CN">' in html and "海港银行" in html
    assert re.findall(r"<script\b[^>]*>", html) == [
        '<script src="/widget.js" data-language="zh" async>'
    ]
    assert_csp_clean(html)


async def test_demo_page_in_english(site: httpx.AsyncClient) -> None:
    html = (await site.get("/", params={"lang": "en"})).text
    assert '<html lang="en">' in html and "Harbour Bank" in html
    assert 'data-language="en"' in html
    # An unknown language falls back to Chinese rather than an error page.
    assert (await site.get("/", params={"lang": "fr"})).status_code == 200


async def test_app_chat_page_is_fullscreen_without_a_launcher(site: httpx.AsyncClient) -> None:
    response = await site.get("/chat", params={"channel": "app", "lang": "en"})
    assert response.status_code == 200
    html = response.text
    assert 'data-mode="fullscreen"' in html and 'data-channel="app"' in html
    assert 'data-language="en"' in html and "width=device-width" in html
    assert "content-security-policy" in response.headers
    assert_csp_clean(html)
    other = (await site.get("/chat", params={"channel": "<script>"})).text
    assert 'data-channel="web"' in other and '<script>"' not in other


async def test_widget_script_is_javascript_and_small(site: httpx.AsyncClient) -> None:
    response = await site.get("/widget.js", headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["content-encoding"] == "gzip"
    raw = (STATIC_DIR / "widget.js").read_bytes()
    assert response.content == raw  # httpx decoded it
    assert len(gzip.compress(raw, 9)) < WIDGET_GZIP_BUDGET
    # Revalidation is a 304 without a body.
    again = await site.get("/widget.js", headers={"if-none-match": response.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


async def test_widget_stylesheet_and_demo_files(site: httpx.AsyncClient) -> None:
    for name in ("widget.css", "demo.css", "chat.css"):
        response = await site.get(f"/widget/{name}")
        assert response.status_code == 200, name
        assert response.headers["content-type"].startswith("text/css")
        assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "path",
    ["/widget/..%2F..%2Fmain.py", "/widget/.hidden.js", "/widget/nope.js", "/widget/demo.html"],
)
async def test_widget_files_cannot_reach_outside_their_folder(
    site: httpx.AsyncClient, path: str
) -> None:
    response = await site.get(path)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_widget_source_renders_text_only() -> None:
    """Message data never meets an HTML parser: no innerHTML, eval or inline style in the widget."""
    source = (STATIC_DIR / "widget.js").read_text(encoding="utf-8")
    for banned in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
        "setAttribute('style'",
    ):
        assert banned not in source, banned
    assert "textContent" in source
    # The token travels in a header and the first WebSocket frame, never in a URL.
    assert "?token" not in source and "&token" not in source


# ---- cross-origin access -------------------------------------------------------------


async def test_allowed_origin_may_call_the_customer_api(site: httpx.AsyncClient) -> None:
    preflight = await site.options(
        "/api/conversations",
        headers={
            "origin": ALLOWED,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ALLOWED
    created = await site.post(
        "/api/conversations", json={"channel": "web"}, headers={"origin": ALLOWED}
    )
    assert created.status_code == 201
    assert created.headers["access-control-allow-origin"] == ALLOWED
    assert "access-control-allow-credentials" not in created.headers
    conv = created.json()
    history = await site.get(
        f"/api/conversations/{conv['conversation_id']}/messages",
        headers={"origin": ALLOWED, "authorization": f"Bearer {conv['token']}"},
    )
    assert history.status_code == 200
    assert history.headers["access-control-allow-origin"] == ALLOWED


async def test_other_origins_are_refused(site: httpx.AsyncClient) -> None:
    preflight = await site.options(
        "/api/conversations",
        headers={"origin": FOREIGN, "access-control-request-method": "POST"},
    )
    assert preflight.status_code == 403
    assert "access-control-allow-origin" not in preflight.headers
    created = await site.post(
        "/api/conversations", json={"channel": "web"}, headers={"origin": FOREIGN}
    )
    assert created.status_code == 403
    assert created.json()["error"]["code"] == "origin_not_allowed"
    assert "access-control-allow-origin" not in created.headers
    # `null` (sandboxed frames, file://) is another origin too.
    null = await site.post(
        "/api/conversations", json={"channel": "web"}, headers={"origin": "null"}
    )
    assert null.status_code == 403


async def test_same_origin_and_servers_need_no_cors(site: httpx.AsyncClient) -> None:
    same = await site.post(
        "/api/conversations", json={"channel": "web"}, headers={"origin": "http://gateway"}
    )
    assert same.status_code == 201
    plain = await site.post("/api/conversations", json={"channel": "web"})
    assert plain.status_code == 201


async def test_cors_is_limited_to_the_customer_api(site: httpx.AsyncClient) -> None:
    health = await site.get("/health", headers={"origin": ALLOWED})
    assert "access-control-allow-origin" not in health.headers


async def test_websocket_checks_the_origin(site: httpx.AsyncClient) -> None:
    conv = (await site.post("/api/conversations", json={"channel": "web"})).json()
    path = f"/ws/conversations/{conv['conversation_id']}"
    app: FastAPI = site.app  # type: ignore[attr-defined]
    refused = await websocket_handshake(app, path, FOREIGN, conv["token"])
    # Closed before accept: the server answers the handshake with 403.
    assert refused == [{"type": "websocket.close", "code": 1008}]
    for origin in (ALLOWED, "http://gateway"):
        frames = await websocket_handshake(app, path, origin, conv["token"])
        assert frames[0]["type"] == "websocket.accept", origin
        assert json.loads(frames[1]["text"])["type"] == "ready"
