"""Every problem in the FAQ content, in words a content editor understands.

:func:`check` reads a content folder and the policy sheet and reports, per
FAQ: facts that differ from the sheet, missing languages, forbidden phrasing,
missing source or risk wording, too few phrasings, phrasings that duplicate or
nearly duplicate another FAQ's or a core intent's, and generated files that
are out of date. CI runs it as ``python -m faqs check``; the content tool runs
it on the approved content (:mod:`faqs.review`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from common.languages import LANGUAGES
from common.paths import CATALOG_PATH, CONTENT_DIR, FAQ_NLU_PATH, FAQ_TESTSET_PATH, ROOT
from common.plural import noun_for
from common.text import has_cjk
from faqs.files import load_catalog, load_faq, read_nlu_examples
from faqs.model import CATEGORIES, CatalogEntry, ContentError, Faq, Problem
from faqs.phrases import bigrams, figures, jaccard, normalise, strip_annotations
from faqs.render import render_files
from faqs.rules import (
    CLOSING_CHECK,
    DEFAULT_MIN_EXAMPLES,
    DEFAULT_MIN_TESTS,
    FIGURE_FAQS,
    FORBIDDEN_PHRASES,
    NEAR_DUPLICATE_JACCARD,
    RISK_FAQS,
    RISK_WORDING,
    RULE4_FINAL,
    RULE4_SOURCE,
)


@dataclass
class _Phrase:
    """A training or test phrasing with where it came from (for messages)."""

    text: str
    owner: str  # faq id or core intent name
    where: str  # "examples" or "test"
    language: str
    norm: str = field(default="")



def _check_faq(
    faq: Faq,
    entry: CatalogEntry | None,
    bank_figures: set[str],
    min_examples: int,
    min_tests: int,
) -> list[Problem]:
    """Problems within one FAQ (its answer, its phrasings' counts and form)."""
    problems: list[Problem] = []

    def add(kind: str, message: str) -> None:
        problems.append(Problem(kind, message, faq.id))

    if faq.category not in CATEGORIES:
        add(
            "bad_category",
            f"category '{faq.category}' is not one of: {', '.join(sorted(CATEGORIES))}.",
        )
    for lang in LANGUAGES:
        name = "Chinese" if lang == "zh" else "English"
        answer = faq.answer[lang]
        if not answer:
            add("missing_language", f"the {name} answer is missing.")
        if not faq.question[lang]:
            add("missing_language", f"the {name} question is missing.")
        elif entry is not None and faq.question[lang] != entry.question[lang]:
            add(
                "question_mismatch",
                f"the {name} question differs from the catalog's "
                f"('{entry.question[lang]}'); copy it from the catalog.",
            )
        lowered = answer.lower()
        for phrase in FORBIDDEN_PHRASES:
            if phrase.lower() in lowered:
                add(
                    "forbidden_phrase",
                    f"the {name} answer contains the forbidden phrasing '{phrase}'.",
                )
        if CLOSING_CHECK[lang] in answer:
            add(
                "closing_in_content",
                f"the {name} answer already contains the closing question; "
                "remove it (the generator appends it).",
            )
        if lang == "zh" and answer and "您" not in answer:
            add("impolite", "the Chinese answer should address the customer politely (您).")
        n_ex, n_test = len(faq.examples[lang]), len(faq.test[lang])
        if n_ex < min_examples:
            add(
                "too_few_examples",
                f"only {n_ex} {name} training examples; at least {min_examples} are needed.",
            )
        if n_test < min_tests:
            add(
                "too_few_tests",
                f"only {n_test} {name} test phrasings; at least {min_tests} are needed.",
            )
        for where in ("examples", "test"):
            for text in getattr(faq, where)[lang]:
                if not normalise(text):
                    add("bad_phrase", f"an empty {name} phrasing in '{where}'.")
                elif any(c in text for c in "[]{}\n"):
                    add(
                        "bad_phrase",
                        f"the phrasing '{text}' contains brackets or a line break, "
                        "which Rasa would read as markup.",
                    )
                elif lang == "zh" and not has_cjk(text):
                    add(
                        "wrong_language",
                        f"the Chinese phrasing '{text}' has no Chinese characters.",
                    )
                elif lang == "en" and has_cjk(text):
                    add(
                        "wrong_language",
                        f"the English phrasing '{text}' contains Chinese characters "
                        "(mixed phrasings belong to the Chinese list).",
                    )

    if entry is not None:
        fact_figures: set[str] = set()
        for fact in entry.facts:
            fact_figures |= figures(fact)
        for lang in LANGUAGES:
            name = "Chinese" if lang == "zh" else "English"
            answer_figures = figures(faq.answer[lang])
            if not faq.answer[lang]:
                continue
            missing = sorted(fact_figures - answer_figures)
            if missing:
                add(
                    "missing_figure",
                    f"the {name} answer does not state the catalog "
                    f"{noun_for(len(missing), 'figure')} {', '.join(missing)}.",
                )
            extra = sorted(answer_figures - fact_figures - bank_figures)
            if extra:
                add(
                    "extra_figure",
                    f"the {name} answer states {noun_for(len(extra), 'figure')} {', '.join(extra)} "
                    "that the catalog does not give for this FAQ.",
                )
        facts_text = " ".join(entry.facts)
        if faq.id in FIGURE_FAQS or "%" in facts_text or "LPR" in facts_text:
            for lang in LANGUAGES:
                name = "Chinese" if lang == "zh" else "English"
                answer = faq.answer[lang]
                if not answer:
                    continue
                if not any(m in answer for m in RULE4_SOURCE[lang]):
                    add(
                        "rule4_source",
                        f"the {name} answer quotes rates or fees but does not say where the "
                        f"figure comes from (e.g. {', '.join(RULE4_SOURCE[lang])}).",
                    )
                if not any(m in answer for m in RULE4_FINAL[lang]):
                    add(
                        "rule4_final",
                        f"the {name} answer quotes rates or fees but does not say that the "
                        "contract / approval / certificate is final.",
                    )
    if faq.id in RISK_FAQS:
        for lang in LANGUAGES:
            name = "Chinese" if lang == "zh" else "English"
            missing_words = [w for w in RISK_WORDING[lang] if w not in faq.answer[lang]]
            if missing_words:
                add(
                    "risk_wording",
                    f"the {name} answer lacks the required risk wording: "
                    f"{'; '.join(missing_words)}.",
                )
    return problems


def _check_phrases(phrases: list[_Phrase]) -> list[Problem]:
    """Duplicates and near-duplicates between phrasings.

    Exact duplicates within and across intents and between examples and tests;
    near-duplicates across different intents.
    """
    problems: list[Problem] = []
    by_norm: dict[str, list[_Phrase]] = defaultdict(list)
    for p in phrases:
        p.norm = normalise(p.text)
        if p.norm:
            by_norm[p.norm].append(p)
    for group in by_norm.values():
        if len(group) < 2:
            continue
        first = group[0]
        for other in group[1:]:
            if first.owner == other.owner and first.where == other.where:
                kind, msg = (
                    "duplicate_example",
                    (
                        f"'{other.text}' appears twice in its {other.where} list"
                        + (f" (as '{first.text}')" if first.text != other.text else "")
                        + "."
                    ),
                )
            elif first.owner == other.owner:
                kind, msg = (
                    "test_in_examples",
                    (
                        f"the test phrasing '{other.text}' is also a training example; "
                        "test phrasings must be unseen."
                    ),
                )
            elif "test" in (first.where, other.where) and first.where != other.where:
                kind, msg = (
                    "test_in_examples",
                    (
                        f"'{other.text}' ({other.owner}, {other.where}) is also in "
                        f"{first.owner}'s {first.where}; test phrasings must be unseen."
                    ),
                )
            else:
                kind, msg = (
                    "duplicate_across",
                    (
                        f"'{other.text}' appears under both {first.owner} and {other.owner}"
                        f" ({first.where} / {other.where})."
                    ),
                )
            owner = first.owner if first.where == "test" and other.where != "test" else other.owner
            problems.append(Problem(kind, msg, owner))

    # Near-duplicates across different intents: bigram Jaccard >= threshold.
    # A Jaccard of t needs sizes within a factor t of each other, so compare
    # only within that window after sorting by size.
    unique: dict[tuple[str, str], _Phrase] = {}
    for p in phrases:
        if p.norm and len(p.norm) >= 3:
            unique.setdefault((p.owner, p.norm), p)
    items = sorted(((bigrams(p.norm), p) for p in unique.values()), key=lambda t: len(t[0]))
    seen_pairs: set[tuple[str, str]] = set()
    for i, (grams_a, a) in enumerate(items):
        for grams_b, b in items[i + 1 :]:
            if len(grams_a) < NEAR_DUPLICATE_JACCARD * len(grams_b):
                break
            if a.owner == b.owner or a.norm == b.norm:
                continue
            if jaccard(grams_a, grams_b) >= NEAR_DUPLICATE_JACCARD:
                pair = tuple(sorted((a.owner, b.owner)))
                key = (pair[0] + a.norm, pair[1] + b.norm)
                if key in seen_pairs:
                    continue
                seen_pairs.add(key)
                problems.append(
                    Problem(
                        "near_duplicate",
                        f"'{a.text}' ({a.owner}) and '{b.text}' ({b.owner}) are nearly the "
                        "same; the assistant cannot tell these FAQs apart — reword or drop one.",
                        a.owner,
                    )
                )
    return problems


def _core_phrases(path: Path, where: str) -> list[_Phrase]:
    """The phrasings of a hand-written (non-FAQ) NLU file, if it exists."""
    if not path.exists():
        return []
    out = []
    for intent, examples in read_nlu_examples(path).items():
        for ex in examples:
            text = strip_annotations(ex)
            out.append(_Phrase(text, intent, where, "zh" if has_cjk(text) else "en"))
    return out


def other_nlu_files(root: Path) -> list[tuple[Path, str]]:
    """Hand-written NLU files beside the generated FAQ ones, with their role.

    ``data/nlu/*.yml`` (training: core intents, verification, ...) and
    ``tests/nlu/*.yml`` (held-out phrasings), except the files generated here.
    An FAQ phrasing must not appear in any of them, nor a test phrasing in any
    training file.
    """
    out: list[tuple[Path, str]] = []
    for folder, where, generated in (
        (root / FAQ_NLU_PATH.parent, "examples", root / FAQ_NLU_PATH),
        (root / FAQ_TESTSET_PATH.parent, "test", root / FAQ_TESTSET_PATH),
    ):
        out += [(p, where) for p in sorted(folder.glob("*.yml")) if p != generated]
    return out


def check(
    root: Path | str = ROOT,
    *,
    min_examples: int = DEFAULT_MIN_EXAMPLES,
    min_tests: int = DEFAULT_MIN_TESTS,
    content_dir: Path | str | None = None,
    catalog_path: Path | str | None = None,
    check_generated: bool = True,
    include_core: bool = True,
) -> list[Problem]:
    """Every problem in the FAQ content, in plain language (empty list = all good).

    ``root`` is the repository root; paths default to the project layout.
    ``include_core`` also compares the phrasings of the other NLU files (core
    intents, verification, their test sets: see ``other_nlu_files``) with the
    FAQs' and with each other.
    """
    root = Path(root)
    content = Path(content_dir) if content_dir else root / CONTENT_DIR
    catalog_file = Path(catalog_path) if catalog_path else root / CATALOG_PATH
    problems: list[Problem] = []

    try:
        catalog = load_catalog(catalog_file)
    except ContentError as exc:
        return [Problem("bad_catalog", str(exc))]

    faqs: list[Faq] = []
    for path in sorted(content.glob("*.yml")):
        try:
            faqs.append(load_faq(path))
        except ContentError as exc:
            problems.append(Problem("bad_file", str(exc), path.stem))
    faqs.sort(key=lambda f: f.id)
    have = {f.id for f in faqs}
    for missing in sorted(set(catalog.entries) - have - {p.faq_id for p in problems}):
        problems.append(
            Problem(
                "missing_content",
                f"the catalog has '{missing}' but there is no content file "
                f"{CONTENT_DIR / (missing + '.yml')}.",
                missing,
            )
        )
    for orphan in sorted(have - set(catalog.entries)):
        problems.append(
            Problem(
                "not_in_catalog",
                f"the content file for '{orphan}' has no entry in the catalog; "
                "add it to the catalog first (it is the source of truth).",
                orphan,
            )
        )

    bank_figures: set[str] = set()
    for value in catalog.bank.values():
        bank_figures |= figures(value)
    for faq in faqs:
        problems.extend(
            _check_faq(faq, catalog.entries.get(faq.id), bank_figures, min_examples, min_tests)
        )

    phrases = [
        _Phrase(text, faq.id, where, lang)
        for faq in faqs
        for where in ("examples", "test")
        for lang in LANGUAGES
        for text in getattr(faq, where)[lang]
    ]
    if include_core:
        for path, where in other_nlu_files(root):
            phrases += _core_phrases(path, where)
    problems.extend(_check_phrases(phrases))

    if check_generated:
        for rel, text in render_files(faqs).items():
            target = root / rel
            if not target.exists():
                problems.append(
                    Problem(
                        "stale_generated",
                        f"{rel} does not exist; run 'python -m faqs render'.",
                    )
                )
            elif target.read_text(encoding="utf-8") != text:
                problems.append(
                    Problem(
                        "stale_generated",
                        f"{rel} is out of date with the content files; "
                        "run 'python -m faqs render'.",
                    )
                )
    return problems
