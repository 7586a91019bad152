"""The gateway's exceptions, each carrying its HTTP status and error code.

    BankbotError
     ├── BadRequest           400  bad_request
     ├── Unauthorized         401  unauthorized
     ├── Forbidden            403  forbidden
     ├── NotFound             404  not_found
     ├── Conflict             409  conflict
     ├── PayloadTooLarge      413  payload_too_large
     ├── InvalidInput         422  invalid_input
     ├── TooManyRequests      429  too_many_requests
     └── ServiceUnavailable   503  service_unavailable

One handler (`handoff.api.errors`) turns any of them into
`{"error": {"code": ..., "message": ...}}`; routes never build error bodies.
"""

from __future__ import annotations


class BankbotError(Exception):
    """Base of every error the gateway reports to a client."""

    status_code = 400
    code = "bad_request"
    # The security event this error is (docs/security.md), if any.
    event: str | None = None

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        event: str | None = None,
        actor: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if event is not None:
            self.event = event
        # Who tried (a staff username), when the security log should say so.
        self.actor = actor


class BadRequest(BankbotError):
    """The request cannot be understood."""


class Unauthorized(BankbotError):
    """No valid credentials: a missing, wrong or expired token."""

    status_code = 401
    code = "unauthorized"


class Forbidden(BankbotError):
    """Valid credentials that do not reach this resource."""

    status_code = 403
    code = "forbidden"
    event = "forbidden"


class NotFound(BankbotError):
    """No such resource (or one the caller may not know exists)."""

    status_code = 404
    code = "not_found"


class Conflict(BankbotError):
    """The resource is in a state that does not allow this."""

    status_code = 409
    code = "conflict"


class PayloadTooLarge(BankbotError):
    """The body is over the gateway's size limit."""

    status_code = 413
    code = "payload_too_large"


class InvalidInput(BankbotError):
    """Well-formed request whose content breaks a rule."""

    status_code = 422
    code = "invalid_input"


class TooManyRequests(BankbotError):
    """A rate limit was hit."""

    status_code = 429
    code = "too_many_requests"
    event = "rate_limited"


class ServiceUnavailable(BankbotError):
    """A dependency of the gateway itself (its database) is down."""

    status_code = 503
    code = "service_unavailable"
