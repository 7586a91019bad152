"""One-time codes are made here, from the operating system's random source.

Only the action server makes codes; what travels and how a code is recognised
in text is :mod:`common.codes`, shared with the gateway.
"""

from __future__ import annotations

import secrets

from common.codes import CODE_LENGTH


def new_code() -> str:
    """A fresh code from the OS's CSPRNG: ``"000000"``…``"999999"``, uniform."""
    return f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"
