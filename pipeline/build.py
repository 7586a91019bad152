"""A training build: the repository's config and data with the approved FAQ content.

    <build>/config.yml               copy of the repository's pipeline
    <build>/domain/*.yml             repository domain, with faq.yml generated from the database
    <build>/data/{nlu,rules,stories} repository training data, with nlu/faq.yml generated from
                                     the database (minus the held-out examples)
    <build>/tests/faq_testset.yml    the FAQs' test phrasings, from the database
    <build>/tests/core_testset.yml   copy of the repository's core test set
    <build>/tests/heldout.yml        a share of each edited FAQ's examples, never trained on

The model's name is the hash of its inputs (:mod:`pipeline.inputs`: the
build's training files and the checkout's engine code), so the same approved
content is never trained twice. Training runs with the repository as working
directory (custom components and `bot/jieba_dict` resolve there), on the
build's files.
"""

from __future__ import annotations

import hashlib
import math
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from common.languages import LANGUAGES
from common.paths import (
    CONFIG_PATH,
    CORE_TESTSET_PATH,
    DOMAIN_DIR,
    FAQ_DOMAIN_PATH,
    FAQ_NLU_PATH,
    TRAINING_DATA,
)
from faqs.content import Content, to_faq
from faqs.model import Faq
from faqs.render import render_domain, render_nlu, render_testset
from pipeline.inputs import inputs_hash


@dataclass(frozen=True)
class Build:
    """What a training job trains on and is judged by."""

    root: Path
    model_name: str
    faq_ids: frozenset[str]
    heldout: int

    @property
    def config(self) -> Path:
        """The pipeline file."""
        return self.root / CONFIG_PATH

    @property
    def domain(self) -> Path:
        """The domain folder."""
        return self.root / DOMAIN_DIR

    @property
    def data(self) -> tuple[Path, ...]:
        """The training data folders."""
        return tuple(self.root / folder for folder in TRAINING_DATA)

    @property
    def testsets(self) -> list[Path]:
        """The held-out test sets the gate uses."""
        return sorted((self.root / "tests").glob("*.yml"))


def holdout(faq_id: str, phrases: Iterable[str], share: float) -> set[str]:
    """A deterministic share of a FAQ's phrasings (the same content, the same split)."""
    phrases = list(phrases)
    count = math.floor(len(phrases) * share)
    ranked = sorted(phrases, key=lambda p: hashlib.sha256(f"{faq_id}\0{p}".encode()).hexdigest())
    return set(ranked[:count])


def _copy_tree(source: Path, target: Path, skip: Path) -> None:
    for path in sorted(source.rglob("*")):
        rel = path.relative_to(source)
        if path.is_file() and path != skip and "__pycache__" not in rel.parts:
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target / rel)


def make_build(
    faqs: Mapping[str, Content],
    edited: Iterable[str],
    *,
    repo_root: Path,
    target: Path,
    holdout_share: float,
) -> Build:
    """Write a build folder for these approved FAQs; hold out part of the edited ones."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    shutil.copy2(repo_root / CONFIG_PATH, target / CONFIG_PATH)
    for folder in (DOMAIN_DIR, *TRAINING_DATA):  # the generated FAQ files come from the database
        faq_file = repo_root / (FAQ_DOMAIN_PATH if folder == DOMAIN_DIR else FAQ_NLU_PATH)
        _copy_tree(repo_root / folder, target / folder, skip=faq_file)

    edited = set(edited)
    trained: list[Faq] = []
    held: list[Faq] = []
    for faq_id in sorted(faqs):
        faq = to_faq(faq_id, faqs[faq_id])
        out = {
            lang: holdout(faq_id, faq.examples[lang], holdout_share) if faq_id in edited else set()
            for lang in LANGUAGES
        }
        keep = {
            lang: tuple(x for x in faq.examples[lang] if x not in out[lang]) for lang in LANGUAGES
        }
        gone = {lang: tuple(x for x in faq.examples[lang] if x in out[lang]) for lang in LANGUAGES}
        trained.append(Faq(faq.id, faq.category, faq.question, faq.answer, keep, faq.test))
        if any(gone.values()):
            held.append(Faq(faq.id, faq.category, faq.question, faq.answer, gone, gone))
    (target / FAQ_DOMAIN_PATH).parent.mkdir(parents=True, exist_ok=True)
    (target / FAQ_DOMAIN_PATH).write_text(render_domain(trained), encoding="utf-8")
    (target / FAQ_NLU_PATH).parent.mkdir(parents=True, exist_ok=True)
    (target / FAQ_NLU_PATH).write_text(render_nlu(trained), encoding="utf-8")
    tests = target / "tests"
    tests.mkdir()
    (tests / "faq_testset.yml").write_text(render_testset(trained), encoding="utf-8")
    if held:
        (tests / "heldout.yml").write_text(render_testset(held), encoding="utf-8")
    if (repo_root / CORE_TESTSET_PATH).exists():
        shutil.copy2(repo_root / CORE_TESTSET_PATH, tests / "core_testset.yml")

    return Build(
        root=target,
        model_name=f"content-{inputs_hash(repo_root, training_root=target)}",
        faq_ids=frozenset(faqs),
        heldout=sum(len(f.examples[lang]) for f in held for lang in LANGUAGES),
    )
