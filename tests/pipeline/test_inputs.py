"""pipeline.inputs: one definition of what a model is made from, for every kind of training."""

from __future__ import annotations

import shutil
from pathlib import Path

from common.paths import ROOT
from pipeline.inputs import inputs_hash, model_inputs


def copy_model_inputs(target: Path) -> None:
    for path in model_inputs(ROOT):
        dest = target / path.relative_to(ROOT)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(path.read_bytes())


def test_model_hash_changes_with_training_data_only(tmp_path: Path) -> None:
    copy_model_inputs(tmp_path)
    before = inputs_hash(tmp_path)
    (tmp_path / "README.md").write_text("docs do not change the model")
    assert inputs_hash(tmp_path) == before
    nlu = tmp_path / "data" / "nlu" / "core.yml"
    nlu.write_text(nlu.read_text() + "\n# edited\n")
    assert inputs_hash(tmp_path) != before


def test_model_hash_changes_with_the_judgement_labelled_sets(tmp_path: Path) -> None:
    copy_model_inputs(tmp_path)
    before = inputs_hash(tmp_path)
    labelled = tmp_path / "data" / "judgement" / "fraud_zh.yml"
    assert labelled.exists()
    labelled.write_text(labelled.read_text() + "\n# relabelled\n")
    assert inputs_hash(tmp_path) != before


def test_model_hash_changes_with_the_labelled_complaints(tmp_path: Path) -> None:
    copy_model_inputs(tmp_path)
    before = inputs_hash(tmp_path)
    labelled = tmp_path / "data" / "complaints" / "categories.yml"
    assert labelled.exists()
    labelled.write_text(labelled.read_text() + "\n# relabelled\n")
    assert inputs_hash(tmp_path) != before


def test_the_engine_code_is_an_input_and_a_build_is_hashed_like_the_checkout(
    tmp_path: Path,
) -> None:
    names = {p.relative_to(ROOT).as_posix() for p in model_inputs(ROOT)}
    assert {"config.yml", "requirements/engine.lock", "bot/emotion.py", "common/text.py"} <= names
    assert not any(name.startswith(("faqs/", "actions/", "handoff/")) for name in names)
    # A build with exactly the checkout's training files gets the checkout's hash.
    build = tmp_path / "build"
    for folder in ("domain", "data/nlu", "data/rules", "data/stories"):
        shutil.copytree(ROOT / folder, build / folder)
    shutil.copy2(ROOT / "config.yml", build / "config.yml")
    assert inputs_hash(ROOT, training_root=build) == inputs_hash(ROOT)
