"""FAQ content: one YAML file per FAQ, turned into Rasa training data and responses.

Why this module exists: the bank's policy sheet (``content/faq-catalog.yml``)
is the source of truth for what the assistant may say. The content team edits
one small file per FAQ (``content/faqs/<id>.yml``: question, answer in Chinese
and English, training phrasings, held-out test phrasings); this module

* renders those files into the Rasa files the engine trains on
  (``data/nlu/faq.yml``, ``domain/faq.yml``) and the held-out evaluation set
  (``tests/nlu/faq_testset.yml``), deterministically, so a diff shows exactly
  what changed; and
* checks the content against the catalog and the service rules (every fact's
  figures stated in both languages, no forbidden phrasing, risk wording for
  wealth products, rule-4 source wording for rates and fees, no duplicated or
  near-duplicated phrasings between intents, generated files up to date), so
  content and data cannot drift silently.

It is pure Python + PyYAML (no Rasa import) because it runs in both the
engine and the app environment (the content team's web page uses ``check``).

Command line::

    python -m bot.faq_content render   # write the generated files
    python -m bot.faq_content check    # print problems, exit 1 if any
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

# --------------------------------------------------------------------------- constants

LANGUAGES: tuple[str, ...] = ("zh", "en")
"""Languages every FAQ is written in; Chinese first (the bank's first language)."""

CATEGORIES: frozenset[str] = frozenset(
    {
        "branches",
        "accounts",
        "transfers",
        "cards",
        "credit_cards",
        "loans",
        "deposits",
        "wealth",
        "forex",
        "service",
        "security",
    }
)
"""Allowed ``category`` slugs (used to group FAQs in the content team's page)."""

GENERATED_HEADER = "# generated from content/faqs by bot/faq_content.py — edit the content files"
"""First line of every generated file, so nobody edits generated data by hand."""

CLOSING_CHECK: Mapping[str, str] = {
    "zh": "请问这个回答对您有帮助吗？还有其他可以帮您的吗？",
    "en": "Did that answer your question? Is there anything else I can help with?",
}
"""Service rule 6: every FAQ answer ends by checking it helped. Appended here,
never written in the content files, so the wording is the same everywhere."""

FORBIDDEN_PHRASES: tuple[str, ...] = (
    # English (rule 3); matched case-insensitively
    "I don't know",
    "I do not know",
    "I dont know",
    "no idea",
    "impossible",
    "not my responsibility",
    "not my problem",
    "you must",
    "your own fault",
    "I already told you",
    # Chinese (rule 3 and the 禁语 list of SERVICE-RULES.md)
    "不知道",
    "不清楚",
    "不可能",
    "不行",
    "这不是我的责任",
    "不是我的责任",
    "您必须",
    "你必须",
    "您应该",
    "你应该",
    "没法查",
    "没办法",
    "办不了",
    "我不明白你在说什么",
    "我不是跟你说了吗",
    "你怎么还不明白",
    "你尽管去投诉",
    "谁叫你忘记密码",
    "大声点",
    "你讲清楚点",
    "喂，",
    "喂!",
    "喂！",
)
"""Phrasings no response may contain (service rule 3 and the forbidden list).
Other code (the domain-wide wording test) imports this tuple."""

RISK_WORDING: Mapping[str, tuple[str, ...]] = {
    "en": (
        "NOT principal-protected",
        "not deposits",
        "returns are not guaranteed",
        "past performance does not predict future results",
        "R1",
        "R5",
    ),
    "zh": (
        "不保本",
        "不是存款",
        "不保证收益",
        "过往业绩不代表未来表现",
        "R1",
        "R5",
    ),
}
"""Rule 5: the catalog's risk wording, which wealth-product answers keep verbatim."""

RISK_FAQS: frozenset[str] = frozenset({"wealth_products"})
"""FAQs about products with risk (rule 5)."""

FIGURE_FAQS: frozenset[str] = frozenset(
    {
        "account_fees",
        "transfer_fees",
        "card_lost_info",
        "card_replacement",
        "credit_card_repayment",
        "credit_card_annual_fee",
        "loan_rates",
        "mortgage_apply",
        "deposit_rates",
        "forex_remittance",
        "atm_withdrawal",
    }
)
"""FAQs that quote rates or fees: rule 4 asks them to say where the figure
comes from and that the contract / approval / certificate is final. A new FAQ
whose facts contain a percentage or the LPR is included automatically; add
other fee FAQs here."""

RULE4_SOURCE: Mapping[str, tuple[str, ...]] = {
    "en": ("fee schedule", "rate board", "card terms", "published"),
    "zh": ("收费标准", "牌告", "章程", "公布"),
}
RULE4_FINAL: Mapping[str, tuple[str, ...]] = {
    "en": ("contract", "approval", "certificate", "agreement"),
    "zh": ("合同", "审批", "存单", "协议", "为准"),
}

DEFAULT_MIN_EXAMPLES = 15
DEFAULT_MIN_TESTS = 5
NEAR_DUPLICATE_JACCARD = 0.9

# Paths relative to the repository root.
CONTENT_DIR = Path("content/faqs")
CATALOG_PATH = Path("content/faq-catalog.yml")
NLU_PATH = Path("data/nlu/faq.yml")
DOMAIN_PATH = Path("domain/faq.yml")
TESTSET_PATH = Path("tests/nlu/faq_testset.yml")
CORE_NLU_PATH = Path("data/nlu/core.yml")
CORE_TESTSET_PATH = Path("tests/nlu/core_testset.yml")

REPO_ROOT = Path(__file__).resolve().parent.parent

# --------------------------------------------------------------------------- data types


class ContentError(ValueError):
    """A content or catalog file cannot be read; the message says why, plainly."""


@dataclass(frozen=True)
class Faq:
    """One FAQ as the content team wrote it (``content/faqs/<id>.yml``)."""

    id: str
    category: str
    question: Mapping[str, str]
    answer: Mapping[str, str]
    examples: Mapping[str, tuple[str, ...]]
    test: Mapping[str, tuple[str, ...]]
    path: Path | None = None

    @property
    def intent(self) -> str:
        """The Rasa retrieval intent name."""
        return f"faq/{self.id}"


@dataclass(frozen=True)
class CatalogEntry:
    """One entry of the bank's policy sheet."""

    id: str
    question: Mapping[str, str]
    facts: tuple[str, ...]


@dataclass(frozen=True)
class Catalog:
    """The policy sheet: the bank profile and its FAQ entries, by id."""

    bank: Mapping[str, str]
    entries: Mapping[str, CatalogEntry]


@dataclass(frozen=True)
class Problem:
    """Something wrong with the content, in words a content editor understands.

    ``kind`` is a stable code for programs (tests, the web page's grouping);
    ``faq_id`` names the FAQ (or core intent) concerned, when there is one.
    """

    kind: str
    message: str
    faq_id: str | None = None

    def __str__(self) -> str:
        return f"[{self.faq_id}] {self.message}" if self.faq_id else self.message


@dataclass
class _Phrase:
    """A training or test phrasing with where it came from (for messages)."""

    text: str
    owner: str  # faq id or core intent name
    where: str  # "examples" or "test"
    language: str
    norm: str = field(default="")


# --------------------------------------------------------------------------- helpers

_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\{[^}]*\}|\([^)]*\)|\[[^\]]*\])")
_FIGURE = re.compile(r"\d+(?:[.,:]\d+)*%?")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def strip_annotations(text: str) -> str:
    """Remove Rasa entity annotations: ``[English]{...}`` -> ``English``."""
    return _ANNOTATION.sub(r"\1", text)


