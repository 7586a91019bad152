"""Reads a complaint: its category, and when and where it happened.

``ComplaintReader`` is a trainable Rasa NLU component placed after the intent
classifier. Every message gets ``complaint`` in its parse data (the shape is
in :mod:`common.complaints`): the category a complaint like it is filed
under, with a calibrated probability, and the time and place phrases it
states (:mod:`bot.complaint_facts`). The complaint dialogue then asks only
for what the customer has not said, and understands a free-text answer to
"which kind of complaint is it?" ("那个柜员太敷衍了", "fees not matching what I
was promised").

How it learns: ``rasa train`` fits a multinomial logistic regression on the
same word and character n-gram features the intent classifier sees, from
the NLU examples that carry a category in their metadata
(``data/nlu/complaints.yml``: complaints as customers tell them, and short
answers to the category question, in both languages). Nothing else is
needed at run time; the model is stored as arrays and JSON, no pickle.

A button payload ("/choose_complaint_category{...}") or an empty message
gets no category; if the model fails, the message gets none either (logged)
and the dialogue falls back on its question.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import METADATA, METADATA_EXAMPLE, METADATA_INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack, vstack

from bot.complaint_facts import read_facts
from common.complaints import CATEGORY_KEYS, READING

logger = logging.getLogger(__name__)

MODEL_FILE = "complaint_category.npz"
META_FILE = "complaint_category.json"


def category_of_example(message: Message) -> str | None:
    """The category an NLU example is labelled with.

    ``metadata: {category: ...}`` of its intent block, or of the example itself.
    """
    metadata = message.get(METADATA) or {}
    if not isinstance(metadata, dict):
        return None
    for level in (METADATA_EXAMPLE, METADATA_INTENT):
        labels = metadata.get(level)
        category = labels.get("category") if isinstance(labels, dict) else None
        if category in CATEGORY_KEYS:
            return str(category)
    return None


def sentence_features(messages: list[Message]) -> csr_matrix:
    """Each message's sparse sentence features as 0/1, rows scaled to unit length."""
    rows = []
    for message in messages:
        sparse = message.get_sparse_features(TEXT)[1]
        if sparse is None:
            rows.append(csr_matrix((1, 0)))
            continue
        matrix = csr_matrix(sparse.features, dtype=np.float64)
        matrix.data[:] = 1.0
        rows.append(matrix)
    widths = {r.shape[1] for r in rows}
    if len(widths) > 1:
        width = max(widths)
        rows = [r if r.shape[1] == width else hstack([r, csr_matrix((1, width - r.shape[1]))])
                for r in rows]  # fmt: skip
    matrix = vstack(rows).tocsr()
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return csr_matrix(matrix.multiply(1.0 / norms[:, None]))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class ComplaintReader(GraphComponent, EntityExtractorMixin):
    """Adds ``complaint`` (category, when, where) to every message; see the module docs."""

    @classmethod
    def required_components(cls) -> list[type]:
        """Needs the sparse sentence features of the featurizers."""
        return [Featurizer]

    @staticmethod
    def required_packages() -> list[str]:
        """Scikit-learn to train."""
        return ["sklearn"]

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """The module's code (Rasa fingerprints only the class): retrain when it changes."""
        return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Regularisation."""
        return {
            # logistic regression regularisation (larger = less smoothing)
            "C": 10.0,
            "random_seed": 42,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        labels: list[str] | None = None,
        coef: np.ndarray | None = None,
        intercept: np.ndarray | None = None,
    ) -> None:
        """A trained component has labels and coefficients; an untrained one only extracts."""
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.labels = labels or []
        self.coef = coef
        self.intercept = intercept

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ComplaintReader:
        """An untrained component."""
        return cls(config, model_storage, resource)

    # ------------------------------------------------------------------ training

    def train(self, training_data: TrainingData) -> Resource:
        """Fits the category model on the NLU examples labelled with a category."""
        from sklearn.linear_model import LogisticRegression

        examples = [e for e in training_data.intent_examples if category_of_example(e)]
        labels = [str(category_of_example(e)) for e in examples]
        if len(set(labels)) < 2:
            logger.warning(f"{type(self).__name__}: no labelled complaints; times and places only.")
            return self._resource
        model = LogisticRegression(
            C=float(self.config["C"]), max_iter=2000, random_state=self.config["random_seed"]
        )
        model.fit(sentence_features(examples), labels)
        self.labels = [str(c) for c in model.classes_]
        self.coef = np.asarray(model.coef_, dtype=np.float32)
        self.intercept = np.asarray(model.intercept_, dtype=np.float32)
        with self._model_storage.write_to(self._resource) as directory:
            np.savez_compressed(directory / MODEL_FILE, coef=self.coef, intercept=self.intercept)
            (directory / META_FILE).write_text(
                json.dumps({"labels": self.labels, "examples": len(examples)}), encoding="utf-8"
            )
        logger.info(f"{type(self).__name__}: trained on {len(examples)} labelled complaints.")
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> ComplaintReader:
        """The trained component; without a readable model it extracts times and places only."""
        try:
            with model_storage.read_from(resource) as directory:
                arrays = np.load(directory / MODEL_FILE)
                meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
            return cls(
                config, model_storage, resource, meta["labels"], arrays["coef"], arrays["intercept"]
            )
        except (ValueError, FileNotFoundError, KeyError):
            logger.debug(f"{cls.__name__}: no trained model in '{resource.name}'.")
            return cls(config, model_storage, resource)

    # ------------------------------------------------------------------ reading

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Nothing to add to the training data."""
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Adds ``complaint`` to each message."""
        for message in messages:
            message.set(READING, self.read(message), add_to_output=True)
        return messages

    def read(self, message: Message) -> dict[str, Any]:
        """The reading of one message (see :mod:`common.complaints`)."""
        text = message.get(TEXT) or ""
        reading: dict[str, Any] = {"category": None, "confidence": 0.0, "ranking": []}
        if not text.strip() or text.lstrip().startswith("/"):
            return {**reading, "when": [], "where": []}
        try:
            reading.update(self._category(message))
        except Exception:  # noqa: BLE001 - reading a complaint must never break a turn
            logger.exception(f"{type(self).__name__}: the category model failed.")
        return {**reading, **read_facts(text).as_dict()}

    def _category(self, message: Message) -> dict[str, Any]:
        if self.coef is None or self.intercept is None:
            return {}
        features = sentence_features([message])
        if features.getnnz() == 0:
            return {}
        if features.shape[1] != self.coef.shape[1]:
            raise ValueError(
                f"{features.shape[1]} features, the model was trained on {self.coef.shape[1]}"
            )
        scores = np.asarray(features @ self.coef.T).ravel() + self.intercept
        if len(self.labels) == 2 and scores.shape[0] == 1:  # sklearn's binary case
            scores = np.array([-scores[0], scores[0]])
        probabilities = np.exp(scores - scores.max())
        probabilities /= probabilities.sum()
        order = np.argsort(-probabilities)
        ranking = [
            {"name": self.labels[i], "confidence": round(float(probabilities[i]), 4)}
            for i in order
        ]
        return {
            "category": ranking[0]["name"],
            "confidence": ranking[0]["confidence"],
            "ranking": ranking,
        }
