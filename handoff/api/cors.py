"""Who may call the customer API from a browser on another site.

The widget runs on the bank's own pages, so its calls to the gateway are
cross-origin. Only the origins in `ALLOWED_ORIGINS` get CORS answers, and
only for the customer API (`/api/conversations`, `/ws/conversations/`); the
agent and content APIs stay same-origin.

Browsers send `Origin` on every cross-origin request and on every WebSocket
handshake. A request is let through when it has no Origin (a server or a
test), comes from the gateway's own host, or comes from an allowed origin;
anything else is refused with 403 before any route runs, so a page on a
foreign site can neither create conversations nor open their WebSocket.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

CUSTOMER_API_PREFIX = "/api/conversations"
CUSTOMER_WS_PREFIX = "/ws/conversations/"
# WebSocket close code for a policy violation (RFC 6455); before accept it becomes HTTP 403.
WS_POLICY_VIOLATION = 1008


def normalise_origin(origin: str) -> str:
    """`scheme://host[:port]` in lower case, without a trailing slash."""
    return origin.strip().rstrip("/").lower()


class CustomerCorsMiddleware:
    """CORS for the customer API, limited to the allowed origins, and a WebSocket Origin check."""

    def __init__(self, app: ASGIApp, allowed_origins: Iterable[str]) -> None:
        self.app = app
        self.allowed = frozenset(normalise_origin(o) for o in allowed_origins if o.strip())
        self.cors = CORSMiddleware(
            app,
            allow_origins=sorted(self.allowed),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
            allow_credentials=False,  # the bearer token is the credential, never a cookie
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the customer API's callers; pass everything else straight through."""
        path: str = scope.get("path", "")
        if scope["type"] == "websocket" and path.startswith(CUSTOMER_WS_PREFIX):
            if not self._may_call(scope):
                await send({"type": "websocket.close", "code": WS_POLICY_VIOLATION})
                return
            await self.app(scope, receive, send)
        elif scope["type"] == "http" and path.startswith(CUSTOMER_API_PREFIX):
            if not self._may_call(scope):
                await _refuse(send)
                return
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    def _may_call(self, scope: Scope) -> bool:
        """No Origin, the gateway's own host, or an allowed origin."""
        headers = dict(scope.get("headers", []))
        raw = headers.get(b"origin")
        if raw is None:
            return True
        origin = normalise_origin(raw.decode("latin-1"))
        if origin in self.allowed:
            return True
        host = headers.get(b"host", b"").decode("latin-1").lower()
        return bool(host) and urlsplit(origin).netloc == host


async def _refuse(send: Send) -> None:
    """403 in the gateway's error shape (without CORS headers, the page cannot read it)."""
    body = json.dumps(
        {
            "error": {
                "code": "origin_not_allowed",
                "message": "This site is not allowed to use the chat. Ask the bank to add it "
                "to ALLOWED_ORIGINS.",
            }
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"vary", b"Origin"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
