"""bankbot/complaints_eval.py: which complaints the "within 3 messages" target is about."""

from __future__ import annotations

from bankbot.complaints_eval import incomplete_ids

MARKED = """complaints:
  - id: zh-01
    language: zh
    first: "我要投诉，昨天下午在人民路支行，大堂经理对我很不耐烦"
  - id: zh-02
    language: zh
    # missing: when and where
    first: "你们的理财经理说产品保本，结果亏了"
  - id: en-01
    language: en
    # Missing: where
    first: "Yesterday a teller was rude to me"
"""


def test_the_writers_marks_name_the_incomplete_complaints() -> None:
    assert incomplete_ids(MARKED) == {"zh-02", "en-01"}


def test_a_set_without_marks_does_not_say() -> None:
    unmarked = "\n".join(line for line in MARKED.splitlines() if "issing" not in line)
    assert incomplete_ids(unmarked) is None
