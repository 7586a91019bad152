"""English counts in what customers and staff read: "1 customer", never "customer(s)".

The gateway's phrases choose their singular form when they count one; and no
text that people read — the domain's responses, the action server's and the
gateway's own words, the pages' scripts — falls back on "(s)".
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from handoff.services.phrases import phrase

ROOT = Path(__file__).resolve().parents[2]
READ_BY_PEOPLE = [
    *sorted((ROOT / "domain").glob("*.yml")),
    *sorted((ROOT / "actions").rglob("*.py")),
    *sorted((ROOT / "handoff").rglob("*.py")),
    *sorted((ROOT / "handoff" / "pages").rglob("*.js")),
    *sorted((ROOT / "handoff" / "pages").rglob("*.html")),
    *sorted((ROOT / "faqs").rglob("*.py")),
]
HEDGED_PLURAL = re.compile(r"[A-Za-z]\((?:s|es)\)")


def test_there_are_files_to_read() -> None:
    assert len(READ_BY_PEOPLE) > 50


@pytest.mark.parametrize("path", READ_BY_PEOPLE, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_hedged_plurals(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    found = [f"{n}: {t.strip()}" for n, t in enumerate(lines, 1) if HEDGED_PLURAL.search(t)]
    assert not found, found


@pytest.mark.parametrize(
    ("key", "ahead", "english", "chinese"),
    [
        ("queued", 1, "There is 1 customer ahead of you;", "您前面还有1位客户"),
        ("queued", 3, "There are 3 customers ahead of you;", "您前面还有3位客户"),
        ("still_queued", 1, "1 customer is ahead of you.", "您前面还有1位客户"),
        ("still_queued", 2, "2 customers are ahead of you.", "您前面还有2位客户"),
    ],
)
def test_the_queue_counts_customers_properly(
    key: str, ahead: int, english: str, chinese: str
) -> None:
    assert english in phrase(key, "en", count=ahead, ahead=ahead, minutes=4)
    assert chinese in phrase(key, "zh", count=ahead, ahead=ahead, minutes=4)
    both = phrase(key, None, count=ahead, ahead=ahead, minutes=4)
    assert english in both and chinese in both
