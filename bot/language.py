"""The language a message is written in, and the one it asks for.

``LanguageDetector`` is a Rasa NLU component that adds, per message,

* an entity ``language`` (``zh`` / ``en``) when the message is *clearly* in
  one language. Messages without evidence (digits, emoji, punctuation, a lone
  ``ok``/``APP``, a button payload) get nothing, so the conversation keeps the
  language it had (the ``language`` slot);
* an entity ``target_language`` when the message names a language
  ("说英文", "please answer in English", "我看不懂中文" -> ``en``), used by the
  ``change_language`` intent.

How it decides: the share of Han characters among letters, and word counts
from spaCy tokenisation with two blank pipelines built in-process (no model
download): ``zh`` with the jieba segmenter counts Chinese words, ``en`` counts
Latin words (URLs, e-mails and loanwords customers write inside Chinese —
APP, ATM, OK, ID — are not evidence of English). Mixed text such as
"APP登不上" or "ATM取款limit多少" is Chinese: Chinese grammar carries it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.normalise import normalise
from common.identifiers import as_read
from common.text import CJK_RE

if TYPE_CHECKING:  # spaCy is imported lazily
    from spacy.language import Language

ZH = "zh"
EN = "en"

LOANWORDS = frozenset(
    {
        "app",
        "apps",
        "atm",
        "ok",
        "okay",
        "id",
        "vip",
        "pos",
        "pin",
        "sms",
        "wifi",
        "qq",
        "cny",
        "rmb",
        "usd",
        "vpn",
        "ios",
        "iphone",
        "android",
        "pc",
        "ic",
        "ui",
        "bug",
        "etc",
        "hi",
        "hello",
        "hey",
        "ha",
        "haha",
        "hhh",
        "lol",
        "ukey",
        "u盾",
        "lpr",
        "pdf",
        "url",
        "www",
        "http",
        "https",
        "com",
        "cn",
        "wechat",
        "alipay",
        "visa",
        "mastercard",
        "unionpay",
    }
)
"""Latin words that appear in Chinese messages and so say nothing about the
language (lower case). Greetings are here too: a Chinese customer who types
"hello" has not asked to switch."""

_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*\Z")
_VOWEL = re.compile(r"[aeiouy]", re.IGNORECASE)
_CONSONANT_RUN = re.compile(r"[b-df-hj-np-tv-xz]{6,}", re.IGNORECASE)


def _is_word(word: str) -> bool:
    """Whether ``word`` looks like an English word.

    It has a vowel and no long consonant run, so a keyboard mash
    ("asdfghjkl", "zxcvb") is not evidence of English.
    """
    return bool(_VOWEL.search(word)) and not _CONSONANT_RUN.search(word)


# --- target language: "说英文", "answer in English", "看不懂中文" ---------------
_ZH_NAMES = r"(?:中文|汉语|普通话|国语|华语|简体|简体字|中国话)"
_EN_NAMES = r"(?:英文|英语)"
_EN_WORDS_ZH = r"(?:chinese|mandarin|putonghua)"
_EN_WORDS_EN = r"(?:english)"
_NEGATION = re.compile(
    r"(不会|不懂|看不懂|听不懂|不太懂|不认识|不能|不要|别用|别说|不用|不说|"
    r"don'?t|do not|can'?t|cannot|can not|no |not )",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Detection:
    """What the detector found in one message (for tests and debugging)."""

    language: str | None
    confidence: float
    cjk_chars: int
    latin_letters: int
    cjk_words: int
    latin_words: int


@cache
def blank_pipeline(lang: str) -> Language:
    """A blank spaCy pipeline (tokeniser only), built once per process.

    ``zh`` uses the jieba segmenter (spaCy's default ``char`` segmenter splits
    English words into letters); ``en`` is spaCy's English tokeniser.
    """
    import spacy

    if lang == ZH:
        return spacy.blank(ZH, config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    return spacy.blank(lang)


@cache
def english_stop_words() -> frozenset[str]:
    """SpaCy's English stop words ("the", "is", "what", "my", ...)."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def _counts(text: str, vocabulary: frozenset[str] | None = None) -> tuple[int, int, int, int]:
    """(Han characters, Latin letters, Chinese words, English words).

    With a ``vocabulary`` (the English words of the training data), a Latin
    word is evidence of English only if it is in it or is an English stop
    word; without one, any plausible-looking word counts.
    """
    cjk_chars = len(CJK_RE.findall(text))
    latin_letters = sum(1 for c in text if c.isascii() and c.isalpha())
    cjk_words = 0
    if cjk_chars:
        cjk_words = sum(1 for t in blank_pipeline(ZH)(text) if CJK_RE.search(t.text))
    latin_words = 0
    if latin_letters:
        for token in blank_pipeline(EN)(text):
            word = token.text
            if token.like_url or token.like_email or not _LATIN_WORD.match(word):
                continue
            lower = word.lower()
            if len(word) < 2 or lower in LOANWORDS or not _is_word(word):
                continue
            if vocabulary is not None and not (
                lower in vocabulary or lower in english_stop_words()
            ):
                continue
            latin_words += 1
    return cjk_chars, latin_letters, cjk_words, latin_words


