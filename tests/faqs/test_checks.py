"""faqs.checks: the repository's content checks clean; each kind of problem is caught.

Each problem the checker promises to catch is shown on a small temporary
content tree (tests/faqs/samples.py); the core intents' data never overlaps
the FAQs'.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from common.languages import LANGUAGES
from common.paths import CATALOG_PATH, CONTENT_DIR, CORE_NLU_PATH, CORE_TESTSET_PATH, FAQ_NLU_PATH
from common.text import has_cjk
from faqs import checks as faq_checks
from faqs.checks import check
from faqs.files import format_faq, load_catalog, load_faqs, read_nlu_examples
from faqs.model import Faq
from faqs.phrases import normalise, strip_annotations
from faqs.render import render
from tests.faqs.samples import (
    CATALOG,
    REPO,
    check_tree,
    hours_faq,
    kinds_of,
    sample_faq,
    tree,
    write_tree,
)

__all__ = ["tree"]  # the fixture


# --------------------------------------------------------------------------- the repository


def test_repository_content_checks_clean() -> None:
    problems = check(REPO)
    assert problems == [], "\n".join(str(p) for p in problems)


def test_repository_covers_every_catalog_entry_with_enough_phrasings() -> None:
    catalog = load_catalog(REPO / CATALOG_PATH)
    faqs = load_faqs(REPO / CONTENT_DIR)
    assert [f.id for f in faqs] == sorted(catalog.entries)
    assert len(faqs) == 32
    for faq in faqs:
        for lang in LANGUAGES:
            assert len(faq.examples[lang]) >= 20, (faq.id, lang)
            assert len(faq.test[lang]) >= 6, (faq.id, lang)


# --------------------------------------------------------------------------- problems caught


def test_small_tree_is_clean(tree: Path) -> None:
    assert check_tree(tree) == []


def test_catches_forbidden_phrase(tmp_path: Path) -> None:
    bad = sample_faq(
        answer={
            **sample_faq().answer,
            "en": sample_faq().answer["en"] + " You must come in person.",
        }
    )
    root = write_tree(tmp_path, [bad, hours_faq()])
    problems = [p for p in check_tree(root) if p.kind == "forbidden_phrase"]
    assert problems and problems[0].faq_id == "card_fee"
    assert "you must" in problems[0].message.lower()


def test_catches_forbidden_chinese_phrase(tmp_path: Path) -> None:
    bad = sample_faq(
        answer={
            **sample_faq().answer,
            "zh": "您好，这个不清楚。换卡 5 元，10,000 元以上免费，以公布的收费标准为准。",
        }
    )
    assert "forbidden_phrase" in kinds_of(check_tree(write_tree(tmp_path, [bad, hours_faq()])))


def test_catches_missing_figure(tmp_path: Path) -> None:
    # "10000" without the thousands separator still counts; the 5 CNY is missing.
    bad = sample_faq(
        answer={
            **sample_faq().answer,
            "zh": "您好，额度在 10000 元以上的卡免费，以公布的收费标准为准。",
        }
    )
    problems = [
        p
        for p in check_tree(write_tree(tmp_path, [bad, hours_faq()]))
        if p.kind == "missing_figure"
    ]
    assert len(problems) == 1
    assert "5" in problems[0].message and "10000" not in problems[0].message


def test_catches_invented_figure(tmp_path: Path) -> None:
    bad = sample_faq(
        answer={**sample_faq().answer, "en": sample_faq().answer["en"] + " It takes 3 days."}
    )
    assert "extra_figure" in kinds_of(check_tree(write_tree(tmp_path, [bad, hours_faq()])))


def test_catches_duplicate_example_across_faqs(tmp_path: Path) -> None:
    # Differs only in width, case and punctuation: still the same phrasing.
    dup = dataclasses.replace(
        hours_faq(),
        examples={**hours_faq().examples, "en": (*hours_faq().examples["en"], "New Card Fee?")},
    )
    problems = [
        p
        for p in check_tree(write_tree(tmp_path, [sample_faq(), dup]))
        if p.kind == "duplicate_across"
    ]
    assert problems
    assert "card_fee" in problems[0].message and "opening_hours" in problems[0].message


def test_catches_duplicate_within_faq_and_test_in_examples(tmp_path: Path) -> None:
    bad = sample_faq(
        examples={**sample_faq().examples, "zh": (*sample_faq().examples["zh"], "换卡多少钱！")},
        test={**sample_faq().test, "en": ("ＮＥＷ card fee",)},
    )
    kinds = kinds_of(check_tree(write_tree(tmp_path, [bad, hours_faq()])))
    assert {"duplicate_example", "test_in_examples"} <= kinds


def test_catches_near_duplicate_across_faqs(tmp_path: Path) -> None:
    a = sample_faq(
        examples={
            **sample_faq().examples,
            "en": (*sample_faq().examples["en"], "how much does a replacement debit card cost"),
        }
    )
    b = dataclasses.replace(
        hours_faq(),
        examples={
            **hours_faq().examples,
            "en": (*hours_faq().examples["en"], "how much does a replacement debit card costs"),
        },
    )
    problems = [p for p in check_tree(write_tree(tmp_path, [a, b])) if p.kind == "near_duplicate"]
    assert problems
    assert "card_fee" in problems[0].message and "opening_hours" in problems[0].message


def test_catches_missing_language(tmp_path: Path) -> None:
    bad = sample_faq(answer={"zh": sample_faq().answer["zh"], "en": ""})
    problems = [
        p
        for p in check_tree(write_tree(tmp_path, [bad, hours_faq()]))
        if p.kind == "missing_language"
    ]
    assert problems and "English" in problems[0].message


def test_catches_too_few_phrasings(tmp_path: Path) -> None:
    root = write_tree(tmp_path, [sample_faq(), hours_faq()])
    kinds = kinds_of(check(root, min_examples=4, min_tests=2))
    assert {"too_few_examples", "too_few_tests"} <= kinds


def test_catches_stale_generated_files(tree: Path) -> None:
    path = tree / "content" / "faqs" / "opening_hours.yml"
    changed = dataclasses.replace(
        hours_faq(),
        examples={**hours_faq().examples, "zh": (*hours_faq().examples["zh"], "礼拜天开门吗")},
    )
    path.write_text(format_faq(changed), encoding="utf-8")
    problems = [p for p in check_tree(tree) if p.kind == "stale_generated"]
    assert {str(FAQ_NLU_PATH)} <= {p.message.split(" ")[0] for p in problems}
    render(tree)
    assert check_tree(tree) == []


def test_catches_missing_and_orphan_content(tmp_path: Path) -> None:
    orphan = dataclasses.replace(hours_faq(), id="not_in_catalog")
    root = write_tree(tmp_path, [sample_faq(), orphan])
    kinds = {(p.kind, p.faq_id) for p in check_tree(root)}
    assert ("missing_content", "opening_hours") in kinds
    assert ("not_in_catalog", "not_in_catalog") in kinds


def test_catches_missing_rule4_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(faq_checks, "FIGURE_FAQS", frozenset({"card_fee"}))
    bad = sample_faq(
        answer={
            **sample_faq().answer,
            "en": "Hello! A replacement card costs 5 CNY; above 10,000 CNY it is free.",
        }
    )
    assert "rule4_source" in kinds_of(check_tree(write_tree(tmp_path, [bad, hours_faq()])))


def test_catches_missing_risk_wording(tmp_path: Path) -> None:
    catalog = CATALOG + (
        "  - id: wealth_products\n"
        "    zh: 理财保本吗？\n"
        "    en: Are products principal-protected?\n"
        "    facts:\n"
        "      - Wealth management products are NOT principal-protected.\n"
    )
    wealth = Faq(
        id="wealth_products",
        category="wealth",
        question={"zh": "理财保本吗？", "en": "Are products principal-protected?"},
        answer={"zh": "您好，理财产品收益很好。", "en": "Hello! Our products are great."},
        examples={
            "zh": ("理财保本吗", "有保本理财吗", "理财会亏吗"),
            "en": ("is it safe", "guaranteed?", "principal safe"),
        },
        test={"zh": ("理财安全吗",), "en": ("can i lose money",)},
    )
    root = write_tree(tmp_path, [sample_faq(), hours_faq(), wealth])
    (root / "content" / "faq-catalog.yml").write_text(catalog, encoding="utf-8")
    problems = [p for p in check_tree(root) if p.kind == "risk_wording"]
    assert {p.faq_id for p in problems} == {"wealth_products"}
    assert len(problems) == 2  # both languages


def test_malformed_file_is_a_problem_not_a_crash(tree: Path) -> None:
    (tree / "content" / "faqs" / "card_fee.yml").write_text("id: [unclosed\n", encoding="utf-8")
    problems = check_tree(tree)
    assert "bad_file" in kinds_of(problems)


def test_examples_with_markup_are_rejected(tmp_path: Path) -> None:
    bad = sample_faq(
        examples={**sample_faq().examples, "en": (*sample_faq().examples["en"], "card [fee](x)")}
    )
    assert "bad_phrase" in kinds_of(check_tree(write_tree(tmp_path, [bad, hours_faq()])))


# --------------------------------------------------------------------------- core intents


def _norms(path: Path) -> dict[str, set[str]]:
    return {
        intent: {normalise(e) for e in examples}
        for intent, examples in read_nlu_examples(path).items()
    }


def test_core_examples_never_duplicate_faq_phrasings() -> None:
    core = _norms(REPO / CORE_NLU_PATH)
    faq_phrases: dict[str, str] = {}
    for faq in load_faqs(REPO / CONTENT_DIR):
        for lang in LANGUAGES:
            for text in (*faq.examples[lang], *faq.test[lang]):
                faq_phrases[normalise(text)] = faq.id
    clashes = [
        (intent, norm, faq_phrases[norm])
        for intent, norms in core.items()
        for norm in norms
        if norm in faq_phrases
    ]
    assert clashes == []


def test_core_intents_have_enough_data_and_unseen_tests() -> None:
    expected = {
        "greet",
        "goodbye",
        "thank",
        "affirm",
        "deny",
        "out_of_scope",
        "bot_challenge",
        "change_language",
        "request_human",
        "complex_topic",
        "check_balance",
        "check_transactions",
        "check_card_status",
        "report_lost_card",
        "freeze_card",
        "complain",
        "report_fraud",
        "cancel",
        "more",
    }
    train = read_nlu_examples(REPO / CORE_NLU_PATH)
    test = read_nlu_examples(REPO / CORE_TESTSET_PATH)
    assert set(train) == expected and set(test) == expected
    seen = {normalise(e) for examples in train.values() for e in examples}
    for intent in expected:
        for data, minimum in ((train, 15), (test, 5)):
            zh = [e for e in data[intent] if has_cjk(strip_annotations(e))]
            assert len(zh) >= minimum, (intent, "zh")
            assert len(data[intent]) - len(zh) >= minimum, (intent, "en")
        assert not [e for e in test[intent] if normalise(e) in seen], intent


def test_change_language_examples_are_annotated() -> None:
    train = read_nlu_examples(REPO / CORE_NLU_PATH)
    for example in train["change_language"]:
        assert '"entity": "target_language"' in example, example
        assert '"value": "en"' in example or '"value": "zh"' in example


def test_catches_faq_phrasings_in_other_nlu_files(tree: Path) -> None:
    (tree / "data" / "nlu" / "core.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hello\n    - 几点开门！\n',
        encoding="utf-8",
    )
    (tree / "tests" / "nlu" / "core_testset.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - Hello!\n',
        encoding="utf-8",
    )
    problems = check_tree(tree)
    assert any(p.kind == "duplicate_across" and "greet" in p.message for p in problems)
    assert any(p.kind == "test_in_examples" and p.faq_id == "greet" for p in problems)
