"""Every error leaves the gateway as `{"error": {"code", "message"}}` (docs/architecture.md)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException as StarletteHTTPException

from handoff.core.errors import BankbotError
from handoff.services import security_log
from handoff.services.ratelimit import client_key

log = logging.getLogger(__name__)

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_requests",
}


def error_response(status: int, code: str, message: str) -> JSONResponse:
    """The one JSON error shape."""
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def _connection_lost(exc: DBAPIError) -> bool:
    """Whether a database error means the server cannot be reached (not a bad query)."""
    if exc.connection_invalidated:
        return True
    name = type(exc.orig).__name__
    return name in {"OperationalError", "InterfaceError", "AdminShutdown", "ConnectionFailure"}


def _describe(exc: RequestValidationError) -> tuple[str, str]:
    errors = exc.errors()
    if any(err.get("type") == "json_invalid" for err in errors):
        return "malformed_json", "The request body is not valid JSON."
    parts = []
    for err in errors[:5]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        parts.append(f"{where or 'body'}: {err.get('msg')}")
    return "invalid_input", "; ".join(parts)


def security_event_task(request: Request, exc: BankbotError) -> BackgroundTask | None:
    """Log the error's security event now; the task stores its audit row.

    Attach the task to the response: the row is written once the response has
    gone, in a transaction of its own (the request's may have been rolled back).
    """
    context = getattr(request.app.state, "context", None)
    if context is None or exc.event is None:
        return None
    kind = "csrf_rejected" if exc.code == "csrf" else exc.event or "error"
    address = request.client.host if request.client else "unknown"
    row = security_log.event(
        kind,
        actor=exc.actor,
        client=client_key(context.settings.session_secret.get_secret_value(), address),
        path=request.url.path,
        status=exc.status_code,
        code=exc.code,
    )
    return BackgroundTask(security_log.store, context.sessions, row)


def install_error_handlers(app: FastAPI) -> None:
    """Map our exceptions, validation errors and Starlette's HTTP errors to one shape."""

    @app.exception_handler(BankbotError)
    async def _bankbot(request: Request, exc: BankbotError) -> JSONResponse:
        response = error_response(exc.status_code, exc.code, exc.message)
        response.background = security_event_task(request, exc)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        code, message = _describe(exc)
        return error_response(422, code, message)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "error")
        return error_response(exc.status_code, code, str(exc.detail))

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError) -> JSONResponse:
        # The database went away (a restart, a failover): nothing was stored, so the
        # client may send again; the customer reads an apology, not "internal error".
        if not _connection_lost(exc):
            return await _unexpected(request, exc)
        log.warning("database unavailable: %s", type(exc.orig).__name__)
        hotline = request.app.state.context.settings.hotline
        return error_response(
            503, "unavailable",
            f"非常抱歉，系统暂时繁忙，请稍后再试，或致电{hotline}。 We're sorry, we cannot take "
            f"messages for a moment; please try again shortly or call {hotline}.",
        )  # fmt: skip

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return error_response(500, "internal_error", "Something went wrong on our side.")