def detect(text: str, vocabulary: frozenset[str] | None = None) -> Detection:
    """The language of a message, or ``None`` when there is no clear evidence.

    ``vocabulary``: known English words (see :func:`_counts`), so that a
    keyboard mash in Latin letters does not switch a Chinese conversation.
    """
    # A sealed phone number's random letters can spell a word ("...-my"): read
    # the stand-in digits instead, so typing a number never switches language.
    text = normalise(as_read(text or "")).strip()
    if not text or text.startswith("/"):  # empty, or an intent payload (button)
        return Detection(None, 0.0, 0, 0, 0, 0)
    cjk_chars, latin_letters, cjk_words, latin_words = _counts(text, vocabulary)
    language: str | None = None
    confidence = 0.0
    if cjk_words and cjk_words * 2 >= latin_words:
        # Chinese grammar words carry the sentence; English words inside it
        # ("ATM取款limit多少") are borrowed terms.
        language = ZH
        confidence = min(1.0, 0.6 + 0.4 * cjk_chars / max(1, cjk_chars + latin_words))
    elif latin_words >= 2 or (latin_words == 1 and not cjk_chars and latin_letters >= 4):
        # "thanks", "hello there", "what are your opening hours"; a lone
        # short word ("ok", "yes") is not enough to switch a conversation.
        language = EN
        confidence = min(1.0, 0.6 + 0.1 * latin_words)
    return Detection(
        language, round(confidence, 3), cjk_chars, latin_letters, cjk_words, latin_words
    )


def detect_language(text: str, vocabulary: frozenset[str] | None = None) -> str | None:
    """Shorthand: just the language code, or ``None``."""
    return detect(text, vocabulary).language


def english_vocabulary(texts: list[str]) -> frozenset[str]:
    """The Latin words (lower case) of the English phrasings among ``texts``."""
    words: set[str] = set()
    for text in texts:
        if CJK_RE.search(text):
            continue
        for token in blank_pipeline(EN)(normalise(text)):
            if _LATIN_WORD.match(token.text) and len(token.text) >= 2:
                words.add(token.text.lower())
    return frozenset(words)


def target_language(text: str) -> str | None:
    """The language a message names, as the one it wants ("说英文" -> en).

    A negated mention asks for the *other* language: "我看不懂中文" -> en,
    "I don't understand English" -> zh. ``None`` when no language is named.
    """
    norm = normalise(text or "")
    low = norm.lower()
    found: list[tuple[int, str]] = []
    for pattern, lang in (
        (_ZH_NAMES, ZH),
        (_EN_NAMES, EN),
        (_EN_WORDS_ZH, ZH),
        (_EN_WORDS_EN, EN),
    ):
        found += [(m.start(), lang) for m in re.finditer(pattern, low)]
    if not found:
        return None
    # The last named language is the one asked for ("别说中文，说英文" -> en),
    # unless that mention is itself negated.
    start, lang = max(found)
    # the clause before the mention: "别说中文了，说英文" -> "说"
    before = re.split(r"[，,。.!！?？;；]", low[max(0, start - 24) : start])[-1]
    if _NEGATION.search(before):
        lang = EN if lang == ZH else ZH
    return lang


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class LanguageDetector(GraphComponent, EntityExtractorMixin):
    """Adds the ``language`` and ``target_language`` entities (see module docs).

    Training only collects the English words of the training data (stored
    with the model as JSON), so a Latin-letter keyboard mash is not taken for
    English.
    """

    VOCABULARY_FILE = "english_vocabulary.json"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Entity names are configurable; confidence below the floor is dropped."""
        return {
            "language_entity": "language",
            "target_entity": "target_language",
            "min_confidence": 0.6,
        }

    @staticmethod
    def required_packages() -> list[str]:
        """SpaCy (blank pipelines) and jieba (its Chinese segmenter)."""
        return ["spacy", "jieba"]

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage | None = None,
        resource: Resource | None = None,
        vocabulary: frozenset[str] | None = None,
    ) -> None:
        """Creates the detector.

        ``vocabulary``: known English words (``None``: not trained, any
        plausible word counts).
        """
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.vocabulary = vocabulary

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageDetector:
        """Creates the component and warms its spaCy pipelines."""
        blank_pipeline(ZH)
        blank_pipeline(EN)
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Collects the English words of the training examples."""
        texts = [m.get(TEXT) or "" for m in training_data.training_examples]
        self.vocabulary = english_vocabulary(texts)
        if self._model_storage is not None and self._resource is not None:
            with self._model_storage.write_to(self._resource) as directory:
                (directory / self.VOCABULARY_FILE).write_text(
                    json.dumps(sorted(self.vocabulary), ensure_ascii=False), encoding="utf-8"
                )
        assert self._resource is not None
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LanguageDetector:
        """Loads the vocabulary (an untrained detector if there is none)."""
        blank_pipeline(ZH)
        blank_pipeline(EN)
        try:
            with model_storage.read_from(resource) as directory:
                words = json.loads((directory / cls.VOCABULARY_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, frozenset(words))

    def process(self, messages: list[Message]) -> list[Message]:
        """Adds the entities to each message."""
        for message in messages:
            text = message.get(TEXT) or ""
            entities = self._entities(text)
            if entities:
                message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)
        return messages

    def _entities(self, text: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        found = detect(text, self.vocabulary)
        if found.language and found.confidence >= self._config["min_confidence"]:
            out.append(
                self._entity(
                    self._config["language_entity"], found.language, text, found.confidence
                )
            )
        wanted = target_language(text)
        if wanted:
            out.append(self._entity(self._config["target_entity"], wanted, text, 1.0))
        return out

    def _entity(self, name: str, value: str, text: str, confidence: float) -> dict[str, Any]:
        return {
            "entity": name,
            "value": value,
            "start": 0,
            "end": len(text),
            "confidence": confidence,
            "extractor": self.__class__.__name__,
        }
