"""The checks before approval and training, on the database's content, in plain words.

They are :func:`faqs.checks.check` itself (the rules the repository's content
passes in CI), run on the FAQs given, with the content tool's thresholds:

* blocking — at least 10 training examples and an answer in each language,
  Chinese and English both present, no example identical or nearly identical
  to one of another FAQ (naming the clash), no forbidden phrasing (rule 3),
  the source wording for quoted rates and fees (rule 4), the risk wording for
  wealth products (rule 5) — for every FAQ in the `wealth` category, not only
  the catalog's `wealth_products`;
* warnings — differences from the bank's policy sheet (`content/faq-catalog.yml`):
  a figure or question that differs, a FAQ the sheet does not list. The policy
  sheet is the developers' file; the approver sees the warning and decides.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from common.languages import LANGUAGE_NAMES, LANGUAGES
from common.paths import CORE_NLU_PATH, CORE_TESTSET_PATH
from faqs.checks import check
from faqs.content import Content, digest, to_faq
from faqs.files import format_faq
from faqs.model import Problem
from faqs.rules import RISK_WORDING

WARNING_KINDS = frozenset(
    {"question_mismatch", "missing_figure", "extra_figure", "not_in_catalog", "missing_content"}
)
IGNORED_KINDS = frozenset({"too_few_tests", "stale_generated"})


@dataclass(frozen=True)
class Finding:
    """One problem: `blocking` ones stop approval and training; warnings are shown."""

    kind: str
    message: str
    faq_id: str | None
    blocking: bool

    def view(self) -> dict[str, object]:
        """The finding as the API returns it."""
        return {
            "kind": self.kind,
            "message": self.message,
            "faq_id": self.faq_id,
            "blocking": self.blocking,
        }


def _risk_findings(faq_id: str, content: Content) -> list[Finding]:
    if content["category"] != "wealth" or faq_id == "wealth_products":
        return []  # wealth_products is checked by faqs.checks itself
    out = []
    for lang in LANGUAGES:
        missing = [w for w in RISK_WORDING[lang] if w not in content["answer"][lang]]
        if missing:
            out.append(
                Finding(
                    "risk_wording",
                    f"the {LANGUAGE_NAMES[lang]} answer of a wealth product lacks the required "
                    f"risk wording (rule 5): {'; '.join(missing)}.",
                    faq_id,
                    True,
                )
            )
    return out


def _reword(problem: Problem) -> str:
    """The repository tool's advice, said the way it applies to the content pages."""
    if problem.kind == "not_in_catalog":
        return (
            f"'{problem.faq_id}' is not in the bank's policy sheet (content/faq-catalog.yml): "
            "the approver confirms its facts; a developer adds it to the sheet."
        )
    return problem.message


def _faq_concerned(problem: Problem, faqs: Mapping[str, Content]) -> str | None:
    """The FAQ a problem is about; None for problems only among the core intents.

    Those are the developers' data, checked by `python -m faqs check` in CI.
    """
    if problem.faq_id in faqs or problem.faq_id is None:
        return problem.faq_id
    for faq_id in faqs:  # a clash between a core intent and a FAQ names the FAQ
        if re.search(rf"\b{re.escape(faq_id)}\b", problem.message):
            return faq_id
    return None


_CACHE: OrderedDict[str, list[Finding]] = OrderedDict()
_CACHE_SIZE = 16


def _cache_key(
    faqs: Mapping[str, Content], repo_root: Path, catalog_path: Path, min_examples: int
) -> str:
    key = hashlib.sha256(f"{repo_root}|{catalog_path}|{min_examples}".encode())
    for path in (catalog_path, repo_root / CORE_NLU_PATH, repo_root / CORE_TESTSET_PATH):
        key.update(f"{path.stat().st_mtime_ns if path.exists() else 0}".encode())
    for faq_id in sorted(faqs):
        key.update(f"{faq_id}={digest(faqs[faq_id])};".encode())
    return key.hexdigest()


def run_checks(
    faqs: Mapping[str, Content],
    *,
    repo_root: Path,
    catalog_path: Path,
    min_examples: int = 10,
) -> list[Finding]:
    """Every finding for this set of FAQs (id -> content), blocking ones first.

    The near-duplicate comparison is quadratic in the phrasings (a few seconds for
    the whole set), so results are remembered per exact input: the approved set,
    checked again and again between changes, costs nothing the second time.
    """
    key = _cache_key(faqs, repo_root, catalog_path, min_examples)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return list(_CACHE[key])
    findings = _run_checks(faqs, repo_root, catalog_path, min_examples)
    _CACHE[key] = findings
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return list(findings)


def _run_checks(
    faqs: Mapping[str, Content], repo_root: Path, catalog_path: Path, min_examples: int
) -> list[Finding]:
    with tempfile.TemporaryDirectory(prefix="bankbot-check-") as tmp:
        folder = Path(tmp)
        for faq_id, content in faqs.items():
            (folder / f"{faq_id}.yml").write_text(
                format_faq(to_faq(faq_id, content)), encoding="utf-8"
            )
        problems: Iterable[Problem] = check(
            repo_root,
            min_examples=min_examples,
            min_tests=0,
            content_dir=folder,
            catalog_path=catalog_path,
            check_generated=False,
            include_core=True,
        )
        findings = [
            Finding(p.kind, _reword(p), owner, p.kind not in WARNING_KINDS)
            for p in problems
            if p.kind not in IGNORED_KINDS and (owner := _faq_concerned(p, faqs)) is not None
        ]
    for faq_id, content in faqs.items():
        findings.extend(_risk_findings(faq_id, content))
    return sorted(findings, key=lambda f: (not f.blocking, f.faq_id or "", f.kind))


def introduced(before: list[Finding], after: list[Finding]) -> list[Finding]:
    """Findings present after a change but not before: what the change brings in."""
    seen = {(f.kind, f.message) for f in before}
    return [f for f in after if (f.kind, f.message) not in seen]
