"""Learned judgement on each message: an upset customer, a fraud victim.

``JudgementDetector`` is a trainable Rasa NLU component placed after the intent
classifier. ``rasa train`` fits it on the labelled sets in ``data_path``
(``data/judgement/{upset,fraud}_{zh,en}.yml``, written from
``docs/judgement/guidelines.md``; :mod:`bot.judgement_model` says how), and the
model archive holds everything it needs to serve.

Protocol: every parsed message carries ``judgement`` in its parse data (the
``/model/parse`` answer and the tracker's ``UserUttered.parse_data``)::

    "judgement": {
      "upset": {"score": 0.93, "flag": true, "kind": "anger", "threshold": 0.6,
                "source": "model"},
      "fraud_victim": {"score": 0.08, "flag": false, "threshold": 0.5,
                       "source": "model"},
      "fraud_prevention": {"score": 0.02, "flag": false, "threshold": 0.8,
                           "source": "model"}
    }

* ``score``: calibrated probability (0..1) that the message is upset / a fraud
  victim's report, as labelled by the guidelines;
* ``flag``: ``score >= threshold``; the threshold is per detector and per
  language (``zh`` when the message has Chinese characters, otherwise ``en``),
  set in ``config.yml`` and chosen on cross-validation and the development set;
* ``fraud_prevention``: a question about avoiding fraud, before any loss
  (:mod:`bot.prevention_reading` answers it with the prevention FAQ); only
  from a model that has that head, never from the rules;
* ``kind`` (``upset`` only): ``anger`` | ``distress`` | ``despair`` |
  ``bot_frustration`` when flagged, otherwise ``null``;
* ``source``: ``"model"``, or ``"rules"`` when the model failed at run time or
  was not trained: then ``upset`` is the word-list detector of
  :mod:`bot.emotion` (``kind`` ``anger`` | ``distress``, its own threshold) and
  ``fraud_victim`` is flagged when the intent classifier's top intent is
  ``report_fraud`` (``score`` = that intent's confidence, ``threshold`` null).

An empty message or a button payload (``/intent``) is judged calm and no
victim (score 0). For the dialogue of today, a flagged ``upset`` also adds the
entity ``emotion`` (``anger`` for anger and bot_frustration, ``distress`` for
distress and despair), as :class:`bot.emotion.EmotionDetector` did.

A detector that raises while judging a message is logged and replaced by the
rules for that message; the parse and the turn go on.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import judgement_data, judgement_memo
from bot.emotion import ANGER, DISTRESS, THRESHOLD, read_emotion
from bot.judgement_borrowed import (
    WEIGHT,
    complaint_path,
    from_calm,
    from_complaints,
    from_prevention,
)
from bot.judgement_features import analyse
from bot.judgement_model import JudgementModel, TrainingSettings, train
from bot.judgement_nlu import nlu_examples, read_plain
from common.identifiers import as_read
from common.text import CJK_RE, has_words

logger = logging.getLogger(__name__)

JUDGEMENT = "judgement"
UPSET = "upset"
FRAUD_VICTIM = "fraud_victim"
FRAUD_PREVENTION = "fraud_prevention"
EMOTION_OF_KIND = {
    "anger": ANGER,
    "bot_frustration": ANGER,
    "distress": DISTRESS,
    "despair": DISTRESS,
}
"""The ``emotion`` entity the current dialogue reads, per kind of upset."""

_SOURCES = ("judgement_data.py", "judgement_features.py", "judgement_model.py", "judgement_nlu.py",
            "judgement_borrowed.py", "emotion.py", "normalise.py")  # fmt: skip
"""Modules whose code shapes the trained model (Rasa fingerprints only this class's source)."""


def language_of(text: str) -> str:
    """``zh`` when the message has Chinese characters (mixed text too), else ``en``."""
    return "zh" if CJK_RE.search(text or "") else "en"


def rules_judgement(text: str, intent: str | None, confidence: float, ranking: Any) -> dict:
    """Today's rules: the word-list detector, and the ``report_fraud`` intent."""
    reading = read_emotion(text, intent, confidence)
    fraud = next(
        (
            float(i.get("confidence") or 0.0)
            for i in ranking or []
            if i.get("name") == "report_fraud"
        ),
        confidence if intent == "report_fraud" else 0.0,
    )
    return {
        UPSET: {
            "score": round(min(1.0, reading.score), 4),
            "flag": reading.emotion is not None,
            "kind": reading.emotion,
            "threshold": THRESHOLD,
            "source": "rules",
        },
        FRAUD_VICTIM: {
            "score": round(fraud, 4),
            "flag": intent == "report_fraud",
            "threshold": None,
            "source": "rules",
        },
    }


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class JudgementDetector(GraphComponent, EntityExtractorMixin):
    """Adds ``judgement`` (upset, fraud victim) to every message; see the module docs."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Where the labelled sets are, thresholds per language, and how to fit."""
        return {
            # labelled sets, relative to the working directory of `rasa train`
            "data_path": "data/judgement",
            # flag when the calibrated score reaches these (per language)
            "thresholds": {
                UPSET: {"zh": 0.5, "en": 0.5},
                FRAUD_VICTIM: {"zh": 0.5, "en": 0.5},
                FRAUD_PREVENTION: {"zh": 0.8, "en": 0.8},
            },
            # logistic regression regularisation (larger = less smoothing)
            "C": 30.0,
            "kind_C": 10.0,
            # cross-validation folds for calibration and the reported CV figures
            "folds": 5,
            # features seen in fewer training texts are dropped
            "min_df": 2,
            "random_seed": 42,
            # plain questions (the snapshot data_path/plain_<lang>.yml of the NLU
            # examples, bot/judgement_nlu.py) used as extra labelled messages:
            # calm (and no fraud victim); `faq` means every FAQ answer
            "calm_intents": [
                "faq",
                "greet",
                "goodbye",
                "thank",
                "affirm",
                "more",
                "cancel",
                "change_language",
                "check_balance",
                "check_card_status",
                "check_transactions",
                "freeze_card",
                "report_lost_card",
                "complex_topic",
                "bot_challenge",
                "request_human",
                "out_of_scope",
                "ask_password",
                "resend_code",
                "third_party_info",
            ],  # fmt: skip
            "prevention_intents": ["faq/fraud_prevention"],
            "victim_intents": ["report_fraud"],
            # ... each counting this much of a labelled example
            "nlu_weight": 0.1,
            # ... but this much for the fraud detector (None: `nlu_weight`)
            "fraud_nlu_weight": None,
            # complaint stories (of this folder's categories.yml) and the upset
            # sets' calm everyday messages as fraud `other`, at this weight
            # (bot/judgement_borrowed.py); 0 turns it off
            "complaints_path": "data/complaints",
            "borrowed_weight": WEIGHT,
            # entity added for a flagged upset message (the current dialogue reads it)
            "entity": "emotion",
        }

    @staticmethod
    def required_packages() -> list[str]:
        """Scikit-learn to train, jieba and spaCy for the features."""
        return ["sklearn", "jieba", "spacy"]

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """The labelled sets and the feature code: retrain when either changes."""
        folder = Path(config.get("data_path") or cls.get_default_config()["data_path"])
        digest = hashlib.sha256(judgement_data.fingerprint(folder).encode())
        complaints = complaint_path(
            Path(config.get("complaints_path") or cls.get_default_config()["complaints_path"])
        )
        if complaints.exists():
            digest.update(complaints.read_bytes())
        here = Path(__file__).parent
        for name in _SOURCES:
            digest.update((here / name).read_bytes())
        return digest.hexdigest()[:16]

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: JudgementModel | None = None,
    ) -> None:
        """A trained component has a model; without one it judges by the rules."""
        defaults = self.get_default_config()
        self.config = {**defaults, **config}
        given = config.get("thresholds") or {}
        self.config["thresholds"] = {  # a detector or language left out keeps its default
            name: {**limits, **(given.get(name) or {})}
            for name, limits in defaults["thresholds"].items()
        }
        self._model_storage = model_storage
        self._resource = resource
        self.model = model

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> JudgementDetector:
        """An untrained component."""
        return cls(config, model_storage, resource)

    # ------------------------------------------------------------------ training

    def train(self, training_data: TrainingData) -> Resource:
        """Fits the detectors on the labelled sets in ``data_path`` and its plain questions.

        The plain questions are a snapshot of the NLU examples
        (:mod:`bot.judgement_nlu`), not ``training_data``: a content edit must
        not move the detectors. That is also why the detectors trained on the
        same data before are restored (:mod:`bot.judgement_memo`).
        """
        key = judgement_memo.memo_key(self.config, self.fingerprint_addon(self.config) or "")
        if judgement_memo.has(key):
            with self._model_storage.write_to(self._resource) as directory:
                if judgement_memo.restore(key, directory):
                    logger.info(f"{type(self).__name__}: restored the detectors of {key}")
                    return self._resource
        folder = Path(self.config["data_path"])
        examples = {d: judgement_data.load(folder, d) for d in judgement_data.DETECTORS}
        if not any(examples.values()):
            logger.warning(f"{type(self).__name__}: no labelled sets in '{folder}'; rules only.")
            return self._resource
        weight = float(self.config["borrowed_weight"])
        prevention = from_prevention(examples[judgement_data.FRAUD], weight) if weight > 0 else []
        extra = nlu_examples(
            read_plain(folder),
            self.config["calm_intents"],
            self.config["prevention_intents"],
            self.config["victim_intents"],
            float(self.config["nlu_weight"]),
            _optional_float(self.config.get("fraud_nlu_weight")),
        )
        for detector, more in extra.items():
            examples[detector] = examples[detector] + more
        if weight > 0:
            examples[judgement_data.FRAUD] += from_complaints(
                Path(self.config["complaints_path"]), weight
            ) + from_calm(examples[judgement_data.UPSET], weight)
            examples[judgement_data.UPSET] += prevention
        settings = TrainingSettings(
            C=float(self.config["C"]),
            kind_C=float(self.config["kind_C"]),
            folds=int(self.config["folds"]),
            min_df=int(self.config["min_df"]),
            random_seed=int(self.config["random_seed"]),
        )
        self.model = train(examples, settings)
        self.model.info["data_fingerprint"] = judgement_data.fingerprint(folder)
        self.model.info["thresholds"] = self.config["thresholds"]
        logger.info(f"{type(self).__name__}: trained {self.model.info}")
        with self._model_storage.write_to(self._resource) as directory:
            self.model.save(directory)
            judgement_memo.keep(key, directory)
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> JudgementDetector:
        """The trained component; one whose model cannot be read judges by the rules."""
        try:
            with model_storage.read_from(resource) as directory:
                model = JudgementModel.load(directory)
        except Exception:  # noqa: BLE001 - any unreadable model: serve with the rules
            logger.exception(f"{cls.__name__}: no usable model in '{resource.name}', rules only.")
            model = None
        return cls(config, model_storage, resource, model)

    # ------------------------------------------------------------------ judging

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Nothing to add to the NLU training data."""
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Adds ``judgement`` (and ``emotion`` when upset) to each message."""
        for message in messages:
            judgement = self.judge(message)
            message.set(JUDGEMENT, judgement, add_to_output=True)
            upset = judgement[UPSET]
            if upset["flag"] and upset.get("kind"):
                self._add_emotion(
                    message, EMOTION_OF_KIND.get(upset["kind"], ANGER), upset["score"]
                )
        return messages

    def judge(self, message: Message) -> dict[str, dict[str, Any]]:
        """The judgement of one message: the model's, or the rules' if the model fails."""
        text = as_read(message.get(TEXT) or "")  # numbers arrive sealed (common.identifiers)
        if not text.strip() or text.lstrip().startswith("/"):  # nothing said, or a button
            return self._empty()
        if self.model is not None:
            try:
                return self._model_judgement(text)
            except Exception:  # noqa: BLE001 - a detector must never break a turn
                logger.exception(f"{type(self).__name__}: the model failed; judging by the rules.")
        intent = message.get(INTENT) or {}
        return rules_judgement(
            text,
            intent.get("name"),
            float(intent.get("confidence") or 0.0),
            message.get(INTENT_RANKING_KEY),
        )

    def _model_judgement(self, text: str) -> dict[str, dict[str, Any]]:
        assert self.model is not None
        language = language_of(text)
        analysed = [analyse(text)]
        scores = self.model.score(analysed)
        out: dict[str, dict[str, Any]] = {}
        for name in (UPSET, FRAUD_VICTIM, FRAUD_PREVENTION):
            threshold = float(self.config["thresholds"][name][language])
            if name not in scores.probability and name == FRAUD_PREVENTION:
                continue  # a model trained before that head: the intent classifier alone
            if name not in scores.probability:
                raise ValueError(f"the model has no '{name}' detector")
            score = float(scores.probability[name][0])
            # a victim's report or a question needs words: digits alone (a phone
            # number, the ID's last four, read as "0000") tell nothing, whatever they score
            told = name == UPSET or has_words(text)
            out[name] = {
                "score": round(score, 4),
                "flag": score >= threshold and told,
                "threshold": threshold,
                "source": "model",
            }
        flagged = out[UPSET]["flag"]
        kind = self.model.kind_of(analysed, scores.upset_vectors)[0] if flagged else None
        out[UPSET] = {**out[UPSET], "kind": kind}
        return out

    def _empty(self) -> dict[str, dict[str, Any]]:
        thresholds = self.config["thresholds"]
        return {
            UPSET: {
                "score": 0.0,
                "flag": False,
                "kind": None,
                "threshold": float(thresholds[UPSET]["zh"]),
                "source": "model" if self.model is not None else "rules",
            },
            FRAUD_VICTIM: {
                "score": 0.0,
                "flag": False,
                "threshold": float(thresholds[FRAUD_VICTIM]["zh"]),
                "source": "model" if self.model is not None else "rules",
            },
        }

    def _add_emotion(self, message: Message, emotion: str, score: float) -> None:
        text = message.get(TEXT) or ""
        entity = {
            "entity": self.config["entity"],
            "value": emotion,
            "start": 0,
            "end": len(text),
            "confidence_entity": score,
            "extractor": type(self).__name__,
        }
        message.set(ENTITIES, message.get(ENTITIES, []) + [entity], add_to_output=True)


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)
