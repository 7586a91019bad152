"""Grouping short customer messages by similarity: TF-IDF over character n-grams.

Character n-grams work for Chinese (no word boundaries), English, typos and
mixed text alike: Chinese characters count as single characters and pairs,
everything as 2- and 3-character pieces. Vectors are sparse dicts, normalised
to length 1; messages join the most similar group above a threshold (one pass,
an inverted index finds the candidate groups), so a few thousand messages
group in well under a second without a numeric library.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

Vector = dict[str, float]

THRESHOLD = 0.35
"""Cosine similarity above which a message joins a group."""

_MASKED = re.compile(r"\*{2,}\s*\d*|\d+\*+\d+|\[[^\]]*hidden\]", re.IGNORECASE)
_NOISE = re.compile(r"[^\w\s]|_", re.UNICODE)
_HAN = re.compile(r"[\u3400-\u9fff]")


def normalise(text: str) -> str:
    """Half-width, lower case, masked numbers and punctuation out, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _MASKED.sub(" ", text)
    text = _NOISE.sub(" ", text)
    return " ".join(text.split())


def grams(text: str) -> Counter[str]:
    """The character n-grams of a normalised text."""
    counts: Counter[str] = Counter()
    padded = f" {text} "
    for n in (2, 3):
        for i in range(len(padded) - n + 1):
            piece = padded[i : i + n]
            if piece.strip():
                counts[piece] += 1
    counts.update(ch for ch in text if _HAN.match(ch))
    return counts


@dataclass
class Space:
    """Inverse document frequencies learnt from a corpus."""

    idf: dict[str, float]
    default: float

    @classmethod
    def fit(cls, texts: Iterable[str]) -> Space:
        """IDF of every n-gram of ``texts`` (smoothed, as scikit-learn does)."""
        docs = 0
        df: Counter[str] = Counter()
        for text in texts:
            docs += 1
            df.update(set(grams(normalise(text))))
        idf = {g: math.log((1 + docs) / (1 + n)) + 1.0 for g, n in df.items()}
        return cls(idf, math.log(1 + docs) + 1.0)

    def vector(self, text: str) -> Vector:
        """The unit TF-IDF vector of ``text`` (empty when it has no n-grams)."""
        weights = {g: c * self.idf.get(g, self.default) for g, c in grams(normalise(text)).items()}
        return unit(weights)


def unit(weights: Vector) -> Vector:
    """``weights`` scaled to length 1."""
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {g: w / norm for g, w in weights.items()} if norm else {}


def cosine(a: Vector, b: Vector) -> float:
    """Cosine of two unit vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(g, 0.0) for g, w in a.items())


@dataclass
class Group:
    """Members (indexes into the input) and the sum of their vectors."""

    members: list[int] = field(default_factory=list)
    total: Vector = field(default_factory=dict)
    norm: float = 0.0

    def add(self, index: int, vector: Vector) -> None:
        """Take one more member."""
        self.members.append(index)
        for g, w in vector.items():
            self.total[g] = self.total.get(g, 0.0) + w
        self.norm = math.sqrt(sum(w * w for w in self.total.values()))

    def centroid(self) -> Vector:
        """The group's direction, length 1."""
        return {g: w / self.norm for g, w in self.total.items()} if self.norm else {}


def group(vectors: list[Vector], threshold: float = THRESHOLD) -> list[Group]:
    """One pass: each vector joins the most similar group's centroid above ``threshold``."""
    groups: list[Group] = []
    index: dict[str, set[int]] = {}
    for i, vector in enumerate(vectors):
        scores: dict[int, float] = {}
        for g, w in vector.items():
            for k in index.get(g, ()):
                scores[k] = scores.get(k, 0.0) + w * groups[k].total[g]
        best, best_score = -1, threshold
        for k, dot in scores.items():
            score = dot / groups[k].norm if groups[k].norm else 0.0
            if score >= best_score:
                best, best_score = k, score
        if best < 0:
            groups.append(Group())
            best = len(groups) - 1
        groups[best].add(i, vector)
        for g in vector:
            index.setdefault(g, set()).add(best)
    return groups
