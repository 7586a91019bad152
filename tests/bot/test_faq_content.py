"""Tests for the FAQ content generator and checker (bot/faq_content.py).

The repository's own content must check clean; each kind of problem the
checker promises to catch is shown on a small temporary content tree; rendering
is deterministic; and the core intents' data never overlaps the FAQs'.
"""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path

import pytest
import yaml

from bot import faq_content as fc
from bot.faq_content import Faq

REPO = Path(__file__).resolve().parents[2]

# --------------------------------------------------------------------------- fixtures

CATALOG = textwrap.dedent(
    """\
    bank:
      name_en: Demo Bank
      hotline: "95-000"
    faqs:
      - id: card_fee
        zh: 换卡要钱吗？
        en: Does a new card cost anything?
        facts:
          - A replacement card costs 5 CNY; cards above 10,000 CNY limits are free.
      - id: opening_hours
        zh: 几点开门？
        en: When do you open?
        facts:
          - Branches open 09:00-17:00.
    """
)


def _faq(**overrides: object) -> Faq:
    base = Faq(
        id="card_fee",
        category="cards",
        question={"zh": "换卡要钱吗？", "en": "Does a new card cost anything?"},
        answer={
            "zh": "您好，换卡工本费 5 元，额度在 10,000 元以上的卡免费。"
            "以本行公布的收费标准为准，实际以账户协议为准。",
            "en": "Hello! A replacement card costs 5 CNY; cards above 10,000 CNY limits are free "
            "(from the published fee schedule; your account agreement is final).",
        },
        examples={
            "zh": ("换卡多少钱", "补张卡要钱吗", "换新卡收费不"),
            "en": ("new card fee", "how much for a replacement card", "does a new card cost money"),
        },
        test={"zh": ("换卡收费吗",), "en": ("replacement card cost",)},
    )
    return dataclasses.replace(base, **overrides)  # type: ignore[arg-type]


def _hours() -> Faq:
    return Faq(
        id="opening_hours",
        category="branches",
        question={"zh": "几点开门？", "en": "When do you open?"},
        answer={
            "zh": "您好，网点营业时间为 09:00-17:00。",
            "en": "Hello! Branches open 09:00-17:00.",
        },
        examples={
            "zh": ("几点开门", "营业时间", "你们几点关门"),
            "en": ("opening hours", "what time do you open", "when do you close"),
        },
        test={"zh": ("几点营业",), "en": ("branch hours",)},
    )


def _write_tree(root: Path, faqs: list[Faq], *, render: bool = True) -> Path:
    (root / "content" / "faqs").mkdir(parents=True, exist_ok=True)
    (root / "content" / "faq-catalog.yml").write_text(CATALOG, encoding="utf-8")
    for faq in faqs:
        (root / "content" / "faqs" / f"{faq.id}.yml").write_text(
            fc.format_faq(faq), encoding="utf-8"
        )
    if render:
        fc.render(root)
    return root


def _check(root: Path) -> list[fc.Problem]:
    return fc.check(root, min_examples=3, min_tests=1)


def _kinds(problems: list[fc.Problem]) -> set[str]:
    return {p.kind for p in problems}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return _write_tree(tmp_path, [_faq(), _hours()])


# --------------------------------------------------------------------------- the repository


def test_repository_content_checks_clean() -> None:
    problems = fc.check(REPO)
    assert problems == [], "\n".join(str(p) for p in problems)


def test_repository_covers_every_catalog_entry_with_enough_phrasings() -> None:
    catalog = fc.load_catalog(REPO / fc.CATALOG_PATH)
    faqs = fc.load_faqs(REPO / fc.CONTENT_DIR)
    assert [f.id for f in faqs] == sorted(catalog.entries)
    assert len(faqs) == 32
    for faq in faqs:
        for lang in fc.LANGUAGES:
            assert len(faq.examples[lang]) >= 20, (faq.id, lang)
            assert len(faq.test[lang]) >= 6, (faq.id, lang)


def test_generated_domain_is_valid_and_polite() -> None:
    text = (REPO / fc.DOMAIN_PATH).read_text(encoding="utf-8")
    assert text.startswith(fc.GENERATED_HEADER)
    domain = yaml.safe_load(text)
    assert domain["intents"] == ["faq"]
    for name, variants in domain["responses"].items():
        assert name.startswith("utter_faq/")
        zh, en = variants
        assert "condition" not in zh
        assert en["condition"] == [{"type": "slot", "name": "language", "value": "en"}]
        assert zh["text"].endswith("\n\n" + fc.CLOSING_CHECK["zh"])
        assert en["text"].endswith("\n\n" + fc.CLOSING_CHECK["en"])
        for variant in variants:
            lowered = variant["text"].lower()
            assert not [p for p in fc.FORBIDDEN_PHRASES if p.lower() in lowered], name


