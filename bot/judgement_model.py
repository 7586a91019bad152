"""The judgement detectors' model: calibrated linear heads over shared features.

Four heads, over the features of :mod:`bot.judgement_features` (each
message is analysed once; each detector has its own vocabulary and weights,
learnt from its own training texts, which measured better on the development
set than one vocabulary for both; the two fraud heads read the same texts,
so they share one vocabulary, learnt and applied once):

* ``upset``: upset vs calm (logistic regression);
* ``kind``: which kind of upset (anger, distress, despair, bot_frustration),
  trained on the upset examples only and read only when ``upset`` is flagged;
* ``fraud_victim``: victim vs not (prevention questions and other messages);
* ``fraud_prevention``: prevention question vs not (victims and other
  messages), from the same examples: a question about staying safe that the
  intent classifier left unsure or gave another answer still gets the
  prevention answer (:mod:`bot.prevention_reading`).

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix

from bot.judgement_data import FRAUD, UPSET, UPSET_KINDS, Example
from bot.judgement_features import Featuriser, Vector, analyse

Analysed = dict[str, list[str]]
"""Feature names of one message by group (:func:`bot.judgement_features.analyse`)."""

HEADS: dict[str, str] = {"upset": UPSET, "fraud_victim": FRAUD, "fraud_prevention": FRAUD}
"""Output name -> the labelled sets it is trained on."""
POSITIVE_LABEL: dict[str, str] = {
    "upset": "upset",
    "fraud_victim": "victim",
    "fraud_prevention": "prevention",
}
"""Output name -> the label it flags."""

ARRAYS = "judgement.npz"
META = "judgement.json"


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function, without overflow warnings."""
    return 1.0 / (1.0 + np.exp(-np.clip(x, -40.0, 40.0)))


@dataclass
class Head:
    """A binary linear classifier with Platt-calibrated output, and its featuriser."""

    featuriser: Featuriser
    coef: np.ndarray
    intercept: float
    platt: tuple[float, float]
    cv: list[dict[str, Any]] = field(default_factory=list)
    """out-of-fold probability of each training example: language, label, kind, p"""

    def probability(self, analysed: Sequence[Analysed]) -> np.ndarray:
        """Calibrated probability per analysed message."""
        return self.probability_of(self.featuriser.vectors(analysed))

    def probability_of(self, vectors: Sequence[Vector]) -> np.ndarray:
        """Calibrated probability per message, from its featuriser's vectors."""
        decision = np.array([values @ self.coef[columns] for columns, values in vectors])
        a, b = self.platt
        return sigmoid(a * (decision + self.intercept) + b)


@dataclass
class KindHead:
    """Multinomial linear classifier over the kinds of upset."""

    classes: list[str]
    coef: np.ndarray
    intercept: np.ndarray

    def predict(self, vectors: Sequence[Vector]) -> list[str]:
        """The most likely kind per message (vectors of the upset head's featuriser)."""
        return [
            self.classes[int(np.argmax(self.coef[:, columns] @ values + self.intercept))]
            for columns, values in vectors
        ]


@dataclass(frozen=True)
class Scores:
    """Every head's probabilities for a batch of messages, each featuriser applied once."""

    probability: dict[str, np.ndarray]
    upset_vectors: list[Vector]
    """the upset head's vectors, which the kind head reads too"""


