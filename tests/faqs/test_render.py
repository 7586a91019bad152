"""faqs.render and faqs.files: generated files are deterministic, valid and polite."""

from __future__ import annotations

from pathlib import Path

import yaml

from common.paths import CONTENT_DIR, FAQ_DOMAIN_PATH, FAQ_NLU_PATH, FAQ_TESTSET_PATH
from faqs.files import format_faq, load_faqs
from faqs.render import CLOSING_RESPONSE, GENERATED_HEADER, render, render_domain, render_files
from faqs.rules import CLOSING_CHECK, FORBIDDEN_PHRASES
from tests.faqs.samples import REPO, hours_faq, sample_faq, write_tree


def test_generated_domain_is_valid_and_polite() -> None:
    text = (REPO / FAQ_DOMAIN_PATH).read_text(encoding="utf-8")
    assert text.startswith(GENERATED_HEADER)
    domain = yaml.safe_load(text)
    assert domain["intents"] == ["faq"]
    responses = dict(domain["responses"])
    closing = responses.pop(CLOSING_RESPONSE)
    assert [v["text"] for v in closing] == [CLOSING_CHECK["zh"], CLOSING_CHECK["en"]]
    questions = {faq.id: faq.question for faq in load_faqs(REPO / CONTENT_DIR)}
    assert {name.removeprefix("utter_faq/") for name in responses} == set(questions)
    for name, variants in responses.items():
        assert name.startswith("utter_faq/")
        zh, en = variants
        assert "condition" not in zh
        assert en["condition"] == [{"type": "slot", "name": "language", "value": "en"}]
        assert zh["text"].endswith("\n\n" + CLOSING_CHECK["zh"])
        assert en["text"].endswith("\n\n" + CLOSING_CHECK["en"])
        question = questions[name.removeprefix("utter_faq/")]
        assert zh["metadata"] == {"question": question["zh"]}
        assert en["metadata"] == {"question": question["en"]}
        for variant in variants:
            lowered = variant["text"].lower()
            assert not [p for p in FORBIDDEN_PHRASES if p.lower() in lowered], name


def test_generated_nlu_files_parse_with_full_retrieval_intents() -> None:
    for rel in (FAQ_NLU_PATH, FAQ_TESTSET_PATH):
        data = yaml.safe_load((REPO / rel).read_text(encoding="utf-8"))
        assert data["version"] == "3.1"
        intents = [block["intent"] for block in data["nlu"]]
        assert intents == sorted(intents)
        assert all(i.startswith("faq/") for i in intents)


def test_render_is_deterministic(tmp_path: Path) -> None:
    a = render_files([sample_faq(), hours_faq()])
    b = render_files([hours_faq(), sample_faq()])
    assert a == b
    root = write_tree(tmp_path, [sample_faq(), hours_faq()])
    before = {rel: (root / rel).read_bytes() for rel in a}
    render(root)
    assert before == {rel: (root / rel).read_bytes() for rel in a}
    assert render_files(load_faqs(REPO / CONTENT_DIR)) == render_files(
        list(reversed(load_faqs(REPO / CONTENT_DIR)))
    )


def test_rendered_text_survives_special_characters() -> None:
    tricky = 'Say "hi" \\ 50% #1: ok\ttab — 您好“引号”'
    faq = sample_faq(answer={"zh": tricky, "en": tricky})
    domain = yaml.safe_load(render_domain([faq]))
    assert (
        domain["responses"]["utter_faq/card_fee"][0]["text"]
        == tricky + "\n\n" + CLOSING_CHECK["zh"]
    )


def test_format_faq_round_trips(tmp_path: Path) -> None:
    for faq in load_faqs(REPO / CONTENT_DIR):
        assert format_faq(faq) == faq.path.read_text(encoding="utf-8")  # type: ignore[union-attr]