def test_generated_nlu_files_parse_with_full_retrieval_intents() -> None:
    for rel in (fc.NLU_PATH, fc.TESTSET_PATH):
        data = yaml.safe_load((REPO / rel).read_text(encoding="utf-8"))
        assert data["version"] == "3.1"
        intents = [block["intent"] for block in data["nlu"]]
        assert intents == sorted(intents)
        assert all(i.startswith("faq/") for i in intents)


# --------------------------------------------------------------------------- problems caught


def test_small_tree_is_clean(tree: Path) -> None:
    assert _check(tree) == []


def test_catches_forbidden_phrase(tmp_path: Path) -> None:
    bad = _faq(answer={**_faq().answer, "en": _faq().answer["en"] + " You must come in person."})
    root = _write_tree(tmp_path, [bad, _hours()])
    problems = [p for p in _check(root) if p.kind == "forbidden_phrase"]
    assert problems and problems[0].faq_id == "card_fee"
    assert "you must" in problems[0].message.lower()


def test_catches_forbidden_chinese_phrase(tmp_path: Path) -> None:
    bad = _faq(
        answer={
            **_faq().answer,
            "zh": "您好，这个不清楚。换卡 5 元，10,000 元以上免费，以公布的收费标准为准。",
        }
    )
    assert "forbidden_phrase" in _kinds(_check(_write_tree(tmp_path, [bad, _hours()])))


def test_catches_missing_figure(tmp_path: Path) -> None:
    # "10000" without the thousands separator still counts; the 5 CNY is missing.
    bad = _faq(
        answer={**_faq().answer, "zh": "您好，额度在 10000 元以上的卡免费，以公布的收费标准为准。"}
    )
    problems = [
        p for p in _check(_write_tree(tmp_path, [bad, _hours()])) if p.kind == "missing_figure"
    ]
    assert len(problems) == 1
    assert "5" in problems[0].message and "10000" not in problems[0].message


def test_catches_invented_figure(tmp_path: Path) -> None:
    bad = _faq(answer={**_faq().answer, "en": _faq().answer["en"] + " It takes 3 days."})
    assert "extra_figure" in _kinds(_check(_write_tree(tmp_path, [bad, _hours()])))


def test_catches_duplicate_example_across_faqs(tmp_path: Path) -> None:
    # Differs only in width, case and punctuation: still the same phrasing.
    dup = dataclasses.replace(
        _hours(), examples={**_hours().examples, "en": (*_hours().examples["en"], "New Card Fee?")}
    )
    problems = [
        p for p in _check(_write_tree(tmp_path, [_faq(), dup])) if p.kind == "duplicate_across"
    ]
    assert problems
    assert "card_fee" in problems[0].message and "opening_hours" in problems[0].message


def test_catches_duplicate_within_faq_and_test_in_examples(tmp_path: Path) -> None:
    bad = _faq(
        examples={**_faq().examples, "zh": (*_faq().examples["zh"], "换卡多少钱！")},
        test={**_faq().test, "en": ("ＮＥＷ card fee",)},
    )
    kinds = _kinds(_check(_write_tree(tmp_path, [bad, _hours()])))
    assert {"duplicate_example", "test_in_examples"} <= kinds


def test_catches_near_duplicate_across_faqs(tmp_path: Path) -> None:
    a = _faq(
        examples={
            **_faq().examples,
            "en": (*_faq().examples["en"], "how much does a replacement debit card cost"),
        }
    )
    b = dataclasses.replace(
        _hours(),
        examples={
            **_hours().examples,
            "en": (*_hours().examples["en"], "how much does a replacement debit card costs"),
        },
    )
    problems = [p for p in _check(_write_tree(tmp_path, [a, b])) if p.kind == "near_duplicate"]
    assert problems
    assert "card_fee" in problems[0].message and "opening_hours" in problems[0].message


def test_catches_missing_language(tmp_path: Path) -> None:
    bad = _faq(answer={"zh": _faq().answer["zh"], "en": ""})
    problems = [
        p for p in _check(_write_tree(tmp_path, [bad, _hours()])) if p.kind == "missing_language"
    ]
    assert problems and "English" in problems[0].message


def test_catches_too_few_phrasings(tmp_path: Path) -> None:
    root = _write_tree(tmp_path, [_faq(), _hours()])
    kinds = _kinds(fc.check(root, min_examples=4, min_tests=2))
    assert {"too_few_examples", "too_few_tests"} <= kinds


def test_catches_stale_generated_files(tree: Path) -> None:
    path = tree / "content" / "faqs" / "opening_hours.yml"
    changed = dataclasses.replace(
        _hours(), examples={**_hours().examples, "zh": (*_hours().examples["zh"], "礼拜天开门吗")}
    )
    path.write_text(fc.format_faq(changed), encoding="utf-8")
    problems = [p for p in _check(tree) if p.kind == "stale_generated"]
    assert {str(fc.NLU_PATH)} <= {p.message.split(" ")[0] for p in problems}
    fc.render(tree)
    assert _check(tree) == []


