"""Every route that is not public depends on customer or staff authentication.

Walks the app's routes (zulip's test of the same idea): a new route fails
this test until it either depends on `customer_conversation` /
`current_staff_session` or is added to PUBLIC on purpose. WebSocket routes
authenticate with their first frame and are listed with the function that
does it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi.routing import APIRoute, APIWebSocketRoute
from starlette.routing import BaseRoute, Route

from handoff.api import deps
from handoff.main import create_app
from tests.conftest import make_settings

# (method, path) that anyone may call: they expose no conversation or staff data.
PUBLIC = {
    ("GET", "/health"),
    ("GET", "/metrics"),  # loopback clients only (tests/handoff/test_metrics.py)
    ("GET", "/api/engine/model"),  # the engine token (tests/handoff/test_engine_model.py)
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("POST", "/api/conversations"),  # creating a conversation issues its token
    ("POST", "/api/agent/login"),
    ("GET", "/console/login"),
    ("POST", "/console/login"),
    ("GET", "/console"),  # an empty shell; it checks the cookie itself and redirects
    ("GET", "/content"),  # likewise, for the content team
    ("GET", "/console/two-factor"),  # likewise: the second factor's set-up page
    ("GET", "/console/static/{name}"),
    ("GET", "/console/quality"),  # checks the cookie itself: supervisors only
    ("GET", "/console/quality/static/{name}"),
    # The customer widget's public pages and files.
    ("GET", "/"),
    ("GET", "/chat"),
    ("GET", "/widget.js"),
    ("GET", "/widget/{name}"),
    # Development mode only (the router is not mounted in production).
    ("GET", "/dev/sms"),
    ("GET", "/api/dev/sms"),
    ("POST", "/api/dev/sms"),
}

AUTH_DEPENDENCIES = {
    deps.customer_conversation,
    deps.customer_turn_conversation,
    deps.current_staff_session,
    deps.current_staff,
}
# WebSockets authenticate with the first frame (tokens never go in URLs).
SELF_AUTHENTICATING_WS = {"/ws/conversations/{conversation_id}", "/ws/agent"}


def flat_routes(routes: list[BaseRoute]) -> Iterator[BaseRoute]:
    """Routes of the app, including those of included routers (FastAPI may nest them)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from flat_routes(list(inner.routes))
        else:
            yield route


def dependency_calls(dependant: Any) -> Iterator[Any]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from dependency_calls(dependency)


def is_public(method: str, path: str) -> bool:
    return (method, path) in PUBLIC


def test_every_non_public_route_requires_authentication(tmp_path: Any) -> None:
    app = create_app(make_settings(f"sqlite:///{tmp_path}/routes.db"))
    unprotected = []
    seen = set()
    for route in flat_routes(list(app.routes)):
        if isinstance(route, APIWebSocketRoute):
            assert route.path in SELF_AUTHENTICATING_WS, f"unreviewed WebSocket {route.path}"
            seen.add(("WS", route.path))
            continue
        if isinstance(route, APIRoute):
            calls = set(dependency_calls(route.dependant))
            for method in route.methods:
                seen.add((method, route.path))
                if not is_public(method, route.path) and not calls & AUTH_DEPENDENCIES:
                    unprotected.append((method, route.path))
        elif isinstance(route, Route):
            for method in route.methods or ():
                if method != "HEAD":
                    seen.add((method, route.path))
                    if not is_public(method, route.path):
                        unprotected.append((method, route.path))
    assert unprotected == [], f"routes without authentication: {unprotected}"
    # The walk really saw the agent API (a broken walk must not pass silently).
    for expected in [
        ("POST", "/api/agent/handoffs/{handoff_id}/claim"),
        ("GET", "/api/agent/queue"),
        ("GET", "/api/conversations/{conversation_id}/messages"),
        ("WS", "/ws/agent"),
    ]:
        assert expected in seen, expected