def normalise(text: str) -> str:
    """Normal form used to compare phrasings.

    NFKC (full-/half-width), lower case, entity annotations, punctuation,
    symbols and spaces removed.
    """
    text = unicodedata.normalize("NFKC", strip_annotations(text)).lower()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def bigrams(norm: str) -> frozenset[str]:
    """Character bigrams of a normalised phrasing (works for zh and en alike)."""
    return frozenset(norm[i : i + 2] for i in range(len(norm) - 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard similarity of two sets (0 when both are empty)."""
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


def figures(text: str) -> set[str]:
    """The numbers and figures in a text.

    Normalised so "50,000" == "50000" and full-width digits count:
    {"09:00", "50000", "0.05%", "7", "24"}.
    """
    text = unicodedata.normalize("NFKC", text)
    return {_THOUSANDS.sub("", m.group(0)) for m in _FIGURE.finditer(text)}


def has_cjk(text: str) -> bool:
    """Whether a text contains Chinese characters."""
    return bool(_CJK.search(text))


def _quote(text: str) -> str:
    """A YAML double-quoted scalar.

    Keeps Chinese as is and escapes the rest, so output is stable and survives
    any special character.
    """
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ch in "\x7f\u2028\u2029\ufeff":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


# --------------------------------------------------------------------------- loading


def _read_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ContentError(f"{path}: cannot be read ({exc.strerror}).") from exc
    except yaml.YAMLError as exc:
        raise ContentError(f"{path}: is not valid YAML ({exc}).") from exc


def _lang_map(value: object, what: str, path: Path) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ContentError(f"{path}: '{what}' needs a 'zh' and an 'en' text.")
    out: dict[str, str] = {}
    for lang in LANGUAGES:
        text = value.get(lang)
        out[lang] = text.strip() if isinstance(text, str) else ""
    return out


def _lang_lists(value: object, what: str, path: Path) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        raise ContentError(f"{path}: '{what}' needs a 'zh' and an 'en' list.")
    out: dict[str, tuple[str, ...]] = {}
    for lang in LANGUAGES:
        items = value.get(lang) or []
        if not isinstance(items, list):
            raise ContentError(f"{path}: '{what}.{lang}' must be a list of phrasings.")
        out[lang] = tuple(str(item).strip() for item in items if item is not None)
    return out


def load_faq(path: Path) -> Faq:
    """Read one content file; raise ContentError with a plain message if malformed."""
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise ContentError(
            f"{path}: expected fields id, category, question, answer, examples, test."
        )
    faq_id = data.get("id")
    if not isinstance(faq_id, str) or not faq_id:
        raise ContentError(f"{path}: the 'id' field is missing.")
    if faq_id != path.stem:
        raise ContentError(f"{path}: the file name must be the id ('{faq_id}.yml').")
    return Faq(
        id=faq_id,
        category=str(data.get("category") or ""),
        question=_lang_map(data.get("question"), "question", path),
        answer=_lang_map(data.get("answer"), "answer", path),
        examples=_lang_lists(data.get("examples"), "examples", path),
        test=_lang_lists(data.get("test") or {}, "test", path),
        path=path,
    )


def load_faqs(folder: Path | str = REPO_ROOT / CONTENT_DIR) -> list[Faq]:
    """All FAQs of a content folder, sorted by id (raises ContentError on a bad file)."""
    faqs = [load_faq(p) for p in sorted(Path(folder).glob("*.yml"))]
    return sorted(faqs, key=lambda f: f.id)


def load_catalog(path: Path | str = REPO_ROOT / CATALOG_PATH) -> Catalog:
    """Read the bank's policy sheet (raises ContentError if malformed)."""
    path = Path(path)
    data = _read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("faqs"), list):
        raise ContentError(f"{path}: expected a 'faqs' list.")
    entries: dict[str, CatalogEntry] = {}
    for item in data["faqs"]:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise ContentError(f"{path}: every FAQ entry needs an id.")
        entries[item["id"]] = CatalogEntry(
            id=item["id"],
            question={lang: str(item.get(lang) or "").strip() for lang in LANGUAGES},
            facts=tuple(str(f) for f in item.get("facts") or ()),
        )
    bank = {str(k): str(v) for k, v in (data.get("bank") or {}).items()}
    return Catalog(bank=bank, entries=entries)


def read_nlu_examples(path: Path) -> dict[str, list[str]]:
    """Examples per intent of a Rasa NLU YAML file (annotations kept)."""
    data = _read_yaml(path)
    out: dict[str, list[str]] = defaultdict(list)
    if not isinstance(data, dict):
        return out
    for block in data.get("nlu") or []:
        if not isinstance(block, dict) or "intent" not in block:
            continue
        for line in str(block.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                out[str(block["intent"])].append(line[2:].strip())
    return out


def format_faq(faq: Faq) -> str:
    """A content file's canonical text (what ``content/faqs/<id>.yml`` looks like).

    Tools that write content (the content team's page, scripts) use this so
    every file keeps the same layout and a diff shows only what changed.
    """
    lines = [
        f"id: {faq.id}",
        f"category: {faq.category}",
        "question:",
        *(f"  {lang}: {_quote(faq.question[lang])}" for lang in LANGUAGES),
        "answer:",
        *(f"  {lang}: {_quote(faq.answer[lang])}" for lang in LANGUAGES),
    ]
    for section in ("examples", "test"):
        lines.append(f"{section}:")
        for lang in LANGUAGES:
            items = getattr(faq, section)[lang]
            lines.append(f"  {lang}:" if items else f"  {lang}: []")
            lines.extend(f"    - {_quote(text)}" for text in items)
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- rendering


def final_answer(faq: Faq, lang: str) -> str:
    """The answer as the assistant sends it: the content plus the rule-6 check."""
    return f"{faq.answer[lang].strip()}\n\n{CLOSING_CHECK[lang]}"


def _nlu_file(blocks: Iterable[tuple[str, Sequence[str]]]) -> str:
    lines = [GENERATED_HEADER, 'version: "3.1"', "nlu:"]
    for intent, examples in blocks:
        lines.append(f"- intent: {intent}")
        lines.append("  examples: |")
        lines.extend(f"    - {ex}" for ex in examples)
    return "\n".join(lines) + "\n"


def render_nlu(faqs: Sequence[Faq]) -> str:
    """``data/nlu/faq.yml``: training examples, Chinese then English, per FAQ."""
    return _nlu_file(
        (f.intent, [*f.examples["zh"], *f.examples["en"]]) for f in sorted(faqs, key=lambda f: f.id)
    )


def render_testset(faqs: Sequence[Faq]) -> str:
    """``tests/nlu/faq_testset.yml``: held-out phrasings with the full intent."""
    return _nlu_file(
        (f.intent, [*f.test["zh"], *f.test["en"]]) for f in sorted(faqs, key=lambda f: f.id)
    )


def render_domain(faqs: Sequence[Faq]) -> str:
    """``domain/faq.yml``: the intent ``faq`` and one response per FAQ.

    A Chinese variant without condition (the default) and an English one on
    slot language=en.
    """
    lines = [GENERATED_HEADER, 'version: "3.1"', "intents:", "  - faq", "responses:"]
    for faq in sorted(faqs, key=lambda f: f.id):
        lines.append(f"  utter_faq/{faq.id}:")
        lines.append(f"    - text: {_quote(final_answer(faq, 'zh'))}")
        lines.append(f"    - text: {_quote(final_answer(faq, 'en'))}")
        lines.append("      condition:")
        lines.append("        - type: slot")
        lines.append("          name: language")
        lines.append("          value: en")
    return "\n".join(lines) + "\n"


def render_files(faqs: Sequence[Faq]) -> dict[Path, str]:
    """Every generated file's text, by path relative to the repository root."""
    return {
        NLU_PATH: render_nlu(faqs),
        DOMAIN_PATH: render_domain(faqs),
        TESTSET_PATH: render_testset(faqs),
    }


def render(root: Path | str = REPO_ROOT, faqs: Sequence[Faq] | None = None) -> list[Path]:
    """Write the generated files under ``root``; return the paths written."""
    root = Path(root)
    if faqs is None:
        faqs = load_faqs(root / CONTENT_DIR)
    written = []
    for rel, text in render_files(faqs).items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


# --------------------------------------------------------------------------- checking


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
                    f"the {name} answer does not state the catalog figure(s) {', '.join(missing)}.",
                )
            extra = sorted(answer_figures - fact_figures - bank_figures)
            if extra:
                add(
                    "extra_figure",
                    f"the {name} answer states figure(s) {', '.join(extra)} "
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
        (root / NLU_PATH.parent, "examples", root / NLU_PATH),
        (root / TESTSET_PATH.parent, "test", root / TESTSET_PATH),
    ):
        out += [(p, where) for p in sorted(folder.glob("*.yml")) if p != generated]
    return out


def check(
    root: Path | str = REPO_ROOT,
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
                        f"{rel} does not exist; run 'python -m bot.faq_content render'.",
                    )
                )
            elif target.read_text(encoding="utf-8") != text:
                problems.append(
                    Problem(
                        "stale_generated",
                        f"{rel} is out of date with the content files; "
                        "run 'python -m bot.faq_content render'.",
                    )
                )
    return problems


