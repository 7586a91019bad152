"""pipeline.build: the approved content, a share of the edited FAQs held out, a stable name."""

from __future__ import annotations

from pathlib import Path

from common.paths import CORE_NLU_PATH, FAQ_NLU_PATH, ROOT
from faqs.content import from_faq
from faqs.files import load_faqs, read_nlu_examples
from pipeline.build import holdout, make_build


def approved() -> dict[str, dict]:
    return {faq.id: from_faq(faq) for faq in load_faqs(ROOT / "content" / "faqs")}


def test_the_build_holds_out_part_of_the_edited_faqs_only(tmp_path: Path) -> None:
    faqs = approved()
    build = make_build(faqs, ["opening_hours"], repo_root=ROOT, target=tmp_path / "b",
                       holdout_share=0.2)  # fmt: skip
    trained = read_nlu_examples(build.root / FAQ_NLU_PATH)
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
    assert (build.root / CORE_NLU_PATH).read_bytes() == (ROOT / CORE_NLU_PATH).read_bytes()
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
