"""Rules every service's settings apply the same way."""

from __future__ import annotations

KNOWN_WEAK_SECRETS = frozenset({"", "changeme", "secret", "dev", "development", "test"})
"""Values that must never protect a production deployment."""

MIN_SECRET_LENGTH = 32


def weak_secret(value: str) -> bool:
    """Whether a secret is too weak for production (a known value or too short)."""
    return value.lower() in KNOWN_WEAK_SECRETS or len(value) < MIN_SECRET_LENGTH
