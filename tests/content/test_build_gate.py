"""The pure parts: content shape and diff, the training build, the evaluation gate."""

from __future__ import annotations

from pathlib import Path

import pytest

from bankbot.bench_content import new_faq_payload
from common.paths import ROOT
from faqs.content import digest, from_faq
from faqs.files import load_faqs, read_nlu_examples
from handoff.services.content.build import holdout, make_build
from handoff.services.content.faqdata import (
    ContentInvalid,
    check_id,
    diff,
    make_content,
    summarise,
)
from handoff.services.content.gate import judge


def approved() -> dict[str, dict]:
    return {faq.id: from_faq(faq) for faq in load_faqs(ROOT / "content" / "faqs")}


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


def test_the_build_holds_out_part_of_the_edited_faqs_only(tmp_path: Path) -> None:
    faqs = approved()
    build = make_build(faqs, ["opening_hours"], repo_root=ROOT, target=tmp_path / "b",
                       holdout_share=0.2)  # fmt: skip
    trained = read_nlu_examples(build.data / "nlu" / "faq.yml")
    held = read_nlu_examples(build.root / "tests" / "heldout.yml")
    assert set(held) == {"faq/opening_hours"}
    examples = faqs["opening_hours"]["examples"]
    total = len(examples["zh"]) + len(examples["en"])
    assert (
        len(held["faq/opening_hours"])
        == build.heldout
        == sum(int(len(examples[lang]) * 0.2) for lang in ("zh", "en"))
    )
    assert len(trained["faq/opening_hours"]) == total - build.heldout
    assert not set(held["faq/opening_hours"]) & set(trained["faq/opening_hours"])
    assert len(trained["faq/hotline"]) == sum(len(v) for v in faqs["hotline"]["examples"].values())
    # The repository's own data and pipeline are there; the FAQ files come from the database.
    assert (build.data / "nlu" / "core.yml").read_bytes() == (
        ROOT / "data/nlu/core.yml"
    ).read_bytes()
    assert {p.name for p in build.testsets} >= {"faq_testset.yml", "heldout.yml"}
    # Same content, same split, same model name; other content, another name.
    again = make_build(faqs, ["opening_hours"], repo_root=ROOT, target=tmp_path / "c",
                       holdout_share=0.2)  # fmt: skip
    assert again.model_name == build.model_name
    faqs["hotline"]["answer"]["en"] += " Thanks."
    other = make_build(faqs, [], repo_root=ROOT, target=tmp_path / "d", holdout_share=0.2)
    assert other.model_name != build.model_name


def test_holdout_is_a_stable_share() -> None:
    phrases = [f"p{i}" for i in range(12)]
    assert holdout("x", phrases, 0.2) == holdout("x", list(reversed(phrases)), 0.2)
    assert len(holdout("x", phrases, 0.2)) == 2
    assert holdout("x", phrases[:4], 0.2) == set()


def record(text: str, expected: str, predicted: str) -> dict:
    return {"text": text, "expected": expected, "predicted": predicted, "confidence": 0.9,
            "language": "en", "source": "t"}  # fmt: skip


def test_the_gate_compares_with_the_live_model_and_the_floor() -> None:
    live = [record(f"q{i}", "a", "a") for i in range(100)]
    same = judge(live, live, floor=0.92, margin=0.01)
    assert same["passed"] and same["worse"] == []

    one_worse = [record("q0", "a", "b")] + live[1:]
    verdict = judge(one_worse, live, floor=0.92, margin=0.01)
    assert verdict["passed"]  # 99% vs 100%: within one point
    assert verdict["worse"] == [
        {"text": "q0", "expected": "a", "candidate": "b", "confidence": 0.9}
    ]

    two_worse = [record("q0", "a", "b"), record("q1", "a", "b")] + live[2:]
    verdict = judge(two_worse, live, floor=0.92, margin=0.01)
    assert not verdict["passed"] and "below the live model" in verdict["reasons"][0]
    assert len(verdict["worse"]) == 2

    poor = [record(f"q{i}", "a", "b" if i < 10 else "a") for i in range(100)]
    verdict = judge(poor, None, floor=0.92, margin=0.01)
    assert not verdict["passed"] and "at least 92%" in verdict["reasons"][0]
