"""What the judgement detectors see in a message: sparse features, stored without pickle.

Four groups, each scaled to unit length on its own so that no group drowns
the others (a long message has hundreds of character n-grams but only a few
lexicon hits):

* **characters**: n-grams of 1 to 4 characters over the normalised text
  (:mod:`bot.normalise`: full-width and traditional characters folded, lower
  case, links and HTML markup removed). They carry Chinese words whatever the
  segmenter makes of them, typos, slang and mixed Chinese-English;
* **words**: jieba tokens and token pairs (the segmenter the NLU pipeline
  uses; Latin words stay whole), for word order ("not angry", "安全账户");
* **lexicons**: which of :mod:`bot.emotion`'s word lists matched (anger,
  insult, distress and their mild forms, intensified or negated) and the
  word-list score: hand-made knowledge, weighed by the model;
* **style**: shouting in capitals, repeated ``!``/``?``, ellipses, emoji,
  repeated characters ("啊啊啊", "sooo"), length.

Weights are inverse document frequencies learnt from the training texts;
only features seen in at least ``min_df`` training texts are kept. The
vocabulary and weights are plain JSON and arrays, so the model archive holds
no pickle and no file outside it is needed to serve.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix

from bot.normalise import normalise
from common.text import ignored_spans

GROUPS: tuple[str, ...] = ("c", "w", "lex", "style")
"""Feature name prefixes: characters, words, lexicons, style."""

MAX_CHARS = 1200
"""A longer message is judged on its first 800 and last 400 characters: feelings
show at the start or the end, and a pasted 4,000-character text must stay fast."""

Vector = tuple[np.ndarray, np.ndarray]
"""(columns, values) of one message's features."""

_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
_SPACES = re.compile(r"\s+")
_REPEAT = re.compile(r"(.)\1{2,}")
_ACRONYMS = frozenset(
    {"ATM", "APP", "SMS", "PIN", "CNY", "RMB", "USD", "LPR", "VIP", "OTP", "ID", "OK", "WIFI",
     "CVV", "QR", "UK", "US", "MD", "PS", "HK", "IC", "ETC", "SIM", "CEO", "IBAN", "SWIFT"}
)  # fmt: skip


def clean(text: str) -> str:
    """The text a detector judges: links and markup out, shortened, normalised, lower case."""
    text = text or ""
    if len(text) > MAX_CHARS:
        text = text[:800] + " … " + text[-400:]
    for start, end in reversed(ignored_spans(text)):
        text = text[:start] + " " + text[end:]
    return _SPACES.sub(" ", normalise(text)).strip()


def is_emoji(char: str) -> bool:
    """Pictographs and symbols customers type as emoji."""
    return unicodedata.category(char) == "So" or 0x1F000 <= ord(char) <= 0x1FAFF


def style_features(text: str) -> list[str]:
    """Shouting, repeated punctuation, emoji, repeated characters and length."""
    out: list[str] = []
    words = _LATIN_WORD.findall(text)
    long_words = [w for w in words if len(w) >= 3]
    caps = [w for w in long_words if w.isupper() and w not in _ACRONYMS]
    if caps:
        out.append("style:caps_word")
        if len(caps) >= 2 and len(caps) >= 0.5 * len(long_words):
            out.append("style:shouting")
    folded = normalise(text)
    if re.search(r"!{2,}", folded):
        out.append("style:!!")
    if re.search(r"\?{2,}", folded):
        out.append("style:??")
    if re.search(r"[?!]*(\?!|!\?)[?!]*", folded):
        out.append("style:?!")
    if re.search(r"\.{3,}|…", folded):
        out.append("style:...")
    emoji = [c for c in text if is_emoji(c)]
    if emoji:
        out.append("style:emoji")
        if len(emoji) >= 3:
            out.append("style:emoji3")
    if _REPEAT.search(re.sub(r"[\d\s.!?*=\-_~]", "", folded.lower())):
        out.append("style:repeat")
    size = len(text.strip())
    out.append("style:len" + ("<6" if size < 6 else "<20" if size < 20 else "<60" if size < 60 else
                              "<150" if size < 150 else "150+"))  # fmt: skip
    if not any(c in "?？" for c in text) and size >= 20:
        out.append("style:no_question")
    return out


def lexicon_features(text: str) -> list[str]:
    """Which word lists of the rule-based detector matched, and how strongly."""
    from bot.emotion import read_emotion

    reading = read_emotion(text)
    out = [f"lex:{lexicon}" for lexicon, _ in reading.hits]
    out += ["lex:intensified" for s in reading.signals if s.startswith("intensifier:")][:1]
    if reading.hits:
        out.append("lex:any")
    if reading.strong:
        out.append("lex:strong")
    if reading.emotion:
        out.append(f"lex:flag:{reading.emotion}")
    return out


