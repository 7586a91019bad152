"""Is the customer angry, anxious or distressed? The word-list rules, for both languages.

The learned detector :class:`bot.judgement.JudgementDetector` decides in the
pipeline now; these rules are its fallback when its model fails (and its
lexicons are among its features). ``EmotionDetector`` (no longer in
``config.yml``; the parse benchmark's baseline) adds the entity ``emotion``
(value ``anger`` or ``distress``, with ``confidence_entity`` = the score) when
a message shows a clearly upset customer; the dialogue then brings in a
person with priority ``high`` (docs/requirements.md, rule 13; ``actions/escalation.py``).

Evidence, found with a spaCy :class:`~spacy.matcher.Matcher` over lexicons in
Chinese and English (:data:`LEXICONS`):

* **anger** ("气死我了", "垃圾银行", "ridiculous", "fed up") and **insults**
  ("傻逼", "废物", "idiot", "fuck"), strong;
* **distress and anxiety** ("急死了", "救命", "panicking", "desperate"), strong;
* **mild words** ("着急", "失望", "worried", "frustrated"): not enough on
  their own, but they count;
* **intensifiers** right before a word ("太过分了", "非常失望", "so worried")
  add to it; a **negation** right before it ("我不生气", "not angry") cancels it;
* **repeated punctuation** ("！！", "???", "?!") and **shouting** (several
  words in capitals) strengthen a signal and never fire on their own.

The lexical score is then **combined with the intent classifier**
(:func:`combine`; the component runs after ``LinearIntentClassifier``):

* thanks, greetings, goodbyes and "yes" with relief in them ("谢谢，刚才吓死我
  了") are not an upset customer, unless the evidence is overwhelming; strong
  anger still counts ("thanks for nothing, idiots");
* a request the classifier recognises confidently (an FAQ, a balance
  question, a complaint) with only mild words ("我很着急，转账多久到账？",
  "I'm so worried, how do I freeze my card?", "I'm very disappointed, I want
  to complain") needs more evidence than usual: the customer is best served
  by the answer or the complaint flow, not by a queue; a strong word
  ("太过分了，我要投诉") still fires.

So it does not fire on polite questions that merely mention a problem ("my
transfer failed, what can I do?", "转账失败了怎么办"): no lexicon word, no
emotion, however many question marks. ``python -m bot.emotion_eval`` measures
precision and recall on a labelled set per language.

The matcher runs on the script-run tokeniser of :mod:`bot.entities` (one token
per Han character, digit and Latin runs, punctuation), over normalised text
(full-width punctuation and traditional characters folded), so Chinese entries
match as character sequences whatever jieba would have made of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.normalise import normalise
from common.text import is_cjk

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.matcher import Matcher
    from spacy.tokens import Doc

ANGER = "anger"
DISTRESS = "distress"


Pattern = list[dict[str, Any]]
"""A spaCy Matcher token pattern, for what a fixed phrase cannot say."""


@dataclass(frozen=True)
class Lexicon:
    """Words of one kind and strength, in both languages (phrases or token patterns)."""

    kind: str
    weight: float
    zh: tuple[str | Pattern, ...]
    en: tuple[str | Pattern, ...]


_NOT_PUNCT: dict[str, Any] = {"IS_PUNCT": False}

# fmt: off
LEXICONS: dict[str, Lexicon] = {
    "anger": Lexicon(
        ANGER,
        0.6,
        zh=(
            "气死", "气炸", "火大", "愤怒", "生气", "气愤", "恼火", "过分", "坑人", "坑爹",
            "黑心", "骗子银行", "你们是骗子", "你们就是骗子", "垃圾银行", "垃圾服务",
            "垃圾客服", "垃圾机器人", "垃圾app", "什么垃圾", "真垃圾", "太垃圾", "就是垃圾",
            "受够", "受不了", "忍不了", "忍无可忍", "什么破", "破银行", "烂银行", "欺负",
            "搞什么鬼", "搞什么飞机", "在搞什么", "什么玩意", "离谱", "岂有此理", "不像话",
            "耍我", "糊弄", "差劲", "恶心", "恶劣", "无法忍受", "太坑", "霸王条款", "要疯了",
            "简直了", "有病吧", "滚开", "干什么吃的", "听不懂人话", "听不听得懂",
            "听得懂人话吗", "不要脸", "抢钱", "故意刁难", "是不是故意", "服了你们", "我服了",
            "真服了", "烦死", "无语", "一肚子火", "太欺负人", "讲不讲道理", "讲道理吗",
            "不讲理", "有意思吗", "什么鬼", "真是够了", "够了没有", "受气", "骂我", "凶我",
            "吼我", "态度恶劣", "态度极差", "服务太差", "曝光你们", "找媒体",
            "起诉你们", "告你们", "还我钱", "把钱还我", "黑店", "强盗", "土匪", "流氓",
            "抢劫", "霸道", "踢皮球", "推卸责任", "甩锅", "开玩笑吗", "逗我",
            "玩我", "当我傻", "当我是傻子", "把我当傻子", "忍你们很久", "再也不用", "血汗钱",
            "像话吗", "烦不烦", "乱收费", "乱扣", "存心", "为难人", "刁难", "挂我电话", "被晾",
            "晾着我", "无耻", "缺德", "可恶", "混账", "坑死",
        ),
        en=(
            "ridiculous", "outrageous", "unacceptable", "disgusting", "disgraceful",
            "disgrace", "pathetic", "furious", "angry", "livid", "fuming", "pissed", "fed up",
            "sick of", "sick and tired", "rip-off", "ripoff", "rip off", "worst bank",
            "worst service", "worst customer service", "worst experience", "worst ever",
            "worst app", "terrible service", "awful service", "horrible service",
            "joke of a bank", "is a joke", "are a joke", "a complete joke", "scam bank",
            "scammers", "thieves", "robbing me", "daylight robbery", "waste of my time",
            "waste of time", "useless bank", "useless bot", "useless service", "useless app",
            "you are useless", "you're useless", "thanks for nothing", "had enough",
            "enough is enough", "hate this bank", "hate your", "are you kidding me",
            "are you serious", "how dare", "done with this bank", "done with you", "so done",
            "had it", "i've had it", "garbage", "this is theft", "stealing", "steal my money",
            "total mess", "what a mess", "keep ignoring", "ignoring me", "nobody cares",
            "no one cares", "do anything right", "can't you people",
            "sue you", "report you", "shame on you", "appalling", "atrocious",
            "shocking service", "laughable", "insulting", "never again", "give me my money",
            "want my money back", "lost an hour", "wasted hours", "hang up on me",
            "hung up on me", "spamming", "is a scam",
            [{"LOWER": "seriously"}, {"ORTH": {"IN": ["?", "!"]}}],
        ),
    ),
    "insult": Lexicon(
        ANGER,
        0.8,
        zh=(
            "傻逼", "傻b", "煞笔", "sb", "白痴", "弱智", "笨蛋", "蠢货", "废物", "混蛋",
            "王八蛋", "妈的", "他妈", "tmd", "nmd", "去死", "滚蛋", "狗屁", "脑残", "智障",
        ),
        en=(
            "idiot", "idiots", "stupid bank", "stupid bot", "stupid app", "you stupid",
            "so stupid", "moron", "morons", "dumb bot", "dumbest", "fuck", "fucking",
            "fucked", "wtf", "shit", "shitty", "bullshit", "crap", "crappy", "bastard",
            "bastards", "damn it", "goddamn", "incompetent", "clowns",
        ),
    ),
    "distress": Lexicon(
        DISTRESS,
        0.6,
        zh=(
            "急死", "急疯", "急坏", "救命", "救救我", "求你们", "求你了", "求您了", "我崩溃",
            "快崩溃", "要崩溃",
            "崩溃了我", "完蛋了", "完了完了", "全完了", "这下完了", "吓死", "吓坏", "慌了",
            "好慌", "很慌", "慌死", "绝望", "求求你", "求求您", "哭了", "想哭", "快疯了",
            "天塌了", "走投无路", "怎么办啊怎么办", "怎么办怎么办", "心急如焚", "急得",
            "睡不着觉", "救急", "发抖", "哭死", "吓得", "心慌", "手抖", "腿软", "六神无主",
            "救命钱", "要死了", "活不下去", "不想活", "倾家荡产",
            "不知所措", "懵了", "好怕", "很怕", "怕死了", "出大事了", "急急急", "吓人",
        ),
        en=(
            "panicking", "panicked", "in a panic", "desperate", "desperately", "terrified",
            "freaking out", "freaked out", "i'm begging", "i am begging", "begging you",
            "crying", "in tears", "worried sick", "devastated", "going crazy", "wits end",
            "wits' end", "losing my mind", "at my wit's end", "please please", "heart attack",
            "can't sleep", "cannot sleep", "nightmare", "shaking", "trembling",
            "scared to death", "frightened", "petrified",
            "beside myself", "distraught", "overwhelmed", "breaking down", "falling apart",
            "i'm ruined", "lost everything", "can't breathe", "sick to my stomach", "beg you",
            "i beg", "in shock", "what am i going to do", [{"ORTH": "HELP"}],

            [{"LOWER": "help"}, {"ORTH": "!"}],  # "Help!" (not "please help me with …")
        ),
    ),
    "mild_anger": Lexicon(
        ANGER,
        0.35,
        zh=(
            "失望", "不满", "郁闷", "很烦", "太差", "差评", "不靠谱", "坑", "垃圾", "忽悠",
            "敷衍", "折腾", "凭什么", "莫名其妙", "行不行啊", "有没有搞错", "每次都",
            "都说了", "动不动就", "又是这样", "第三次", "好几次", "多少次", "拖了", "一直没人",
            "没人理", "没人管", "太慢了", "效率太低", "效率也太低", "搞了一下午", "等了半天",
            "退钱", "骗人", "骗钱", "银保监", "消协", "再这样", "骚扰", "倒闭", "绕圈子",
            "怎么会这样",
            # "说了八百遍了", "说了三遍": saying it again and again
            [{"ORTH": "说"}, {"ORTH": "了"}, _NOT_PUNCT, {"ORTH": "遍"}],
            [{"ORTH": "说"}, {"ORTH": "了"}, _NOT_PUNCT, _NOT_PUNCT, {"ORTH": "遍"}],
        ),
        en=(
            "annoyed", "annoying", "frustrated", "frustrating", "disappointed",
            "disappointing", "upset", "terrible", "awful", "horrible", "useless", "worst",
            "unbelievable", "nonsense", "rubbish", "sucks", "hopeless", "irritated", "mad",
            "stupid", "you people", "how many times", "times already", "do you even",
            "third time", "again and again", "excuses", "rude", "right now", "immediately",
            "close my account", "hidden charges", "mess", "shocking", "dreadful", "theft",
            "regulator", "ombudsman", "my lawyer", "on purpose", "deliberately", "told you",
            "in circles",
            "scam",
        ),
    ),
    "mild_distress": Lexicon(
        DISTRESS,
        0.35,
        zh=(
            "着急", "焦虑", "担心", "害怕", "紧张", "慌", "不安", "发愁", "急用", "急", "急需",
            "等着用钱", "不知道怎么办", "辛辛苦苦", "被骗", "全部积蓄", "养老钱", "天哪", "天啊",
            "我的天", "糟了", "糟糕",
        ),
        en=(
            "worried", "anxious", "scared", "afraid", "nervous", "stressed", "panic",
            "urgent", "urgently", "helpless", "oh my god", "omg", "oh god", "emergency",
            "can't pay", "my savings", "need help", "life savings", "all my savings", "shocked",
            "oh no", "what do i do", "ruin",
        ),
    ),
}

NOT_BEFORE: dict[str, tuple[str, ...]] = {
    "不安": ("全",),  # 不安全: unsafe, not uneasy
    "无语": ("音", "言"),  # 无语音: no voice prompt
    "急": ("救", "诊"),  # 急救, 急诊: first aid, emergency room
    "stupid": ("question", "questions"),  # "sorry if this is a stupid question"
    "panic": ("button", "buttons"),
    "他妈": ("妈",),  # 他妈妈: his mother
}
"""A word does not count when the next token is one of these."""

NOT_AFTER: dict[str, tuple[str, ...]] = {
    # 我妈的账户: my mother's account
    "妈的": ("我", "你", "他", "她", "咱", "老", "爸", "姨", "舅", "姑", "后"),
}
"""A word does not count when the token before it is one of these."""

INTENSIFIERS: dict[str, tuple[str, ...]] = {
    "zh": (
        "太", "很", "好", "真", "真的", "非常", "极其", "极度", "特别", "十分", "简直",
        "实在", "超", "超级", "都",
    ),
    "en": (
        "so", "very", "really", "absolutely", "totally", "extremely", "completely",
        "super", "incredibly", "utterly", "beyond", "fucking", "truly", "seriously",
    ),
}
POST_INTENSIFIERS: tuple[str, ...] = (
    "死了", "死我了", "死", "坏了", "得要命", "极了", "透了", "得不行",
)
"""Chinese degree complements right after a word: "担心死了", "烦透了"."""
NEGATIONS: dict[str, tuple[str, ...]] = {
    "zh": (
        "不", "没", "没有", "别", "并不", "不是", "不用", "不必", "不会", "一点也不", "不太",
        "不是很", "不是太", "没那么", "不怎么", "没什么", "不那么",
    ),
    "en": (
        "not", "never", "no", "don't", "dont", "isn't", "wasn't", "aren't", "ain't",
        "didn't", "doesn't", "won't", "nothing", "hardly",
    ),
}
ACRONYMS = frozenset(
    {"ATM", "APP", "SMS", "PIN", "CNY", "RMB", "USD", "LPR", "VIP", "OTP", "ID", "OK", "WIFI"}
)
# fmt: on

THRESHOLD = 0.6
"""Score at which a message counts as upset."""

INTENSIFIER_BONUS = 0.25
PUNCTUATION_BONUS = 0.2
SHOUTING_BONUS = 0.3

POSITIVE_INTENTS = frozenset({"thank", "affirm", "greet", "goodbye"})
"""Someone thanking or saying yes is not an upset customer (unless overwhelming)."""
POSITIVE_THRESHOLD = 1.2

UNHAPPY_INTENTS = frozenset(
    {"request_human", "out_of_scope", "nlu_fallback", "deny", "report_fraud"}
)
"""Intents that are not a request the assistant can serve. A complaint is one: it
has its own flow (HEART, a ticket, a human offered), so "I'm very dissatisfied,
I want to complain" takes that flow; "太过分了，我要投诉" (a strong word) goes
to a person at once."""
ANSWERABLE_CONFIDENCE = 0.7
ANSWERABLE_THRESHOLD = 0.8
"""A confidently recognised request with only mild words needs this score."""

STRONG = frozenset({"anger", "insult", "distress"})

# How many tokens may stand between a modifier and the word it modifies. A
# Han character is a token of its own, so in Chinese an intensifier must touch
# the word ("很生气", but not "很多垃圾短信"), and so must a negation ("不生气",
# "不太生气" through the phrase 不太; but not "钱没了急死了").
_GAP = {"intensifier": {"zh": 0, "en": 1}, "negation": {"zh": 0, "en": 1}}


@dataclass
class EmotionReading:
    """What the detector saw in one message."""

    emotion: str | None
    score: float
    hits: list[tuple[str, str]] = field(default_factory=list)
    """(lexicon, matched text) of each counted word"""
    signals: list[str] = field(default_factory=list)
    """other evidence: "punctuation", "shouting", "intensifier:<word>", "intent:<rule>" """

    @property
    def strong(self) -> bool:
        """Whether a strong word (anger, insult, distress) was seen."""
        return any(lexicon in STRONG for lexicon, _ in self.hits)


# --------------------------------------------------------------------------- matcher


def _token_pattern(nlp: Language, phrase: str | Pattern) -> Pattern:
    if not isinstance(phrase, str):
        return phrase
    return [{"LOWER": token.lower_} for token in nlp.make_doc(normalise(phrase).lower())]


@cache
def _matcher() -> tuple[Language, Matcher]:
    """The blank pipeline and a Matcher with one label per lexicon and signal."""
    from spacy.matcher import Matcher

    from bot.entities import _blank_zh_with_script_tokens

    nlp = _blank_zh_with_script_tokens()
    matcher = Matcher(nlp.vocab)
    for name, lexicon in LEXICONS.items():
        matcher.add(name, [_token_pattern(nlp, p) for p in (*lexicon.zh, *lexicon.en)])
    matcher.add(
        "INTENSIFIER",
        [_token_pattern(nlp, p) for words in INTENSIFIERS.values() for p in words],
    )
    matcher.add("POST_INTENSIFIER", [_token_pattern(nlp, p) for p in POST_INTENSIFIERS])
    matcher.add(
        "NEGATION",
        [_token_pattern(nlp, p) for words in NEGATIONS.values() for p in words],
    )
    bang = {"ORTH": "!"}
    ask = {"ORTH": "?"}
    matcher.add(
        "PUNCTUATION",
        [[bang, bang], [ask, ask, ask], [ask, bang], [bang, ask]],
    )
    matcher.add(
        "CAPS",
        [[{"IS_ALPHA": True, "IS_UPPER": True, "LENGTH": {">=": 3}}]],
    )
    return nlp, matcher


def _right_before(doc: Doc, end: int, start: int, modifier: str) -> bool:
    """Whether a modifier ending at ``end`` stands right before the word at ``start``.

    At most ``_GAP[modifier]`` tokens between, none of them punctuation.
    """
    language = "zh" if is_cjk(doc[start].text[:1]) else "en"
    if end > start or start - end > _GAP[modifier][language]:
        return False
    return not any(doc[i].is_punct for i in range(end, start))


def read_emotion(text: str, intent: str | None = None, confidence: float = 0.0) -> EmotionReading:
    """Score one message; ``intent``/``confidence`` are the classifier's (see :func:`combine`)."""
    norm = normalise(text or "")
    if not norm.strip() or norm.lstrip().startswith("/"):  # nothing, or a button payload
        return EmotionReading(None, 0.0)
    nlp, matcher = _matcher()
    doc = nlp(norm)
    words: list[tuple[str, int, int]] = []
    spans: dict[str, list[tuple[int, int]]] = {
        "INTENSIFIER": [],
        "POST_INTENSIFIER": [],
        "NEGATION": [],
    }
    punctuation = False
    caps: list[str] = []
    for match_id, start, end in matcher(doc):
        label = nlp.vocab.strings[match_id]
        if label in LEXICONS:
            words.append((label, start, end))
        elif label in spans:
            spans[label].append((start, end))
        elif label == "PUNCTUATION":
            punctuation = True
        elif label == "CAPS" and doc[start].text not in ACRONYMS:
            caps.append(doc[start].text)

    # "特别慌": the 别 of an intensifier (or of a word such as 不安) negates nothing
    inside_words = {i for _, s, e in words for i in range(s, e)}
    inside_words |= {i for s, e in spans["INTENSIFIER"] if e - s > 1 for i in range(s, e)}
    negations = [(s, e) for s, e in spans["NEGATION"] if not inside_words & set(range(s, e))]

    # longest word first; a shorter one inside a counted word does not count again
    words.sort(key=lambda w: (-(w[2] - w[1]), w[1]))
    taken: set[int] = set()
    scores = {ANGER: 0.0, DISTRESS: 0.0}
    reading = EmotionReading(None, 0.0)
    for label, start, end in words:
        if taken & set(range(start, end)):
            continue
        text_of_word = doc[start:end].text.lower()
        if end < len(doc) and doc[end].lower_ in NOT_BEFORE.get(text_of_word, ()):
            continue  # "不安全", "stupid question"
        if start > 0 and doc[start - 1].lower_ in NOT_AFTER.get(text_of_word, ()):
            continue  # "我妈的账户"
        taken |= set(range(start, end))
        if any(_right_before(doc, n_end, start, "negation") for _, n_end in negations):
            continue  # "我不生气", "not angry"
        lexicon = LEXICONS[label]
        weight = lexicon.weight
        booster = next(
            (
                doc[s:e].text
                for s, e in spans["INTENSIFIER"]
                if _right_before(doc, e, start, "intensifier")
            ),
            None,
        ) or next((doc[s:e].text for s, e in spans["POST_INTENSIFIER"] if s == end), None)
        if booster is not None:
            weight += INTENSIFIER_BONUS
            reading.signals.append(f"intensifier:{booster}")
        scores[lexicon.kind] += weight
        reading.hits.append((label, doc[start:end].text))
    if not reading.hits:  # punctuation and capitals alone are not an emotion
        return reading
    score = scores[ANGER] + scores[DISTRESS]
    if punctuation:
        score += PUNCTUATION_BONUS
        reading.signals.append("punctuation")
    latin = [t for t in doc if t.is_alpha and t.is_ascii and len(t) >= 3]
    if len(caps) >= 2 and len(caps) >= 0.5 * len(latin):
        score += SHOUTING_BONUS
        reading.signals.append("shouting")
    reading.score = round(score, 3)
    reading.emotion = max(scores, key=lambda k: scores[k])
    return combine(reading, intent, confidence)


