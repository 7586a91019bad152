"""The judgement detectors' model: calibrated linear heads over shared features.

One :class:`~bot.judgement_features.Featuriser` feeds three heads:

* ``upset``: upset vs calm (logistic regression);
* ``kind``: which kind of upset (anger, distress, despair, bot_frustration),
  trained on the upset examples only and read only when ``upset`` is flagged;
* ``fraud_victim``: victim vs not (prevention questions and other messages).

Why logistic regression: about 3,000 short labelled texts, a second or two to
fit on 2 cores (the content team retrains after each FAQ edit), and a score
that becomes a probability with one more step.

Scores are **calibrated** with Platt scaling fitted on cross-validated
decision values: the training examples are split into ``folds`` stratified
by language and label, each fold is scored by a model that never saw it, and
a sigmoid maps those out-of-fold scores to probabilities. The final model is
fitted on everything; the out-of-fold probabilities are kept in the model
(:attr:`Head.cv`) so that ``make eval`` reports cross-validated figures and
calibration without training again.

Everything is stored as arrays and JSON (:meth:`JudgementModel.save`), never pickle.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix

from bot.judgement_data import FRAUD, UPSET, UPSET_KINDS, Example
from bot.judgement_features import Featuriser, analyse

HEADS: dict[str, str] = {"upset": UPSET, "fraud_victim": FRAUD}
"""Output name -> the labelled sets it is trained on."""

ARRAYS = "judgement.npz"
META = "judgement.json"


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function, without overflow warnings."""
    return 1.0 / (1.0 + np.exp(-np.clip(x, -40.0, 40.0)))


@dataclass
class Head:
    """A binary linear classifier with Platt-calibrated output."""

    coef: np.ndarray
    intercept: float
    platt: tuple[float, float]
    cv: list[dict[str, Any]] = field(default_factory=list)
    """out-of-fold probability of each training example: language, label, kind, p"""

    def probability(self, features: csr_matrix) -> np.ndarray:
        """Calibrated probability per row."""
        decision = np.asarray(features @ self.coef).ravel() + self.intercept
        a, b = self.platt
        return sigmoid(a * decision + b)


@dataclass
class KindHead:
    """Multinomial linear classifier over the kinds of upset."""

    classes: list[str]
    coef: np.ndarray
    intercept: np.ndarray

    def predict(self, features: csr_matrix) -> list[str]:
        """The most likely kind per row."""
        scores = np.asarray(features @ self.coef.T) + self.intercept
        return [self.classes[i] for i in scores.argmax(axis=1)]


@dataclass
class JudgementModel:
    """The fitted featuriser and heads."""

    featuriser: Featuriser
    heads: dict[str, Head]
    kind: KindHead | None
    info: dict[str, Any] = field(default_factory=dict)

    def features(self, texts: Sequence[str]) -> csr_matrix:
        """Feature rows of some messages."""
        return self.featuriser.transform([analyse(t) for t in texts])

    def save(self, directory: Path) -> None:
        """Arrays and JSON into ``directory``."""
        arrays: dict[str, np.ndarray] = {"idf": self.featuriser.idf}
        meta: dict[str, Any] = {"featuriser": self.featuriser.to_json(), "info": self.info}
        meta["heads"] = {}
        for name, head in self.heads.items():
            arrays[f"{name}_coef"] = head.coef
            meta["heads"][name] = {
                "intercept": head.intercept,
                "platt": list(head.platt),
                "cv": head.cv,
            }
        if self.kind is not None:
            arrays["kind_coef"] = self.kind.coef
            arrays["kind_intercept"] = self.kind.intercept
            meta["kind_classes"] = self.kind.classes
        np.savez_compressed(directory / ARRAYS, **arrays)
        (directory / META).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> JudgementModel:
        """Restore what :meth:`save` wrote."""
        arrays = np.load(directory / ARRAYS)
        meta = json.loads((directory / META).read_text(encoding="utf-8"))
        featuriser = Featuriser.from_json(meta["featuriser"], arrays["idf"])
        heads = {
            name: Head(
                arrays[f"{name}_coef"], float(h["intercept"]), tuple(h["platt"]), h.get("cv", [])
            )
            for name, h in meta["heads"].items()
        }
        kind = None
        if "kind_classes" in meta:
            kind = KindHead(meta["kind_classes"], arrays["kind_coef"], arrays["kind_intercept"])
        return cls(featuriser, heads, kind, meta.get("info", {}))


