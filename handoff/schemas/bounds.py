"""Bounds of the numbers a client may send.

Every integer id of a path, query or body is at most a 32-bit signed row id:
anything larger names no row, and an unbounded integer overflows the
database driver (a 500 instead of a clear 4xx).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

MAX_ROW_ID = 2**31 - 1
# Message sequence numbers and part numbers share the bound.
MAX_COUNT = MAX_ROW_ID

RowIdField = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]