def test_catches_missing_and_orphan_content(tmp_path: Path) -> None:
    orphan = dataclasses.replace(_hours(), id="not_in_catalog")
    root = _write_tree(tmp_path, [_faq(), orphan])
    kinds = {(p.kind, p.faq_id) for p in _check(root)}
    assert ("missing_content", "opening_hours") in kinds
    assert ("not_in_catalog", "not_in_catalog") in kinds


def test_catches_missing_rule4_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fc, "FIGURE_FAQS", frozenset({"card_fee"}))
    bad = _faq(
        answer={
            **_faq().answer,
            "en": "Hello! A replacement card costs 5 CNY; above 10,000 CNY it is free.",
        }
    )
    assert "rule4_source" in _kinds(_check(_write_tree(tmp_path, [bad, _hours()])))


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
    root = _write_tree(tmp_path, [_faq(), _hours(), wealth])
    (root / "content" / "faq-catalog.yml").write_text(catalog, encoding="utf-8")
    problems = [p for p in _check(root) if p.kind == "risk_wording"]
    assert {p.faq_id for p in problems} == {"wealth_products"}
    assert len(problems) == 2  # both languages


def test_malformed_file_is_a_problem_not_a_crash(tree: Path) -> None:
    (tree / "content" / "faqs" / "card_fee.yml").write_text("id: [unclosed\n", encoding="utf-8")
    problems = _check(tree)
    assert "bad_file" in _kinds(problems)


def test_examples_with_markup_are_rejected(tmp_path: Path) -> None:
    bad = _faq(examples={**_faq().examples, "en": (*_faq().examples["en"], "card [fee](x)")})
    assert "bad_phrase" in _kinds(_check(_write_tree(tmp_path, [bad, _hours()])))


# --------------------------------------------------------------------------- rendering


def test_render_is_deterministic(tmp_path: Path) -> None:
    a = fc.render_files([_faq(), _hours()])
    b = fc.render_files([_hours(), _faq()])
    assert a == b
    root = _write_tree(tmp_path, [_faq(), _hours()])
    before = {rel: (root / rel).read_bytes() for rel in a}
    fc.render(root)
    assert before == {rel: (root / rel).read_bytes() for rel in a}
    assert fc.render_files(fc.load_faqs(REPO / fc.CONTENT_DIR)) == fc.render_files(
        list(reversed(fc.load_faqs(REPO / fc.CONTENT_DIR)))
    )


def test_rendered_text_survives_special_characters() -> None:
    tricky = 'Say "hi" \\ 50% #1: ok\ttab — 您好“引号”'
    faq = _faq(answer={"zh": tricky, "en": tricky})
    domain = yaml.safe_load(fc.render_domain([faq]))
    assert (
        domain["responses"]["utter_faq/card_fee"][0]["text"]
        == tricky + "\n\n" + fc.CLOSING_CHECK["zh"]
    )


def test_format_faq_round_trips(tmp_path: Path) -> None:
    for faq in fc.load_faqs(REPO / fc.CONTENT_DIR):
        assert fc.format_faq(faq) == faq.path.read_text(encoding="utf-8")  # type: ignore[union-attr]


def test_normalise_and_figures() -> None:
    assert fc.normalise("ＡＴＭ取款 Limit？") == fc.normalise("atm取款limit?")
    assert fc.figures("50,000 CNY, 0.05% at 09:00, 7x24") == {"50000", "0.05%", "09:00", "7", "24"}
    assert fc.figures("５，０００元") == {"5000"}


# --------------------------------------------------------------------------- core intents


def _norms(path: Path) -> dict[str, set[str]]:
    return {
        intent: {fc.normalise(e) for e in examples}
        for intent, examples in fc.read_nlu_examples(path).items()
    }


def test_core_examples_never_duplicate_faq_phrasings() -> None:
    core = _norms(REPO / fc.CORE_NLU_PATH)
    faq_phrases: dict[str, str] = {}
    for faq in fc.load_faqs(REPO / fc.CONTENT_DIR):
        for lang in fc.LANGUAGES:
            for text in (*faq.examples[lang], *faq.test[lang]):
                faq_phrases[fc.normalise(text)] = faq.id
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
    train = fc.read_nlu_examples(REPO / fc.CORE_NLU_PATH)
    test = fc.read_nlu_examples(REPO / fc.CORE_TESTSET_PATH)
    assert set(train) == expected and set(test) == expected
    seen = {fc.normalise(e) for examples in train.values() for e in examples}
    for intent in expected:
        for data, minimum in ((train, 15), (test, 5)):
            zh = [e for e in data[intent] if fc.has_cjk(fc.strip_annotations(e))]
            assert len(zh) >= minimum, (intent, "zh")
            assert len(data[intent]) - len(zh) >= minimum, (intent, "en")
        assert not [e for e in test[intent] if fc.normalise(e) in seen], intent


def test_change_language_examples_are_annotated() -> None:
    train = fc.read_nlu_examples(REPO / fc.CORE_NLU_PATH)
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
    problems = _check(tree)
    assert any(p.kind == "duplicate_across" and "greet" in p.message for p in problems)
    assert any(p.kind == "test_in_examples" and p.faq_id == "greet" for p in problems)