# --------------------------------------------------------------------------- CLI


def main(argv: Sequence[str] | None = None) -> int:
    """``render`` writes the generated files; ``check`` prints problems (exit 1 if any)."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.faq_content", description=__doc__.split("\n")[0]
    )
    parser.add_argument("command", choices=("render", "check"))
    parser.add_argument("--root", default=str(REPO_ROOT), help="repository root")
    parser.add_argument("--min-examples", type=int, default=DEFAULT_MIN_EXAMPLES)
    parser.add_argument("--min-tests", type=int, default=DEFAULT_MIN_TESTS)
    args = parser.parse_args(argv)
    root = Path(args.root)
    if args.command == "render":
        try:
            written = render(root)
        except ContentError as exc:
            print(f"cannot render: {exc}", file=sys.stderr)
            return 1
        for path in written:
            print(f"wrote {path.relative_to(root)}")
        return 0
    problems = check(root, min_examples=args.min_examples, min_tests=args.min_tests)
    for problem in problems:
        print(f"- {problem}")
    faqs = load_faqs(root / CONTENT_DIR) if not any(p.kind == "bad_file" for p in problems) else []
    if faqs:
        counts = {
            lang: (sum(len(f.examples[lang]) for f in faqs), sum(len(f.test[lang]) for f in faqs))
            for lang in LANGUAGES
        }
        summary = ", ".join(
            f"{lang}: {ex} examples / {te} test phrasings" for lang, (ex, te) in counts.items()
        )
        print(f"{len(faqs)} FAQs ({summary})")
    print(f"{len(problems)} problem(s)" if problems else "content OK: no problems")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
