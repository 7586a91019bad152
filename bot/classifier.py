"""One linear model for intents *and* FAQ answers, trained in seconds.

Why not DIET + ResponseSelector: on our data (about 2,700 short questions,
19 core intents, 32 FAQ keys, two languages) a linear SVM over the sparse word
and character n-gram counts of Rasa's ``CountVectorsFeaturizer`` is both
better and two orders of magnitude faster to train (measured on the held-out
sets, 2 cores: see the README's NLU section). The content team retrains after
every FAQ edit, and CI trains a model; a DIET + ResponseSelector pipeline took
over 4 minutes, this one trains in about a second on top of featurisation.

The model sees every FAQ answer as its own label (``faq/opening_hours``, ...),
so there is no two-step "is it an FAQ, then which one" and no intent that is
confident while the answer is not (docs/architecture.md). Its output has Rasa's usual
shape, so everything downstream is unchanged:

* ``intent`` / ``intent_ranking``: the FAQ labels collapse into the retrieval
  intent ``faq`` with the confidence of the most likely answer, so the
  predicted intent is the model's best label; ``FallbackClassifier`` works as
  usual;
* ``response_selector["faq"]``: the ranking of the FAQ answers with their
  probability *given* that the message is an FAQ question, as Rasa's
  ``ResponseSelector`` reports it; the FAQ reply (``common/faq.py``) answers only above its
  threshold and otherwise offers the most likely questions.

A short message whose words the training examples share among several
answers ("手续费", "card", "fees") is ambiguous however confident the model
is: its FAQ ranking becomes those answers with their share of the examples,
so the action asks "did you mean…" instead of guessing.

Confidences are a softmax over the SVM's decision scores times
``temperature``. A message without any word (digits, emoji, punctuation, a
bare link) or none of whose features were seen in training gets confidence 0
for everything, hence ``nlu_fallback`` and a request to rephrase: "12345678"
must not read as "88" (bye-bye), nor a pasted ".../login" as a login question.

The model is stored as plain arrays (``.npz``) and JSON: no pickle.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack, vstack

from common.identifiers import as_read
from common.text import has_words

logger = logging.getLogger(__name__)

RESPONSE_SELECTOR = "response_selector"
MODEL_FILE = "model.npz"
META_FILE = "meta.json"


def softmax(scores: np.ndarray) -> np.ndarray:
    """Row-wise softmax, numerically stable."""
    shifted = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(IntentClassifier, GraphComponent):
    """Linear SVM over all intents and FAQ answers (see module docs)."""

    @classmethod
    def required_components(cls) -> list[type]:
        """Needs sparse (or dense) sentence features."""
        return [Featurizer]

    @staticmethod
    def required_packages() -> list[str]:
        """scikit-learn for training."""
        return ["sklearn"]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Defaults chosen on the held-out test sets (README, NLU section)."""
        return {
            # SVM regularisation (smaller = smoother)
            "C": 1.0,
            # softmax(temperature * decision score): higher = more peaked
            "temperature": 8.0,
            # the retrieval intent whose sub-intents are answers
            "retrieval_intent": "faq",
            # confidences are scaled by this when none of the message's words
            # occurs in the training data (only character n-grams match)
            "unknown_words_factor": 0.5,
            # sparse counts -> presence (0/1)
            "binary": True,
            # a message of at most this many words is "short": if the training
            # examples sharing its words are spread over several answers
            # ("手续费", "card", "fees"), it is ambiguous
            "short_message_tokens": 2,
            # ... ambiguous when the most common answer among them has less
            # than this share; its confidence is capped at that share
            "keyword_dominance": 0.75,
            # entries in intent_ranking and in the FAQ ranking
            "ranking_length": 10,
            "random_seed": 42,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        labels: list[str] | None = None,
        coef: np.ndarray | None = None,
        responses: dict[str, list[dict[str, Any]]] | None = None,
        keyword_index: dict[str, dict[str, list[int]]] | None = None,
        vocabulary: set[str] | None = None,
    ) -> None:
        """A trained component has labels and coefficients; an untrained one not."""
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.labels: list[str] = labels or []
        self.coef = coef
        self.responses: dict[str, list[dict[str, Any]]] = responses or {}
        # word -> {answer label: [ids of the training examples using the word]}
        self.keyword_index: dict[str, dict[str, list[int]]] = keyword_index or {}
        # every word of the training examples
        self.vocabulary: set[str] = vocabulary or set()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        """Creates an untrained component."""
        return cls(config, model_storage, resource)

    # ------------------------------------------------------------------ features

    def _features(self, messages: list[Message]) -> csr_matrix:
        """Sentence features of each message, rows scaled to unit length.

        Sparse counts become 0/1 (``binary``): a character n-gram that occurs
        five times in a sentence says no more about its intent than once, and
        counts let long English words' letters outweigh the words (measured:
        binary features gain 1.5 points in Chinese and 4.5 in English).
        """
        rows = []
        for message in messages:
            sparse = message.get_sparse_features(TEXT)[1]
            dense = message.get_dense_features(TEXT)[1]
            parts = []
            if sparse is not None:
                matrix = csr_matrix(sparse.features, dtype=np.float64)
                if self.config["binary"]:
                    matrix.data[:] = 1.0
                parts.append(matrix)
            if dense is not None:
                parts.append(csr_matrix(dense.features))
            # a whitespace-only message has no features at all: an all-zero row
            # of the trained width, so it falls back instead of failing the turn
            width = self.coef.shape[1] if self.coef is not None else 0
            rows.append(hstack(parts).tocsr() if parts else csr_matrix((1, width)))
        matrix = vstack(rows).tocsr().astype(np.float64)
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return csr_matrix(matrix.multiply(1.0 / norms[:, None]))

    @staticmethod
    def _label(message: Message) -> str | None:
        return message.get(INTENT_RESPONSE_KEY) or message.get(INTENT)

    # ------------------------------------------------------------------ training

    def train(self, training_data: TrainingData) -> Resource:
        """Fits the SVM on every intent example (FAQ examples by answer)."""
        from sklearn.svm import LinearSVC

        examples = [e for e in training_data.intent_examples if e.get(TEXT) and self._label(e)]
        if not examples:
            logger.debug(f"{self.__class__.__name__}: no training data, nothing trained.")
            return self._resource
        labels = [str(self._label(e)) for e in examples]
        if len(set(labels)) < 2:
            logger.warning(f"{self.__class__.__name__}: needs at least two intents to train.")
            return self._resource
        svm = LinearSVC(
            C=self.config["C"],
            fit_intercept=False,  # an empty feature vector must score 0 everywhere
            random_state=self.config["random_seed"],
            max_iter=5000,
        )
        svm.fit(self._features(examples), labels)
        self.labels = [str(c) for c in svm.classes_]
        self.coef = np.asarray(svm.coef_, dtype=np.float32)
        if self.coef.shape[0] == 1:  # binary case: sklearn keeps one row
            self.coef = np.vstack([-self.coef, self.coef])
        prefix = f"utter_{self.config['retrieval_intent']}/"
        self.responses = {
            name: list(variants)
            for name, variants in (training_data.responses or {}).items()
            if name.startswith(prefix)
        }
        self.keyword_index = self._build_keyword_index(
            examples, labels, f"{self.config['retrieval_intent']}/"
        )
        self.vocabulary = {word for example in examples for word in self._words(example)}
        self.persist()
        return self._resource

    @staticmethod
    def _words(message: Message) -> list[str]:
        """The message's words (lower case, letters or digits only)."""
        tokens = message.get(TOKENS_NAMES[TEXT]) or []
        words = [t.text.lower() for t in tokens]
        return [w for w in words if any(c.isalnum() for c in w)]

    def _build_keyword_index(
        self, examples: list[Message], labels: list[str], prefix: str
    ) -> dict[str, dict[str, list[int]]]:
        index: dict[str, dict[str, list[int]]] = {}
        for number, (example, label) in enumerate(zip(examples, labels, strict=True)):
            if not label.startswith(prefix):
                continue
            for word in set(self._words(example)):
                index.setdefault(word, {}).setdefault(label, []).append(number)
        return index

    def keyword_shares(self, message: Message) -> list[tuple[str, float]] | None:
        """The answers that share a short message's words, with their shares.

        The answers whose training examples use all of the message's words,
        with their share of those examples, most common first. ``None`` when
        the message is not short or its words are unknown.
        """
        words = set(self._words(message))
        if not words or len(words) > int(self.config["short_message_tokens"]):
            return None
        counts: dict[str, int] = {}
        for label in {lab for w in words for lab in self.keyword_index.get(w, {})}:
            sets = [set(self.keyword_index.get(w, {}).get(label, [])) for w in words]
            shared = len(set.intersection(*sets))
            if shared:
                counts[label] = shared
        total = sum(counts.values())
        if total < 3:
            return None
        return sorted(((lab, n / total) for lab, n in counts.items()), key=lambda x: -x[1])

    def persist(self) -> None:
        """Saves arrays and labels (no pickle)."""
        if self.coef is None:
            return
        with self._model_storage.write_to(self._resource) as directory:
            np.savez_compressed(directory / MODEL_FILE, coef=self.coef)
            (directory / META_FILE).write_text(
                json.dumps(
                    {
                        "labels": self.labels,
                        "responses": self.responses,
                        "keyword_index": self.keyword_index,
                        "vocabulary": sorted(self.vocabulary),
                    },
                    ensure_ascii=False,
                ),
                encoding="utf-8",
            )

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        """Loads a trained component, or an untrained one if nothing was trained."""
        try:
            with model_storage.read_from(resource) as directory:
                coef = np.load(directory / MODEL_FILE)["coef"]
                meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            logger.debug(f"{cls.__name__}: no trained model in '{resource.name}'.")
            return cls(config, model_storage, resource)
        return cls(
            config,
            model_storage,
            resource,
            meta["labels"],
            coef,
            meta.get("responses"),
            meta.get("keyword_index"),
            set(meta.get("vocabulary") or ()),
        )

    # ------------------------------------------------------------------ prediction

    def predict(self, messages: list[Message]) -> np.ndarray:
        """Probabilities, one row per message, one column per label.

        A message without any known feature gets all zeros.
        """
        features = self._features(messages)
        if self.coef is None:
            return np.zeros((len(messages), 0))
        if features.shape[1] != self.coef.shape[1]:
            raise ValueError(
                f"{self.__class__.__name__}: {features.shape[1]} features, the model "
                f"was trained on {self.coef.shape[1]}; the featurizers changed."
            )
        scores = np.asarray(features @ self.coef.T)
        probabilities = softmax(self.config["temperature"] * scores)
        empty = np.asarray(features.getnnz(axis=1) == 0)
        wordless = np.array([not has_words(as_read(m.get(TEXT) or "")) for m in messages])
        probabilities[empty | wordless] = 0.0
        if self.vocabulary:
            # only character n-grams in common ("wertyu" ~ "we", "er", "yu"):
            # a guess from spelling alone is no better than half sure
            unknown = np.array(
                [not any(w in self.vocabulary for w in self._words(m)) for m in messages]
            )
            probabilities[unknown] *= self.config["unknown_words_factor"]
        return probabilities

    def process(self, messages: list[Message]) -> list[Message]:
        """Sets ``intent``, ``intent_ranking`` and ``response_selector``."""
        if not messages or self.coef is None:
            return messages
        for message, row in zip(messages, self.predict(messages), strict=True):
            self._set_output(message, row)
        return messages

    def _set_output(self, message: Message, probabilities: np.ndarray) -> None:
        retrieval = self.config["retrieval_intent"]
        prefix = f"{retrieval}/"
        length = int(self.config["ranking_length"]) or len(self.labels)

        intents: dict[str, float] = {}
        answers: list[tuple[str, float]] = []
        for label, p in zip(self.labels, probabilities.tolist(), strict=True):
            if label.startswith(prefix):
                answers.append((label, p))
                # the intent is as likely as its most likely answer: summing
                # 32 answers' small tails would outvote a core intent
                intents[retrieval] = max(intents.get(retrieval, 0.0), p)
            else:
                intents[label] = p
        ranking = sorted(intents.items(), key=lambda item: -item[1])
        top_name, top_confidence = ranking[0]
        intent: dict[str, Any] = {
            INTENT_NAME_KEY: top_name,
            PREDICTED_CONFIDENCE_KEY: float(top_confidence),
        }

        answers.sort(key=lambda item: -item[1])
        faq_mass = sum(p for _, p in answers)
        conditional = [(label, p / faq_mass if faq_mass > 0 else 0.0) for label, p in answers]
        shares = self.keyword_shares(message) if faq_mass > 0 else None
        if shares and shares[0][1] < self.config["keyword_dominance"]:
            # "手续费": several answers use this word: rank them by how often
            # they do, no more confident than that share -> "did you mean"
            conditional = shares + [(lab, 0.0) for lab, _ in conditional if lab not in dict(shares)]
        answer_ranking = [
            {
                "id": self.labels.index(label),
                PREDICTED_CONFIDENCE_KEY: float(p),
                "intent_response_key": label,
            }
            for label, p in conditional[:length]
        ]
        if answer_ranking:
            best = answer_ranking[0]["intent_response_key"]
            if top_name == retrieval:
                intent["full_retrieval_intent_name"] = best
            utter = f"utter_{best}"
            selector = {
                "all_retrieval_intents": [retrieval],
                retrieval: {
                    "response": {
                        "responses": self.responses.get(utter, []),
                        PREDICTED_CONFIDENCE_KEY: answer_ranking[0][PREDICTED_CONFIDENCE_KEY],
                        "intent_response_key": best,
                        "utter_action": utter,
                        "template_name": utter,
                    },
                    "ranking": answer_ranking,
                },
            }
            message.set(RESPONSE_SELECTOR, selector, add_to_output=True)

        message.set(INTENT, intent, add_to_output=True)
        message.set(
            INTENT_RANKING_KEY,
            [{INTENT_NAME_KEY: n, PREDICTED_CONFIDENCE_KEY: float(p)} for n, p in ranking[:length]],
            add_to_output=True,
        )