def combine(reading: EmotionReading, intent: str | None, confidence: float) -> EmotionReading:
    """The lexical reading in the light of the intent classifier; sets ``emotion`` or clears it.

    The threshold is :data:`THRESHOLD`, raised for thanks and greetings
    (:data:`POSITIVE_THRESHOLD`) and for a confidently recognised request
    with only mild words (:data:`ANSWERABLE_THRESHOLD`).
    """
    threshold = THRESHOLD
    angry = any(LEXICONS[lexicon].kind == ANGER for lexicon, _ in reading.hits if lexicon in STRONG)
    if intent in POSITIVE_INTENTS and confidence >= 0.5 and not angry:
        # relief ("谢谢，刚才吓死我了"); strong anger in a "thanks" is sarcasm, or a misreading
        threshold = POSITIVE_THRESHOLD
        reading.signals.append(f"intent:{intent}")
    elif (
        intent
        and intent not in UNHAPPY_INTENTS
        and confidence >= ANSWERABLE_CONFIDENCE
        and not reading.strong
    ):
        threshold = ANSWERABLE_THRESHOLD
        reading.signals.append(f"intent:{intent}")
    if not reading.hits or reading.score < threshold:
        reading.emotion = None
    reading.score = round(min(1.0, reading.score), 3)
    return reading


# --------------------------------------------------------------------------- component


def _intent_of(message: Message) -> tuple[str | None, float]:
    intent = message.get(INTENT) or {}
    name = intent.get("name")
    return (str(name) if name else None), float(intent.get("confidence") or 0.0)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class EmotionDetector(GraphComponent, EntityExtractorMixin):
    """Adds the entity ``emotion`` (anger / distress) to upset messages.

    Placed after the intent classifier in ``config.yml`` so it can combine
    both (:func:`combine`); before it, it judges the words alone.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The entity's name."""
        return {"entity": "emotion"}

    @staticmethod
    def required_packages() -> list[str]:
        """SpaCy for the matcher."""
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
            reading = read_emotion(text, *_intent_of(message))
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
