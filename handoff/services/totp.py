"""Time-based one-time passwords (RFC 6238) for supervisors and editors.

A staff member enrols from the console: the gateway makes a secret, the
authenticator app scans its `otpauth://` address, and the first code they
type confirms it. From then on a login needs the password and a current
code; each code works once (the accepted time step is remembered).
`python -m bankbot staff reset-totp NAME` clears it for a lost phone.
"""

from __future__ import annotations

from datetime import datetime

import pyotp

from handoff.core.config import Settings
from handoff.models import Agent, StaffRole

ISSUER = "bankbot"
# Roles that must use a second factor (agents see one customer at a time).
TOTP_ROLES = frozenset({StaffRole.supervisor, StaffRole.editor})


def needs_totp(agent: Agent) -> bool:
    """Whether the role must have a second factor."""
    return agent.role in TOTP_ROLES


def must_use(settings: Settings, agent: Agent) -> bool:
    """Whether this account must have a second factor in this deployment."""
    return settings.totp_required and needs_totp(agent)


def must_enrol(settings: Settings, agent: Agent) -> bool:
    """Whether the account may do nothing but enrol (required and not set up yet)."""
    return must_use(settings, agent) and not enrolled(agent)


def enrolled(agent: Agent) -> bool:
    """Whether a confirmed TOTP secret protects the account."""
    return bool(agent.totp_secret and agent.totp_confirmed_at)


def start_enrolment(agent: Agent) -> dict[str, str]:
    """A new (unconfirmed) secret and the address an authenticator app scans."""
    secret = pyotp.random_base32()
    agent.totp_secret, agent.totp_confirmed_at, agent.totp_last_step = secret, None, None
    uri = pyotp.TOTP(secret).provisioning_uri(name=agent.username, issuer_name=ISSUER)
    return {"secret": secret, "uri": uri}


def check(agent: Agent, code: str | None, now: datetime) -> bool:
    """True once per time step for a current code (one step of clock drift allowed)."""
    if not agent.totp_secret or not code:
        return False
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return False
    totp = pyotp.TOTP(agent.totp_secret)
    step = int(now.timestamp()) // totp.interval
    for candidate in (step, step - 1, step + 1):
        if candidate <= (agent.totp_last_step or -1):
            continue
        if pyotp.utils.strings_equal(totp.generate_otp(candidate), code):
            agent.totp_last_step = candidate
            return True
    return False


def confirm(agent: Agent, code: str | None, now: datetime) -> bool:
    """Activate an enrolment with the first code from the app."""
    if agent.totp_secret is None or not check(agent, code, now):
        return False
    agent.totp_confirmed_at = now
    return True


def reset(agent: Agent) -> None:
    """Forget the second factor (the staff member enrols again)."""
    agent.totp_secret, agent.totp_confirmed_at, agent.totp_last_step = None, None, None
