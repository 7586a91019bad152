"""Is the customer angry or distressed? A rule-based detector for both languages.

``EmotionDetector`` adds the entity ``emotion`` (value ``anger`` or
``distress``, with ``confidence_entity`` = the score) when a message shows a
clearly upset customer, so the escalation logic can bring in a person with
priority ``high`` (service rule 13). It uses spaCy's ``PhraseMatcher`` over
lexicons in Chinese and English:

* anger and insults ("气死我了", "垃圾银行", "ridiculous", "useless bot"),
* distress and anxiety ("急死了", "救命", "I'm panicking", "desperate"),
* intensifiers next to them ("太过分了", "so angry"),
* repeated punctuation ("！！！", "???") and shouting (English words in
  capitals), which only strengthen a signal and never fire on their own.

It must not fire on polite questions that merely mention a problem ("my
transfer failed, what can I do?", "我的卡被冻结了怎么办"): only the lexicon
words count as evidence, and a negated word ("我不生气", "not angry") does not.

The matcher runs on the script-run tokeniser of :mod:`bot.entities` (one
token per Han character, digit and Latin runs), so Chinese lexicon entries
match as character sequences whatever jieba would have made of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.normalise import normalise

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.matcher import PhraseMatcher

ANGER = "anger"
DISTRESS = "distress"

# weight of one lexicon hit; an emotion fires at THRESHOLD
LEXICON: dict[str, dict[str, tuple[str, ...]]] = {
    "anger_strong": {
        "zh": (
            "气死",
            "气死我了",
            "太过分",
            "过分了",
            "坑人",
            "坑爹",
            "黑心",
            "骗子银行",
            "垃圾银行",
            "垃圾服务",
            "垃圾客服",
            "什么垃圾",
            "真垃圾",
            "太垃圾",
            "垃圾机器人",
            "受够了",
            "忍无可忍",
            "什么破",
            "破银行",
            "烂银行",
            "无语了",
            "恶心",
            "欺负人",
            "搞什么",
            "搞什么鬼",
            "什么玩意",
            "离谱",
            "太差了",
            "差劲",
            "岂有此理",
            "火大",
            "愤怒",
            "很生气",
            "非常生气",
            "太生气",
            "气愤",
            "不像话",
            "耍我",
            "糊弄",
        ),
        "en": (
            "ridiculous",
            "outrageous",
            "unacceptable",
            "disgusting",
            "pathetic",
            "furious",
            "pissed",
            "pissed off",
            "fed up",
            "sick of",
            "sick and tired",
            "rip-off",
            "ripoff",
            "worst bank",
            "worst service",
            "terrible service",
            "awful service",
            "joke of a bank",
            "wtf",
            "bullshit",
            "angry",
            "livid",
            "fuming",
            "scam bank",
            "waste of my time",
            "useless bank",
            "useless bot",
            "useless service",
            "you are useless",
            "you're useless",
        ),
    },
    "insult": {
        "zh": (
            "傻逼",
            "傻b",
            "sb",
            "白痴",
            "弱智",
            "笨蛋",
            "蠢货",
            "废物",
            "混蛋",
            "王八蛋",
            "妈的",
            "他妈",
            "tmd",
            "nmd",
            "去死",
            "滚蛋",
            "狗屁",
            "脑残",
        ),
        "en": (
            "idiot",
            "idiots",
            "stupid bank",
            "stupid bot",
            "you stupid",
            "so stupid",
            "moron",
            "morons",
            "dumb bot",
            "fuck",
            "fucking",
            "fucked",
            "shit",
            "shitty",
            "crap",
            "crappy",
            "bastard",
            "bastards",
            "damn it",
            "goddamn",
        ),
    },
    "distress": {
        "zh": (
            "急死了",
            "急死",
            "救命",
            "崩溃",
            "完蛋了",
            "完了完了",
            "吓死",
            "慌了",
            "好慌",
            "害怕",
            "绝望",
            "求求你",
            "求求你们",
            "哭了",
            "睡不着",
            "急疯了",
            "怎么办啊怎么办",
            "救救我",
            "快疯了",
            "天塌了",
        ),
        "en": (
            "panicking",
            "panic",
            "desperate",
            "terrified",
            "scared",
            "freaking out",
            "please help me",
            "help me please",
            "i'm begging",
            "begging you",
            "crying",
            "worried sick",
            "devastated",
            "nightmare",
            "going crazy",
            "at my wits end",
            "losing my mind",
            "so worried",
        ),
    },
}
WEIGHTS = {"anger_strong": 0.6, "insult": 0.8, "distress": 0.6}
KIND = {"anger_strong": ANGER, "insult": ANGER, "distress": DISTRESS}

INTENSIFIERS = {
    "zh": ("太", "非常", "极其", "真的", "简直", "根本", "到底", "究竟", "实在", "特别"),
    "en": ("so", "very", "really", "absolutely", "totally", "extremely", "completely"),
}
NEGATIONS = {
    "zh": ("不", "没", "别", "并不", "没有", "不是"),
    "en": ("not", "no", "never", "don't", "dont", "isn't", "wasn't", "aren't", "not that"),
}
ACRONYMS = frozenset({"ATM", "APP", "SMS", "PIN", "ID", "CNY", "RMB", "USD", "LPR", "VIP", "OK"})

THRESHOLD = 0.6
INTENSIFIER_BONUS = 0.2
PUNCTUATION_BONUS = 0.2
SHOUTING_BONUS = 0.3

_REPEATED_PUNCT = re.compile(r"[!！?？]{3,}|[!！][?？]|[?？][!！]")
_CAPS_WORD = re.compile(r"\b[A-Z]{3,}\b")


@dataclass
class EmotionReading:
    """What the detector saw in one message."""

    emotion: str | None
    score: float
    hits: list[tuple[str, str]] = field(default_factory=list)
    """(lexicon, matched text) of each counted hit"""


@cache
def _matcher() -> tuple[Language, PhraseMatcher]:
    from spacy.matcher import PhraseMatcher

    from bot.entities import _blank_zh_with_script_tokens

    nlp = _blank_zh_with_script_tokens()
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    for lexicon, by_language in LEXICON.items():
        phrases = [p for words in by_language.values() for p in words]
        matcher.add(lexicon, [nlp.make_doc(p) for p in phrases])
    return nlp, matcher


def _negated(text: str, start: int) -> bool:
    """Whether the words just before ``start`` negate the hit."""
    before = text[max(0, start - 8) : start].lower()
    if any(before.endswith(n) for n in NEGATIONS["zh"]):
        return True
    words = re.findall(r"[a-z']+", before)
    return bool(words) and (words[-1] in NEGATIONS["en"] or " ".join(words[-2:]) in NEGATIONS["en"])


def _intensified(text: str, start: int) -> bool:
    before = text[max(0, start - 6) : start].lower()
    if any(before.endswith(i) for i in INTENSIFIERS["zh"]):
        return True
    words = re.findall(r"[a-z]+", before)
    return bool(words) and words[-1] in INTENSIFIERS["en"]


def _shouting(text: str) -> bool:
    caps = [w for w in _CAPS_WORD.findall(text) if w not in ACRONYMS]
    words = re.findall(r"\b[A-Za-z]{3,}\b", text)
    return len(caps) >= 2 and len(caps) >= 0.5 * len(words)


def read_emotion(text: str) -> EmotionReading:
    """Score one message (see module docs)."""
    norm = normalise(text or "")
    if not norm.strip():
        return EmotionReading(None, 0.0)
    nlp, matcher = _matcher()
    doc = nlp(norm)
    scores = {ANGER: 0.0, DISTRESS: 0.0}
    hits: list[tuple[str, str]] = []
    taken: set[int] = set()
    matches = sorted(matcher(doc), key=lambda m: (m[1], -(m[2] - m[1])))
    for match_id, start, end in matches:
        if taken & set(range(start, end)):
            continue  # a longer phrase at the same place already counted
        span = doc[start:end]
        if _negated(norm, span.start_char):
            continue
        lexicon = nlp.vocab.strings[match_id]
        weight = WEIGHTS[lexicon]
        if _intensified(norm, span.start_char):
            weight += INTENSIFIER_BONUS
        scores[KIND[lexicon]] += weight
        hits.append((lexicon, span.text))
        taken |= set(range(start, end))
    if not hits:  # punctuation and capitals alone are not an emotion
        return EmotionReading(None, 0.0)
    emotion = max(scores, key=lambda k: scores[k])
    score = scores[emotion]
    if _REPEATED_PUNCT.search(norm):
        score += PUNCTUATION_BONUS
    if _shouting(text or ""):
        score += SHOUTING_BONUS
    score = round(min(1.0, score), 3)
    return EmotionReading(emotion if score >= THRESHOLD else None, score, hits)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class EmotionDetector(GraphComponent, EntityExtractorMixin):
    """Adds the entity ``emotion`` (anger / distress) to upset messages."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The entity's name."""
        return {"entity": "emotion"}

    @staticmethod
    def required_packages() -> list[str]:
        """SpaCy for the phrase matcher."""
        return ["spacy"]

    def __init__(self, config: dict[str, Any]) -> None:
        """Keeps the config."""
        self._config = {**self.get_default_config(), **config}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EmotionDetector:
        """Creates the component and builds its matcher."""
        _matcher()
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        """Adds the entity to each upset message."""
        for message in messages:
            text = message.get(TEXT) or ""
            reading = read_emotion(text)
            if reading.emotion:
                entity = {
                    "entity": self._config["entity"],
                    "value": reading.emotion,
                    "start": 0,
                    "end": len(text),
                    "confidence_entity": reading.score,
                    "extractor": self.__class__.__name__,
                }
                message.set(ENTITIES, message.get(ENTITIES, []) + [entity], add_to_output=True)
        return messages