def words(text: str) -> list[str]:
    """Jieba tokens of the cleaned text (no spaces, no punctuation-only tokens)."""
    import jieba

    return [t for t in jieba.lcut(text) if t.strip() and any(c.isalnum() for c in t)]


def analyse(text: str) -> dict[str, list[str]]:
    """Every feature name of one message, by group."""
    cleaned = clean(text)
    lower = cleaned.lower()
    chars = [
        "c:" + lower[i : i + n]
        for n in (1, 2, 3, 4)
        for i in range(len(lower) - n + 1)
        if not lower[i : i + n].isspace()
    ]
    tokens = words(lower)
    word_features = ["w:" + t for t in tokens]
    word_features += ["w:" + a + " " + b for a, b in zip(tokens, tokens[1:], strict=False)]
    return {
        "c": chars,
        "w": word_features,
        "lex": lexicon_features(cleaned),
        "style": style_features(text if len(text) <= MAX_CHARS else cleaned),
    }


class Featuriser:
    """Feature names -> a sparse matrix; vocabulary and weights learnt from training texts."""

    def __init__(
        self,
        vocabulary: dict[str, int] | None = None,
        idf: np.ndarray | None = None,
        min_df: int = 2,
    ) -> None:
        """An unfitted featuriser, or one restored from :meth:`to_json` and its weights."""
        self.vocabulary: dict[str, int] = vocabulary or {}
        self.idf = idf if idf is not None else np.zeros(0)
        self.min_df = min_df
        self._group_of = self._groups()

    def _groups(self) -> np.ndarray:
        groups = np.zeros(len(self.vocabulary), dtype=np.int8)
        for name, column in self.vocabulary.items():
            groups[column] = GROUPS.index(name.split(":", 1)[0])
        return groups

    @property
    def size(self) -> int:
        """Number of columns."""
        return len(self.vocabulary)

    def fit(self, analysed: Sequence[dict[str, list[str]]]) -> Featuriser:
        """Learn the vocabulary (features in at least ``min_df`` texts) and their idf."""
        df: Counter[str] = Counter()
        for features in analysed:
            df.update({name for group in features.values() for name in group})
        names = sorted(name for name, count in df.items() if count >= self.min_df)
        self.vocabulary = {name: column for column, name in enumerate(names)}
        total = len(analysed)
        self.idf = np.array([np.log((1 + total) / (1 + df[n])) + 1.0 for n in names])
        self._group_of = self._groups()
        return self

    def vectors(self, analysed: Iterable[dict[str, list[str]]]) -> list[Vector]:
        """Per message: its columns and values (presence times idf, each group of unit length).

        Plain arrays, no sparse matrix: scoring one message this way costs a
        fraction of building a one-row sparse matrix.
        """
        out: list[Vector] = []
        for features in analysed:
            found = {self.vocabulary.get(n) for group in features.values() for n in group}
            found.discard(None)
            columns = np.array(sorted(c for c in found if c is not None), dtype=np.int64)
            values = self.idf[columns] if columns.size else np.zeros(0)
            groups = self._group_of[columns]
            norms = np.sqrt(np.bincount(groups, weights=values**2, minlength=len(GROUPS)))
            norms[norms == 0] = 1.0
            out.append((columns, values / norms[groups]))
        return out

    def transform(self, analysed: Iterable[dict[str, list[str]]]) -> csr_matrix:
        """The same as :meth:`vectors`, as one sparse matrix (one row per message)."""
        vectors = self.vectors(analysed)
        rows = np.repeat(np.arange(len(vectors)), [c.size for c, _ in vectors])
        columns = np.concatenate([c for c, _ in vectors]) if vectors else np.zeros(0, dtype=int)
        values = np.concatenate([v for _, v in vectors]) if vectors else np.zeros(0)
        return csr_matrix((values, (rows, columns)), shape=(len(vectors), self.size))

    def to_json(self) -> dict[str, Any]:
        """The vocabulary and settings (the idf goes into the arrays)."""
        return {"vocabulary": self.vocabulary, "min_df": self.min_df}

    @classmethod
    def from_json(cls, data: dict[str, Any], idf: np.ndarray) -> Featuriser:
        """Restore a fitted featuriser."""
        return cls(dict(data["vocabulary"]), np.asarray(idf, dtype=np.float64), data["min_df"])
