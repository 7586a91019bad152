"""The labelled sets of the judgement detectors: reading them, and their fingerprint.

One YAML file per detector and language, the same format for the training
data (``data/judgement/``) and for the blind sets (``tests/judgement/sets/<name>/``)::

    judgement: upset            # or: fraud
    language: zh                # or: en
    examples:
      - text: "转账三天了还没到账"
        label: upset            # upset | calm; victim | prevention | other
        kind: anger             # anger | distress | despair | bot_frustration (upset);
                                # a sub-type (victim, prevention, other) or a hard-negative tag

Labels follow ``docs/judgement/guidelines.md``. Pure Python + PyYAML, so the
engine and the app environment both read it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml

UPSET = "upset"
FRAUD = "fraud"
DETECTORS: tuple[str, ...] = (UPSET, FRAUD)
LANGUAGES: tuple[str, ...] = ("zh", "en")

LABELS: dict[str, tuple[str, ...]] = {
    UPSET: ("upset", "calm"),
    FRAUD: ("victim", "prevention", "other"),
}
POSITIVE: dict[str, str] = {UPSET: "upset", FRAUD: "victim"}
"""The label a detector flags."""

UPSET_KINDS: tuple[str, ...] = ("anger", "distress", "despair", "bot_frustration")


class LabelledSetError(ValueError):
    """A labelled file is not in the format above."""


@dataclass(frozen=True)
class Example:
    """One labelled message."""

    text: str
    language: str
    label: str
    kind: str | None
    detector: str
    weight: float = 1.0
    """how much the example counts in training (less for the NLU examples)"""

    @property
    def positive(self) -> bool:
        """Whether the detector should flag it."""
        return self.label == POSITIVE[self.detector]


def read_file(path: Path) -> list[Example]:
    """The examples of one file, checked against the format."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    detector, language = data.get("judgement"), data.get("language")
    if detector not in DETECTORS or language not in LANGUAGES:
        raise LabelledSetError(
            f"{path}: needs 'judgement' in {DETECTORS}, 'language' in {LANGUAGES}"
        )
    examples = []
    for number, item in enumerate(data.get("examples") or [], start=1):
        text, label, kind = item.get("text"), item.get("label"), item.get("kind")
        if not isinstance(text, str) or label not in LABELS[detector]:
            raise LabelledSetError(
                f"{path}: example {number} needs a text and a label in {LABELS[detector]}"
            )
        if detector == UPSET and label == "upset" and kind not in UPSET_KINDS:
            raise LabelledSetError(f"{path}: upset example {number} needs a kind in {UPSET_KINDS}")
        examples.append(Example(text, language, label, kind, detector))
    return examples


def set_files(folder: Path, detector: str) -> list[Path]:
    """The files of one detector in a folder, Chinese first.

    ``<detector>_<language>.yml``, then any ``<detector>_<language>.<source>.yml``
    (more examples of the same kind from another source, such as a former
    blind set) in name order.
    """
    files: list[Path] = []
    for lang in LANGUAGES:
        main = folder / f"{detector}_{lang}.yml"
        files += [main] if main.exists() else []
        files += sorted(folder.glob(f"{detector}_{lang}.*.yml"))
    return files


def load(folder: Path, detector: str) -> list[Example]:
    """Every example of one detector in a folder."""
    return [example for path in set_files(folder, detector) for example in read_file(path)]


def fingerprint(folder: Path) -> str:
    """Hash of every labelled file in a folder (names and bytes): retrain when it changes."""
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.yml")) if folder.is_dir() else []:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]
