"""Plain customer questions as extra labelled messages for the judgement detectors.

Most of what customers send is a plain question ("what are your opening
hours", "怎么挂失"). The labelled sets in ``data/judgement/`` are mostly
hard cases, so on their own they leave the detectors unsure about the plain
ones. The assistant's NLU examples hold thousands of them: the examples of
intents that are calm by nature (every FAQ, greetings, balance and card
questions, ...) become ``calm`` (upset detector) and ``other`` (fraud
detector); the fraud-prevention FAQ's become ``prevention`` and
``report_fraud``'s become ``victim`` (both as the guidelines define them).
Intents that may carry feelings (``deny``, ``complain``) are left out; a
plain request for a person (``request_human``) is calm: without it the upset
detector learnt from the labelled sets that asking for a person is anger.
Their kind is ``nlu:<intent>``, so the figures can leave them out of the
cross-validated rates, which are about the hard cases, and they
count a tenth of a labelled example (``nlu_weight``): measured on the
development set, at full weight they taught the model that plain wording is
calm so well that angry messages without strong words were missed.

The detectors read a **snapshot** of those examples,
``data/judgement/plain_<language>.yml``, not the live NLU data. With the
live data every FAQ edit by the content team moved the detectors' figures;
with the snapshot a detector changes only when its own data or code does.
Refresh the snapshot deliberately (and re-check ``make eval``) with
``python -m bot.judgement_nlu``.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from pathlib import Path

import yaml

from bot.judgement_data import FRAUD, LANGUAGES, UPSET, Example, LabelledSetError
from common.paths import ROOT
from common.text import CJK_RE
from faqs.files import read_nlu_examples
from faqs.phrases import strip_annotations

NLU_KIND = "nlu:"
PLAIN = "plain"
NLU_DIR = ROOT / "data" / "nlu"


def _matches(intent: str, names: Iterable[str]) -> bool:
    """``faq`` matches every ``faq/<key>``; a full name matches itself."""
    return any(intent == n or intent.split("/", 1)[0] == n for n in names)


def plain_path(folder: Path, language: str) -> Path:
    """The snapshot file of one language."""
    return folder / f"{PLAIN}_{language}.yml"


def read_plain(folder: Path) -> list[tuple[str, str, str]]:
    """(text, intent, language) of every snapshot example in ``folder``."""
    out: list[tuple[str, str, str]] = []
    for language in LANGUAGES:
        path = plain_path(folder, language)
        if not path.exists():
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if data.get("judgement") != PLAIN or data.get("language") != language:
            raise LabelledSetError(f"{path}: needs 'judgement: {PLAIN}' and 'language: {language}'")
        for number, item in enumerate(data.get("examples") or [], start=1):
            text, intent = item.get("text"), item.get("intent")
            if not isinstance(text, str) or not isinstance(intent, str):
                raise LabelledSetError(f"{path}: example {number} needs a text and an intent")
            out.append((text, intent, language))
    return out


def nlu_examples(
    plain: Iterable[tuple[str, str, str]],
    calm: Iterable[str],
    prevention: Iterable[str],
    victim: Iterable[str],
    weight: float = 1.0,
    fraud_weight: float | None = None,
) -> dict[str, list[Example]]:
    """Extra examples per detector from plain (text, intent, language).

    Each counts ``weight``; the fraud detector's ``fraud_weight`` when given.
    """
    calm, prevention, victim = list(calm), list(prevention), list(victim)
    fraud = weight if fraud_weight is None else fraud_weight
    out: dict[str, list[Example]] = {UPSET: [], FRAUD: []}
    for text, intent, language in plain:
        kind = NLU_KIND + intent
        if _matches(intent, calm) and not _matches(intent, victim):
            out[UPSET].append(Example(text, language, "calm", kind, UPSET, weight))
        if _matches(intent, prevention):
            out[FRAUD].append(Example(text, language, "prevention", kind, FRAUD, fraud))
        elif _matches(intent, victim):
            out[FRAUD].append(Example(text, language, "victim", kind, FRAUD, fraud))
        elif _matches(intent, calm):
            out[FRAUD].append(Example(text, language, "other", kind, FRAUD, fraud))
    return out


def snapshot(nlu_dir: Path = NLU_DIR) -> dict[str, list[dict[str, str]]]:
    """The NLU examples of ``nlu_dir`` per language, annotations removed, each text once."""
    out: dict[str, list[dict[str, str]]] = {language: [] for language in LANGUAGES}
    seen: set[str] = set()
    for path in sorted(nlu_dir.glob("*.yml")):
        for intent, examples in sorted(read_nlu_examples(path).items()):
            for example in examples:
                text = strip_annotations(example).strip()
                if text and text not in seen:
                    seen.add(text)
                    language = "zh" if CJK_RE.search(text) else "en"
                    out[language].append({"text": text, "intent": intent})
    return out


def write_snapshot(folder: Path, nlu_dir: Path = NLU_DIR) -> dict[str, int]:
    """Writes ``plain_<language>.yml`` into ``folder``; the number of examples per language."""
    header = (
        "# Plain customer questions for the judgement detectors: a snapshot of the\n"
        "# assistant's NLU examples (see bot/judgement_nlu.py). Regenerate with\n"
        "# `python -m bot.judgement_nlu`; do not edit by hand.\n"
    )
    counts = {}
    for language, examples in snapshot(nlu_dir).items():
        body = {"judgement": PLAIN, "language": language, "examples": examples}
        text = yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=1000)
        plain_path(folder, language).write_text(header + text, encoding="utf-8")
        counts[language] = len(examples)
    return counts


def main() -> None:
    """Refreshes the snapshot from ``data/nlu``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "judgement")
    args = parser.parse_args()
    counts = write_snapshot(args.out)
    print(", ".join(f"{n} {language}" for language, n in counts.items()), "examples written")


if __name__ == "__main__":
    main()
