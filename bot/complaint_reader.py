"""Reads a complaint: its category, and when and where it happened.

``ComplaintReader`` is a trainable Rasa NLU component placed after the intent
classifier. Every message gets ``complaint`` in its parse data (the shape is
in :mod:`common.complaints`): the category a complaint like it is filed
under, with a calibrated probability, and the time and place phrases it
states (:mod:`bot.complaint_facts`). The complaint dialogue then asks only
for what the customer has not said, and understands a free-text answer to
"which kind of complaint is it?" ("那个柜员太敷衍了", "fees not matching what I
was promised").

How it learns: ``rasa train`` fits a multinomial logistic regression on
TF-IDF weighted character 1-4-grams of the normalised text (full-width forms
and traditional characters folded, so typos, mixed Chinese and English and
traditional characters share features) from the labelled complaints in
``data_path`` (``data/complaints/categories.yml``: complaints as customers
tell them, and short answers to the category question, in both languages).
The labelled set is the reader's alone: the intent classifier learns what a
complaint is from its own, smaller set of NLU examples, so the categories'
many examples do not pull questions towards ``complain``. The model is stored
as arrays and JSON, no pickle.

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
import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.complaint_facts import read_facts
from bot.normalise import normalise
from common.complaints import CATEGORY_KEYS, READING
from common.identifiers import as_read

logger = logging.getLogger(__name__)

MODEL_FILE = "complaint_category.npz"
META_FILE = "complaint_category.json"
DATA_FILE = "categories.yml"


def load_examples(folder: Path) -> list[tuple[str, str]]:
    """``(text, category)`` pairs of ``<folder>/categories.yml`` (none if it is missing)."""
    path = folder / DATA_FILE
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    pairs = []
    for category, texts in (data.get("categories") or {}).items():
        if category not in CATEGORY_KEYS:
            raise ValueError(f"{path}: unknown category {category!r}")
        pairs += [(str(t), str(category)) for t in texts or [] if str(t).strip()]
    return pairs


def folded(text: str) -> str:
    """The text the features are taken from: normalised, lower case."""
    return normalise(text).lower()


def vectorizer(vocabulary: dict[str, int] | None = None) -> Any:
    """Character 1-4-grams within word boundaries, TF-IDF weighted, rows of unit length."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer="char_wb", ngram_range=(1, 4), min_df=1, sublinear_tf=True,
        vocabulary=vocabulary, preprocessor=folded,
    )  # fmt: skip


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class ComplaintReader(GraphComponent, EntityExtractorMixin):
    """Adds ``complaint`` (category, when, where) to every message; see the module docs."""

    @staticmethod
    def required_packages() -> list[str]:
        """Scikit-learn to train and to build the features."""
        return ["sklearn"]

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """The labelled set and the module's code (Rasa fingerprints only the class)."""
        folder = Path(config.get("data_path") or cls.get_default_config()["data_path"])
        digest = hashlib.sha256(Path(__file__).read_bytes())
        data = folder / DATA_FILE
        digest.update(data.read_bytes() if data.exists() else b"")
        return digest.hexdigest()[:16]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Where the labelled complaints are, and the regularisation."""
        return {
            # labelled complaints, relative to the working directory of `rasa train`
            "data_path": "data/complaints",
            # logistic regression regularisation (larger = less smoothing)
            "C": 10.0,
            "random_seed": 42,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        meta: dict[str, Any] | None = None,
        arrays: dict[str, np.ndarray] | None = None,
    ) -> None:
        """A trained component has a model; an untrained one only finds times and places."""
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.labels: list[str] = []
        self.features: Any = None
        self.coef: np.ndarray | None = None
        self.intercept: np.ndarray | None = None
        if meta and arrays:
            self._use(meta, arrays)

    def _use(self, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        """Serve with this model (labels, vocabulary, idf, coefficients)."""
        self.labels = [str(label) for label in meta["labels"]]
        self.features = vectorizer(meta["vocabulary"])
        self.features.idf_ = arrays["idf"]
        self.coef, self.intercept = arrays["coef"], arrays["intercept"]

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
        """Fits the category model on the labelled complaints in ``data_path``."""
        from sklearn.linear_model import LogisticRegression

        examples = load_examples(Path(self.config["data_path"]))
        labels = [category for _, category in examples]
        if len(set(labels)) < 2:
            logger.warning(f"{type(self).__name__}: no labelled complaints; times and places only.")
            return self._resource
        features = vectorizer()
        matrix = features.fit_transform([text for text, _ in examples])
        model = LogisticRegression(
            C=float(self.config["C"]), max_iter=2000, random_state=self.config["random_seed"]
        )
        model.fit(matrix, labels)
        meta = {
            "labels": [str(c) for c in model.classes_],
            "vocabulary": {str(k): int(v) for k, v in features.vocabulary_.items()},
            "examples": len(examples),
        }
        arrays = {
            "idf": np.asarray(features.idf_, dtype=np.float64),
            "coef": np.asarray(model.coef_, dtype=np.float64),
            "intercept": np.asarray(model.intercept_, dtype=np.float64),
        }
        with self._model_storage.write_to(self._resource) as directory:
            np.savez_compressed(directory / MODEL_FILE, **arrays)
            (directory / META_FILE).write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
        self._use(meta, arrays)
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
                loaded = np.load(directory / MODEL_FILE)
                arrays = {name: loaded[name] for name in ("idf", "coef", "intercept")}
                meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
            return cls(config, model_storage, resource, meta, arrays)
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
            text = as_read(message.get(TEXT) or "")  # numbers arrive sealed
            message.set(READING, self.read(text), add_to_output=True)
        return messages

    def read(self, text: str) -> dict[str, Any]:
        """The reading of one text (see :mod:`common.complaints`)."""
        reading: dict[str, Any] = {"category": None, "confidence": 0.0, "ranking": []}
        if not text.strip() or text.lstrip().startswith("/"):
            return {**reading, "when": [], "where": []}
        try:
            reading.update(self._category(text))
        except Exception:  # noqa: BLE001 - reading a complaint must never break a turn
            logger.exception(f"{type(self).__name__}: the category model failed.")
        return {**reading, **read_facts(text).as_dict()}

    def _category(self, text: str) -> dict[str, Any]:
        if self.features is None or self.coef is None or self.intercept is None:
            return {}
        row = self.features.transform([text])
        if row.getnnz() == 0:  # nothing the model has seen: no guess
            return {}
        scores = np.asarray(row @ self.coef.T).ravel() + self.intercept
        if len(self.labels) == 2 and scores.shape[0] == 1:  # sklearn's binary case
            scores = np.array([-scores[0], scores[0]])
        probabilities = np.exp(scores - scores.max())
        probabilities /= probabilities.sum()
        ranking = [
            {"name": self.labels[i], "confidence": round(float(probabilities[i]), 4)}
            for i in np.argsort(-probabilities)
        ]
        return {
            "category": ranking[0]["name"],
            "confidence": ranking[0]["confidence"],
            "ranking": ranking,
        }
