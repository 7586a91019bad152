"""bot/judgement_borrowed.py: which labelled messages of one detector also teach the other."""

from __future__ import annotations

from pathlib import Path

from bot.judgement_borrowed import BORROWED_KIND, from_calm, from_complaints, from_prevention
from bot.judgement_data import FRAUD, UPSET, Example

STORIES = """
categories:
  service_attitude:
    - "昨天下午在人民路支行，柜员对我很不耐烦"
    - "the teller at the Lake Road branch was rude to me on Monday"
    - "服务态度"
  information_security:
    - "我的手机号没经过我同意就被改了"
"""


def test_complaint_stories_are_other_except_data_security_and_short_answers(
    tmp_path: Path,
) -> None:
    (tmp_path / "categories.yml").write_text(STORIES, encoding="utf-8")
    examples = from_complaints(tmp_path, weight=0.5)
    assert [(e.text[:4], e.language) for e in examples] == [("昨天下午", "zh"), ("the ", "en")]
    assert {(e.detector, e.label, e.weight) for e in examples} == {(FRAUD, "other", 0.5)}
    assert all(str(e.kind).startswith(BORROWED_KIND) for e in examples)


def test_no_complaint_file_no_examples(tmp_path: Path) -> None:
    assert from_complaints(tmp_path) == []


def test_only_calm_everyday_kinds_of_the_upset_sets() -> None:
    upset = [
        Example("转账失败了", "zh", "calm", "failure", UPSET),
        Example("the app shows a blank screen", "en", "calm", "app_error", UPSET),
        Example("phew, found the card, thanks", "en", "calm", "relief_thanks", UPSET),
        Example("kill the standing order to the gym", "en", "calm", "strong_words", UPSET),
        Example("a charge I don't recognise", "en", "calm", "wrong_charge", UPSET),
        Example("垃圾银行", "zh", "upset", "anger", UPSET),
    ]
    borrowed = from_calm(upset, weight=0.5)
    assert [(e.text, e.label, e.detector) for e in borrowed] == [
        ("转账失败了", "other", FRAUD),
        ("the app shows a blank screen", "other", FRAUD),
        ("kill the standing order to the gym", "other", FRAUD),
    ]


def test_prevention_questions_are_calm_unless_they_say_they_are_afraid() -> None:
    fraud = [
        Example(
            "有人打电话说是警察，我挂了，要报警吗", "zh", "prevention", "refused_attempt", FRAUD
        ),
        Example(
            "A 'bank' called about a charge, I said no. Real?", "en", "prevention", None, FRAUD
        ),
        Example(
            "吓死我了，有人说我涉嫌洗钱，我没理他", "zh", "prevention", "refused_attempt", FRAUD
        ),
        Example("I'm so scared, someone has my card number", "en", "prevention", "general", FRAUD),
        Example("我转了五万到安全账户", "zh", "victim", "safe_account", FRAUD),
        Example("跨行取款收费吗", "zh", "other", "fees_limits", FRAUD),
    ]
    examples = from_prevention(fraud, weight=0.5)
    assert [e.text[:8] for e in examples] == ["有人打电话说是警", "A 'bank'"]
    assert {(e.detector, e.label, e.weight) for e in examples} == {(UPSET, "calm", 0.5)}
    assert all(e.kind == f"{BORROWED_KIND}prevention" for e in examples)
