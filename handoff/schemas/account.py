"""Bodies of a staff member's own account routes (password, second factor)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

# Same rule as `bankbot staff add|passwd`.
MIN_PASSWORD = 12


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PasswordChange(_Strict):
    """The current password and the new one."""

    current: str = Field(min_length=1, max_length=256)
    new: str = Field(min_length=MIN_PASSWORD, max_length=256)


class TotpCode(_Strict):
    """A code from the authenticator app."""

    code: str = Field(min_length=6, max_length=12)


class TotpStatus(BaseModel):
    """Whether the account must use, and does use, a second factor."""

    required: bool
    enrolled: bool


class TotpEnrolment(BaseModel):
    """What the authenticator app needs: the secret, or the address that carries it."""

    secret: str
    uri: str
