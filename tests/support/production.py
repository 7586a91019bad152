"""Settings for a throw-away stack in production mode on loopback.

Development mode refuses PostgreSQL (docs/security.md), so every stack on
PostgreSQL runs as production does: random secrets, and an SMS service that
is never reached (these tests send no codes). The engine token and the
sealing key come from the stack's own configuration.
"""

from __future__ import annotations

import secrets


def production_env() -> dict[str, str]:
    """Environment for the three services of a production-mode stack."""
    return {
        "BANKBOT_ENV": "production",
        "SESSION_SECRET": secrets.token_urlsafe(32),
        "SMS_BACKEND": "http",
        "SMS_GATEWAY_URL": "https://127.0.0.1:9/sms",
        "SMS_API_KEY": secrets.token_urlsafe(24),
    }
