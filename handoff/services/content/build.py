"""A training build: the repository's config and data with the approved FAQ content.

    <build>/config.yml               copy of the repository's pipeline
    <build>/domain/*.yml             repository domain, with faq.yml generated from the database
    <build>/data/**                  repository data, with nlu/faq.yml generated from the database
                                     (minus the held-out examples)
    <build>/tests/faq_testset.yml    the FAQs' test phrasings, from the database
    <build>/tests/core_testset.yml   copy of the repository's core test set
    <build>/tests/heldout.yml        a share of each edited FAQ's examples, never trained on

The model's name is a hash of everything that shapes it (the build's files,
our engine-side code and the engine's lock file), so the same approved content
is never trained twice. Training runs with the repository as working directory
(custom components and `bot/jieba_dict` resolve there), on the build's files.
"""

from __future__ import annotations

import hashlib
import math
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from common.languages import LANGUAGES
from common.paths import CORE_TESTSET_PATH, ENGINE_CODE
from faqs.content import Content, to_faq
from faqs.model import Faq
from faqs.render import render_domain, render_nlu, render_testset

FAQ_FILE = "faq.yml"


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
        return self.root / "config.yml"

    @property
    def domain(self) -> Path:
        """The domain folder."""
        return self.root / "domain"

    @property
    def data(self) -> Path:
        """The training data folder."""
        return self.root / "data"

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


def _copy_tree(source: Path, target: Path, skip: str) -> None:
    for path in sorted(source.rglob("*")):
        rel = path.relative_to(source)
        if path.is_file() and rel.as_posix() != skip and "__pycache__" not in rel.parts:
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target / rel)


def _hash_files(digest: hashlib._Hash, base: Path, paths: Iterable[Path]) -> None:
    for path in paths:
        digest.update(path.relative_to(base).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")


def _code_files(repo_root: Path) -> list[Path]:
    files = [repo_root / "requirements" / "engine.lock"]
    for folder in ENGINE_CODE:
        for path in sorted((repo_root / folder).rglob("*")):
            rel = path.relative_to(repo_root).as_posix()
            if path.is_file() and "__pycache__" not in rel:
                files.append(path)
    return [p for p in files if p.exists()]


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
    shutil.copy2(repo_root / "config.yml", target / "config.yml")
    _copy_tree(repo_root / "domain", target / "domain", skip=FAQ_FILE)
    _copy_tree(repo_root / "data", target / "data", skip=f"nlu/{FAQ_FILE}")

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
    (target / "domain" / FAQ_FILE).write_text(render_domain(trained), encoding="utf-8")
    (target / "data" / "nlu").mkdir(parents=True, exist_ok=True)
    (target / "data" / "nlu" / FAQ_FILE).write_text(render_nlu(trained), encoding="utf-8")
    tests = target / "tests"
    tests.mkdir()
    (tests / "faq_testset.yml").write_text(render_testset(trained), encoding="utf-8")
    if held:
        (tests / "heldout.yml").write_text(render_testset(held), encoding="utf-8")
    if (repo_root / CORE_TESTSET_PATH).exists():
        shutil.copy2(repo_root / CORE_TESTSET_PATH, tests / "core_testset.yml")

    model = hashlib.sha256()
    _hash_files(model, target, [target / "config.yml"] + sorted(
        p for p in (*(target / "data").rglob("*"), *(target / "domain").rglob("*")) if p.is_file()
    ))  # fmt: skip
    _hash_files(model, repo_root, _code_files(repo_root))
    return Build(
        root=target,
        model_name=f"content-{model.hexdigest()[:16]}",
        faq_ids=frozenset(faqs),
        heldout=sum(len(f.examples[lang]) for f in held for lang in LANGUAGES),
    )
