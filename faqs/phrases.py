"""How phrasings are compared: entity markup stripped, a normal form, bigrams, figures.

The checks compare thousands of training and test phrasings with each other
(duplicates, near-duplicates across FAQs) and answers with the policy sheet
(figures); these are the measures they use.
"""

from __future__ import annotations

import re
import unicodedata

_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\{[^}]*\}|\([^)]*\)|\[[^\]]*\])")
_FIGURE = re.compile(r"\d+(?:[.,:]\d+)*%?")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


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