@dataclass
class JudgementModel:
    """The fitted heads (the two fraud heads share one featuriser: they read the same texts)."""

    heads: dict[str, Head]
    kind: KindHead | None
    info: dict[str, Any] = field(default_factory=dict)

    def score(self, analysed: Sequence[Analysed]) -> Scores:
        """Every head's probability, each distinct featuriser's vectors computed once."""
        vectors: dict[int, list[Vector]] = {}
        probability = {}
        for name, head in self.heads.items():
            key = id(head.featuriser)
            if key not in vectors:
                vectors[key] = head.featuriser.vectors(analysed)
            probability[name] = head.probability_of(vectors[key])
        upset = self.heads.get("upset")
        return Scores(probability, vectors[id(upset.featuriser)] if upset is not None else [])

    def kind_of(
        self, analysed: Sequence[Analysed], vectors: Sequence[Vector] | None = None
    ) -> list[str]:
        """The kind of upset of each message (read only when it is flagged).

        ``vectors``: the upset head's, when :meth:`score` has computed them.
        """
        if self.kind is None or "upset" not in self.heads:
            return []
        if vectors is None:
            vectors = self.heads["upset"].featuriser.vectors(analysed)
        return self.kind.predict(vectors)

    def save(self, directory: Path) -> None:
        """Arrays and JSON into ``directory``; a shared featuriser is stored once."""
        arrays: dict[str, np.ndarray] = {}
        meta: dict[str, Any] = {"info": self.info, "heads": {}, "featurisers": {}}
        stored: dict[int, str] = {}
        for name, head in self.heads.items():
            key = id(head.featuriser)
            if key not in stored:
                stored[key] = name
                arrays[f"{name}_idf"] = head.featuriser.idf
                meta["featurisers"][name] = head.featuriser.to_json()
            arrays[f"{name}_coef"] = head.coef
            meta["heads"][name] = {
                "featuriser": stored[key],
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
        featurisers = {
            name: Featuriser.from_json(data, arrays[f"{name}_idf"])
            for name, data in (meta.get("featurisers") or {}).items()
        }

        def featuriser_of(name: str, stored: str | dict[str, Any]) -> Featuriser:
            if isinstance(stored, str):
                return featurisers[stored]
            # an archive from before the fraud heads shared one: each head its own
            return Featuriser.from_json(stored, arrays[f"{name}_idf"])

        heads = {
            name: Head(
                featuriser_of(name, h["featuriser"]),
                arrays[f"{name}_coef"],
                float(h["intercept"]),
                tuple(h["platt"]),
                h.get("cv", []),
            )
            for name, h in meta["heads"].items()
        }
        kind = None
        if "kind_classes" in meta:
            kind = KindHead(meta["kind_classes"], arrays["kind_coef"], arrays["kind_intercept"])
        return cls(heads, kind, meta.get("info", {}))


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


@dataclass(frozen=True)
class Fold:
    """One cross-validation fold: its rows, and their features by the fold's own vocabulary."""

    train: np.ndarray
    test: np.ndarray
    train_features: csr_matrix
    test_features: csr_matrix


@dataclass(frozen=True)
class Featured:
    """One detector's training texts as features, shared by every head trained on them.

    The folds are stratified by language and label, which the heads of one
    detector share, so each fold's vocabulary, and the full one, is learnt once.
    """

    folds: list[Fold]
    featuriser: Featuriser
    features: csr_matrix


def featured(
    examples: Sequence[Example], analysed: Sequence[Analysed], settings: TrainingSettings
) -> Featured:
    """The folds' and the full featurisers, and the features they give.

    Each fold learns its own vocabulary too, so the out-of-fold scores are what
    a model would give a message it never saw.
    """
    from sklearn.model_selection import StratifiedKFold

    strata = [f"{e.language}:{e.label}" for e in examples]
    smallest = min(strata.count(s) for s in set(strata))
    count = max(2, min(settings.folds, smallest))
    splitter = StratifiedKFold(count, shuffle=True, random_state=settings.random_seed)
    folds = []
    for train, test in splitter.split(np.zeros(len(strata)), strata):
        fold_featuriser = Featuriser(min_df=settings.min_df).fit([analysed[i] for i in train])
        folds.append(
            Fold(
                train,
                test,
                fold_featuriser.transform([analysed[i] for i in train]),
                fold_featuriser.transform([analysed[i] for i in test]),
            )
        )
    featuriser = Featuriser(min_df=settings.min_df).fit(analysed)
    return Featured(folds, featuriser, featuriser.transform(analysed))


def fit_head(
    examples: Sequence[Example],
    data: Featured,
    settings: TrainingSettings,
    positive: str | None = None,
) -> Head:
    """One calibrated binary head: out-of-fold scores, a sigmoid on them, then the full fit.

    ``positive``: the label flagged (default: the detector's own).
    """
    from sklearn.linear_model import LogisticRegression

    y = np.array([e.label == positive if positive else e.positive for e in examples], dtype=int)
    weights = np.array([e.weight for e in examples], dtype=np.float64)
    out_of_fold = np.zeros(len(examples))
    for fold in data.folds:
        model = _logistic(settings.C, settings.random_seed).fit(
            fold.train_features, y[fold.train], weights[fold.train]
        )
        out_of_fold[fold.test] = model.decision_function(fold.test_features)
    platt = LogisticRegression(C=1e4).fit(out_of_fold[:, None], y)
    a, b = float(platt.coef_[0, 0]), float(platt.intercept_[0])
    final = _logistic(settings.C, settings.random_seed).fit(data.features, y, weights)
    probabilities = sigmoid(a * out_of_fold + b)
    cv = [
        {"language": e.language, "label": e.label, "kind": e.kind, "p": round(float(p), 4)}
        for e, p in zip(examples, probabilities, strict=True)
    ]
    coef = np.asarray(final.coef_[0], dtype=np.float64)
    return Head(data.featuriser, coef, float(final.intercept_[0]), (a, b), cv)


def fit_kind(
    examples: Sequence[Example], features: csr_matrix, settings: TrainingSettings
) -> KindHead:
    """Which kind of upset, from the upset examples."""
    from sklearn.linear_model import LogisticRegression

    rows = [i for i, e in enumerate(examples) if e.positive and e.kind in UPSET_KINDS]
    kinds = [str(examples[i].kind) for i in rows]
    model = LogisticRegression(
        C=settings.kind_C, class_weight="balanced", max_iter=2000, random_state=settings.random_seed
    ).fit(features[rows], kinds)
    classes = [str(c) for c in model.classes_]
    return KindHead(classes, np.asarray(model.coef_), np.asarray(model.intercept_))


def train(examples: Mapping[str, Sequence[Example]], settings: TrainingSettings) -> JudgementModel:
    """Analyse and featurise each detector's texts once, then fit each head on them."""
    started = time.monotonic()
    heads: dict[str, Head] = {}
    kind = None
    featured_of: dict[str, Featured] = {}
    for name, detector in HEADS.items():
        subset = list(examples.get(detector, []))
        if len({e.label == POSITIVE_LABEL[name] for e in subset}) < 2:
            continue  # nothing to learn from
        if detector not in featured_of:  # both fraud heads read the same texts
            analysed = [analyse(e.text) for e in subset]
            featured_of[detector] = featured(subset, analysed, settings)
        data = featured_of[detector]
        heads[name] = fit_head(subset, data, settings, POSITIVE_LABEL[name])
        if detector == UPSET:
            kind = fit_kind(subset, data.features, settings)
    info = {
        "examples": {name: len(examples.get(d, [])) for name, d in HEADS.items()},
        "features": {name: head.featuriser.size for name, head in heads.items()},
        "seconds": round(time.monotonic() - started, 1),
        "settings": settings.__dict__,
    }
    return JudgementModel(heads, kind, info)