# --------------------------------------------------------------------------- training


@dataclass(frozen=True)
class TrainingSettings:
    """How the heads are fitted."""

    C: float = 30.0
    kind_C: float = 10.0
    folds: int = 5
    min_df: int = 2
    random_seed: int = 42


def _logistic(C: float, seed: int, balanced: bool = True) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(
        C=C,
        class_weight="balanced" if balanced else None,
        solver="liblinear",
        max_iter=2000,
        random_state=seed,
    )


def fit_head(examples: Sequence[Example], features: csr_matrix, settings: TrainingSettings) -> Head:
    """One calibrated binary head: out-of-fold scores, a sigmoid on them, then the full fit."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    y = np.array([e.positive for e in examples], dtype=int)
    strata = [f"{e.language}:{e.label}" for e in examples]
    smallest = min(strata.count(s) for s in set(strata))
    folds = max(2, min(settings.folds, smallest))
    out_of_fold = np.zeros(len(examples))
    splitter = StratifiedKFold(folds, shuffle=True, random_state=settings.random_seed)
    for train, test in splitter.split(np.zeros(len(y)), strata):
        model = _logistic(settings.C, settings.random_seed).fit(features[train], y[train])
        out_of_fold[test] = model.decision_function(features[test])
    platt = LogisticRegression(C=1e4).fit(out_of_fold[:, None], y)
    a, b = float(platt.coef_[0, 0]), float(platt.intercept_[0])
    final = _logistic(settings.C, settings.random_seed).fit(features, y)
    probabilities = sigmoid(a * out_of_fold + b)
    cv = [
        {"language": e.language, "label": e.label, "kind": e.kind, "p": round(float(p), 4)}
        for e, p in zip(examples, probabilities, strict=True)
    ]
    return Head(np.asarray(final.coef_[0], dtype=np.float64), float(final.intercept_[0]), (a, b), cv)


def fit_kind(examples: Sequence[Example], features: csr_matrix, settings: TrainingSettings) -> KindHead:
    """Which kind of upset, from the upset examples."""
    from sklearn.linear_model import LogisticRegression

    rows = [i for i, e in enumerate(examples) if e.positive and e.kind in UPSET_KINDS]
    kinds = [str(examples[i].kind) for i in rows]
    model = LogisticRegression(
        C=settings.kind_C, class_weight="balanced", max_iter=2000, random_state=settings.random_seed
    ).fit(features[rows], kinds)
    classes = [str(c) for c in model.classes_]
    return KindHead(classes, np.asarray(model.coef_), np.asarray(model.intercept_))


def train(examples: dict[str, Sequence[Example]], settings: TrainingSettings) -> JudgementModel:
    """Fit the featuriser on every text, then each head on its own examples."""
    started = time.monotonic()
    every = [e for name in HEADS for e in examples.get(HEADS[name], [])]
    analysed = {id(e): analyse(e.text) for e in every}
    featuriser = Featuriser(min_df=settings.min_df).fit([analysed[id(e)] for e in every])
    heads: dict[str, Head] = {}
    kind = None
    for name, detector in HEADS.items():
        subset = list(examples.get(detector, []))
        if len({e.positive for e in subset}) < 2:
            continue  # nothing to learn from
        features = featuriser.transform([analysed[id(e)] for e in subset])
        heads[name] = fit_head(subset, features, settings)
        if detector == UPSET:
            kind = fit_kind(subset, features, settings)
    info = {
        "examples": {name: len(examples.get(d, [])) for name, d in HEADS.items()},
        "features": featuriser.size,
        "seconds": round(time.monotonic() - started, 1),
        "settings": settings.__dict__,
    }
    return JudgementModel(featuriser, heads, kind, info)
