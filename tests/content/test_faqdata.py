"""The content pages' view of a FAQ: the shape of what an editor submits, diffs, summaries."""

from __future__ import annotations

import pytest

from bankbot.bench_content import new_faq_payload
from faqs.content import digest
from handoff.services.content.faqdata import (
    ContentInvalid,
    check_id,
    diff,
    make_content,
    summarise,
)


def test_content_is_cleaned_and_its_shape_checked() -> None:
    raw = new_faq_payload()
    raw["examples"]["zh"] = "  新卡怎么激活 \n\n银行卡  激活流程\n"
    content = make_content(raw)
    assert content["examples"]["zh"] == ["新卡怎么激活", "银行卡 激活流程"]
    with pytest.raises(ContentInvalid) as too_long:
        make_content({**raw, "answer": {"zh": "您" * 2001, "en": "x"}})
    assert "at most 2000" in str(too_long.value)
    with pytest.raises(ContentInvalid):
        check_id("../etc/passwd")
    assert digest(make_content(raw)) == digest(make_content(raw))


def test_diff_and_summary_name_what_changed() -> None:
    before = make_content(new_faq_payload())
    after = make_content(new_faq_payload())
    after["answer"]["en"] += " Thanks."
    after["examples"]["en"] = after["examples"]["en"][1:] + ["turn on my card"]
    rows = {row.label: row for row in diff(before, after) if row.changed}
    assert set(rows) == {"Answer (English)", "Training examples (English)"}
    assert rows["Training examples (English)"].added == ("turn on my card",)
    summary = summarise("edit", before, after)
    assert summary == ("edit: answer (english) changed; "
                       "training examples (english): 1 added, 1 removed")  # fmt: skip
    assert summarise("add", None, after) == "new FAQ"
