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
    *sorted(p for p in (ROOT / "handoff" / "pages").rglob("*.js") if "vendor" not in p.parts),
    *sorted((ROOT / "handoff" / "pages").rglob("*.html")),
    *sorted((ROOT / "faqs").rglob("*.py")),
]
HEDGED_PLURAL = re.compile(r"(?<![\w.])[A-Za-z]+\((?:s|es)\)")
"""A word with "(s)": "message(s)", not a call such as ``get_slot(s)``."""


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
        ("queued_no_estimate", 2, "There are 2 customers ahead of you.", "您前面还有2位客户"),
        ("queued", 3, "There are 3 customers ahead of you;", "您前面还有3位客户"),
        ("still_queued", 1, "1 customer is ahead of you.", "您前面还有1位客户"),
        ("still_queued", 2, "2 customers are ahead of you.", "您前面还有2位客户"),
    ],
)
def test_the_queue_counts_customers_properly(
    key: str, ahead: int, english: str, chinese: str
) -> None:
    values = {"ahead": ahead, "wait": "about 4 min"}
    assert english in phrase(key, "en", count=ahead, **values)
    assert chinese in phrase(key, "zh", count=ahead, **values)
    both = phrase(key, None, count=ahead, **values)
    assert english in both and chinese in both


@pytest.mark.parametrize(
    ("key", "count", "english"),
    [
        ("queued_no_estimate", 1, "There is 1 customer ahead of you."),
        ("queue_notice", 1, "In the queue: 1 customer ahead of you,"),
        ("queue_notice", 2, "In the queue: 2 customers ahead of you,"),
        ("queue_notice_no_estimate", 1, "1 customer ahead of you; no agent"),
        ("duration_minutes", 1, "1 minute"),
        ("duration_minutes", 30, "30 minutes"),
        ("duration_hours", 1, "1 hour"),
        ("duration_hours", 2, "2 hours"),
    ],
)
def test_waits_and_durations_count_properly(key: str, count: int, english: str) -> None:
    text = phrase(key, "en", count=count, ahead=count, n=count, wait="about 4 min")
    assert english in text and "1 minutes" not in text and "1 hours" not in text
