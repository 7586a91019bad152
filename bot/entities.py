"""Rule-based banking entities in Chinese and English, with spaCy's ``Matcher``.

Entities and their normalised values:

=============  ==========================================  ====================
entity         examples                                    value
=============  ==========================================  ====================
``amount``     500元, 1,000.50 块钱, ¥300, RMB 2000,       "500", "1000.50",
               5万元, 五百块, 两千元, 300 yuan              "50000", "500"
``month``      3月, 三月份, 2024年3月, 上个月, 本月,        "YYYY-MM"
               March, last month, this month
``date``       3月5日, 昨天, 今天, March 5, yesterday       "YYYY-MM-DD"
``card_last4`` 尾号6789, 卡号后四位是6789, ending 2468,    "6789"
               ends in 2468, last 4 digits 2468, ****2468
``phone``      13800138000, 138 0013 8000, 138-0013-8000,  "13800138000"
               +86 13800138000
=============  ==========================================  ====================

A month or date without a year is the most recent one not in the future
(customers ask about past transactions): in January, "12月" is last December.
``today`` is injectable for tests. A bare four-digit reply ("1234") is left
alone: whether it is an ID or a card number depends on the question asked,
which the form's slot extraction knows and this component does not.

Why a tokeniser of our own: jieba segments numbers with the characters around
them (``500元到`` -> 500 / 元到, which also misaligns Rasa's entity annotations),
so token patterns would miss. The matcher runs on a blank ``zh`` pipeline whose
tokeniser splits the *normalised* text (:mod:`bot.normalise`: full-width digits become ASCII,
traditional characters simplified, offsets unchanged) into runs of digits,
runs of Latin letters, single Han characters and single symbols. That gives
exact boundaries in both languages and in mixed text.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
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
    from spacy.tokens import Doc, Span
    from spacy.vocab import Vocab

Today = Callable[[], dt.date]

# --------------------------------------------------------------------------- tokeniser

_TOKEN_RE = re.compile(r"\s+|\d+(?:[.,]\d+)*|[A-Za-z]+|\S")


class ScriptRunTokenizer:
    """spaCy tokeniser splitting by script.

    Digit runs (with ``.``/``,`` inside), Latin runs, and every other
    non-space character on its own; ``doc.text == text``.
    """

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        """Tokenises ``text``."""
        from spacy.tokens import Doc

        words: list[str] = []
        spaces: list[bool] = []
        for match in _TOKEN_RE.finditer(text):
            piece = match.group(0)
            if piece == " " and words and not spaces[-1]:
                spaces[-1] = True
                continue
            words.append(piece)
            spaces.append(False)
        return Doc(self.vocab, words=words, spaces=spaces)


# --------------------------------------------------------------------------- numbers

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
CN_NUMERALS = "".join(_CN_DIGITS) + "".join(_CN_UNITS) + "".join(_CN_BIG)


def chinese_number(text: str) -> int | None:
    """``五百`` -> 500, ``两千三百`` -> 2300, ``十二`` -> 12, ``三万五千`` -> 35000.

    ``None`` for anything that is not a well-formed Chinese numeral.
    """
    if not text or any(c not in CN_NUMERALS for c in text):
        return None
    total, section, digit = 0, 0, None
    for char in text:
        if char in _CN_DIGITS:
            if digit is not None:  # two digits in a row: "一二" is not a number
                return None
            digit = _CN_DIGITS[char]
        elif char in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[char]
            digit = None
        else:  # 万 / 亿
            section += digit or 0
            if section == 0:
                return None
            total += section * _CN_BIG[char]
            section, digit = 0, None
    return total + section + (digit or 0)


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def format_amount(value: Decimal) -> str:
    """``Decimal("1000.50")`` -> ``"1000.50"``; ``Decimal("500.00")`` -> ``"500"``."""
    value = value.quantize(Decimal("0.01"))
    if value == value.to_integral_value():
        return str(value.to_integral_value())
    return f"{value:f}"


# --------------------------------------------------------------------------- months

_EN_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_EN_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_EN_MONTHS["sept"] = 9


def _shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _recent(today: dt.date, month: int, day: int | None = None) -> dt.date | None:
    """The most recent date with this month (and day) not after today."""
    for year in (today.year, today.year - 1):
        try:
            candidate = dt.date(year, month, day or 1)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    return None


# --------------------------------------------------------------------------- patterns

DIGITS = {"TEXT": {"REGEX": r"^\d+(?:[.,]\d+)*$"}}
FOUR = {"TEXT": {"REGEX": r"^\d{4}$"}}
CN_NUM = {"TEXT": {"IN": list(CN_NUMERALS)}, "OP": "+"}
SPACE = {"IS_SPACE": True, "OP": "?"}
SEPARATOR = {"TEXT": {"REGEX": r"^(?:-|\s+)$"}, "OP": "?"}
CURRENCY_AFTER = ["元", "块", "圆", "rmb", "cny", "yuan", "kuai", "人民币"]
MULTIPLIER = {"TEXT": {"IN": ["万", "千", "k", "K"]}, "OP": "?"}


def _chars(word: str, **extra: Any) -> list[dict[str, Any]]:
    """Token patterns matching a Chinese word character by character."""
    return [{"TEXT": c, **extra} for c in word]


def _either(*words: str) -> list[list[dict[str, Any]]]:
    return [_chars(w) for w in words]


def _patterns() -> dict[str, list[list[dict[str, Any]]]]:
    """Matcher patterns per label (a label may normalise to another entity)."""
    is_ = {"TEXT": {"IN": ["是", "为", ":", "：", "="]}, "OP": "?"}
    unit_after = {"LOWER": {"IN": CURRENCY_AFTER}}
    qian = {"TEXT": "钱", "OP": "?"}
    patterns: dict[str, list[list[dict[str, Any]]]] = {
        "amount": [
            [DIGITS, MULTIPLIER, SPACE, unit_after, qian],
            [{"TEXT": {"IN": ["¥", "￥"]}}, SPACE, DIGITS, MULTIPLIER],
            [{"LOWER": {"IN": ["rmb", "cny"]}}, SPACE, DIGITS, MULTIPLIER],
            [CN_NUM, {"TEXT": {"IN": ["元", "块"]}}, qian],
        ],
        "card_last4": [
            *[
                p + [is_, SPACE, FOUR]
                for p in _either("尾号", "后四位", "后4位", "末四位", "末4位", "尾数")
            ],
            [
                {"LOWER": {"IN": ["ending", "ends", "end"]}},
                {"LOWER": {"IN": ["in", "with"]}, "OP": "?"},
                FOUR,
            ],
            [
                {"LOWER": "last"},
                {"LOWER": {"IN": ["four", "4"]}},
                {"LOWER": {"IN": ["digits", "numbers"]}, "OP": "?"},
                {"LOWER": {"IN": ["are", "is", ":", "="]}, "OP": "?"},
                FOUR,
            ],
            [{"TEXT": {"REGEX": r"^(?:\*+|[xX]+|•+)$"}, "OP": "+"}, FOUR],
        ],
        "phone": [
            [{"TEXT": {"REGEX": r"^(?:86)?1[3-9]\d{9}$"}}],
            [{"TEXT": {"REGEX": r"^1[3-9]\d$"}}, SEPARATOR, FOUR, SEPARATOR, FOUR],
        ],
        "month_number": [
            [DIGITS, {"TEXT": "月"}, {"TEXT": "份", "OP": "?"}],
            [CN_NUM, {"TEXT": "月"}, {"TEXT": "份", "OP": "?"}],
        ],
        "month_with_year": [
            [
                {"TEXT": {"REGEX": r"^\d{4}$"}},
                {"TEXT": "年"},
                DIGITS,
                {"TEXT": "月"},
                {"TEXT": "份", "OP": "?"},
            ],
            [
                {"LOWER": {"IN": list(_EN_MONTHS)}},
                {"TEXT": ",", "OP": "?"},
                {"TEXT": {"REGEX": r"^\d{4}$"}},
            ],
        ],
        "month_relative_year": [
            *[p + [DIGITS, {"TEXT": "月"}] for p in _either("去年", "今年")],
        ],
        "month_name": [
            [{"LOWER": {"IN": [m for m in _EN_MONTHS if m != "may"]}}],
            [
                {"LOWER": {"IN": ["in", "since", "during", "of", "for", "from", "last", "this"]}},
                {"LOWER": "may"},
            ],
        ],
        "month_relative": [
            *_either(
                "上个月",
                "上月",
                "上一个月",
                "前一个月",
                "本月",
                "这个月",
                "这月",
                "当月",
                "上上个月",
                "上上月",
            ),
            [
                {"LOWER": {"IN": ["last", "previous", "this", "current", "past"]}},
                {"LOWER": "month"},
            ],
            [{"LOWER": "the"}, {"LOWER": "month"}, {"LOWER": "before"}, {"LOWER": "last"}],
        ],
        "date_number": [
            [DIGITS, {"TEXT": "月"}, DIGITS, {"TEXT": {"IN": ["日", "号"]}}],
            [
                {"TEXT": {"REGEX": r"^\d{4}$"}},
                {"TEXT": "年"},
                DIGITS,
                {"TEXT": "月"},
                DIGITS,
                {"TEXT": {"IN": ["日", "号"]}},
            ],
            [
                {"LOWER": {"IN": list(_EN_MONTHS)}},
                {"TEXT": {"REGEX": r"^\d{1,2}$"}},
                {"LOWER": {"IN": ["st", "nd", "rd", "th"]}, "OP": "?"},
            ],
            [
                {"TEXT": {"REGEX": r"^\d{1,2}$"}},
                {"LOWER": {"IN": ["st", "nd", "rd", "th"]}, "OP": "?"},
                {"LOWER": "of", "OP": "?"},
                {"LOWER": {"IN": list(_EN_MONTHS)}},
            ],
            [
                {"TEXT": {"REGEX": r"^\d{4}$"}},
                {"TEXT": {"IN": ["-", "/", "."]}},
                DIGITS,
                {"TEXT": {"IN": ["-", "/", "."]}},
                DIGITS,
            ],
        ],
        "date_relative": [
            *_either("今天", "今日", "昨天", "昨日", "前天"),
            [{"LOWER": {"IN": ["today", "yesterday"]}}],
            [{"LOWER": "the"}, {"LOWER": "day"}, {"LOWER": "before"}, {"LOWER": "yesterday"}],
        ],
    }
    return patterns


_RELATIVE_MONTHS = {
    "上个月": -1,
    "上月": -1,
    "上一个月": -1,
    "前一个月": -1,
    "上上个月": -2,
    "上上月": -2,
    "本月": 0,
    "这个月": 0,
    "这月": 0,
    "当月": 0,
    "last month": -1,
    "previous month": -1,
    "past month": -1,
    "this month": 0,
    "current month": 0,
    "the month before last": -2,
}
_RELATIVE_DAYS = {
    "今天": 0,
    "今日": 0,
    "昨天": -1,
    "昨日": -1,
    "前天": -2,
    "today": 0,
    "yesterday": -1,
    "the day before yesterday": -2,
}


# --------------------------------------------------------------------------- matcher


class BankEntityMatcher:
    """The rules themselves, independent of Rasa.

    ``extract(text)`` returns entity dicts in Rasa's format (``entity``,
    ``value``, ``start``, ``end``, ``extractor``).
    """

    def __init__(self, today: Today | None = None, extractor: str = "BankEntityExtractor") -> None:
        from spacy.matcher import Matcher

        self.today: Today = today or dt.date.today
        self.extractor = extractor
        self.nlp = _blank_zh_with_script_tokens()
        self.matcher = Matcher(self.nlp.vocab)
        for label, patterns in _patterns().items():
            self.matcher.add(label, patterns)

    def extract(self, text: str) -> list[dict[str, Any]]:
        """Every entity found in ``text``, longest match first, no overlaps."""
        from spacy.util import filter_spans

        if not text or not text.strip():
            return []
        doc = self.nlp(normalise(text))
        spans = [_labelled(doc, match_id, start, end) for match_id, start, end in self.matcher(doc)]
        entities: list[dict[str, Any]] = []
        for span in sorted(filter_spans(spans), key=lambda s: s.start):
            entity = self._normalise(span)
            if entity is not None:
                entity["extractor"] = self.extractor
                entities.append(entity)
        return entities

    # --- one normaliser per label -------------------------------------------------

    def _normalise(self, span: Span) -> dict[str, Any] | None:
        label = span.label_
        handler = getattr(self, f"_{label}")
        return handler(span)

    @staticmethod
    def _entity(name: str, value: str, span: Span, sub: Span | None = None) -> dict[str, Any]:
        where = sub if sub is not None else span
        return {
            "entity": name,
            "value": value,
            "start": where.start_char,
            "end": where.end_char,
            "confidence_entity": 1.0,
        }

    def _amount(self, span: Span) -> dict[str, Any] | None:
        number: Decimal | None = None
        multiplier = 1
        for token in span:
            text = token.text
            if number is None and re.fullmatch(r"\d+(?:[.,]\d+)*", text):
                number = _decimal(text)
            elif number is not None and text == "万":  # 5万元
                multiplier = 10_000
            elif number is not None and text in ("千", "k", "K"):  # 5千块, 5k RMB
                multiplier = 1_000
        if number is None:  # Chinese numeral: 五百块, 两千元, 三万元
            chinese = "".join(t.text for t in span if t.text in CN_NUMERALS)
            parsed = chinese_number(chinese)
            if parsed is None:
                return None
            number = Decimal(parsed)
        value = number * multiplier
        if value <= 0:
            return None
        return self._entity("amount", format_amount(value), span)

    def _card_last4(self, span: Span) -> dict[str, Any] | None:
        digits = span[-1]
        return self._entity("card_last4", digits.text, span, span[-1:])

    def _phone(self, span: Span) -> dict[str, Any] | None:
        digits = "".join(t.text for t in span if t.text.isdigit())
        if len(digits) == 13 and digits.startswith("86"):
            digits = digits[2:]
        if not re.fullmatch(r"1[3-9]\d{9}", digits):
            return None
        return self._entity("phone", digits, span)

    def _month_entity(self, span: Span, year: int, month: int) -> dict[str, Any] | None:
        if not 1 <= month <= 12 or not 1900 <= year <= 2100:
            return None
        return self._entity("month", f"{year:04d}-{month:02d}", span)

    def _month_number(self, span: Span) -> dict[str, Any] | None:
        head = "".join(t.text for t in span if t.text not in ("月", "份"))
        month = int(head) if head.isdigit() else chinese_number(head)
        if month is None or not 1 <= month <= 12:
            return None
        recent = _recent(self.today(), month)
        return self._month_entity(span, recent.year, month) if recent else None

    def _month_with_year(self, span: Span) -> dict[str, Any] | None:
        if span[0].text.isdigit():  # 2024年3月
            year, month = int(span[0].text), int(span[2].text) if span[2].text.isdigit() else 0
        else:  # March 2024
            year, month = int(span[-1].text), _EN_MONTHS[span[0].lower_]
        return self._month_entity(span, year, month)

    def _month_relative_year(self, span: Span) -> dict[str, Any] | None:
        year = self.today().year - (1 if span[0].text == "去" else 0)
        digits = [t.text for t in span if t.text.isdigit()]
        return self._month_entity(span, year, int(digits[0])) if digits else None

    def _month_name(self, span: Span) -> dict[str, Any] | None:
        month = _EN_MONTHS[span[-1].lower_]
        recent = _recent(self.today(), month)
        return self._month_entity(span[-1:], recent.year, month) if recent else None

    def _month_relative(self, span: Span) -> dict[str, Any] | None:
        key = span.text.lower() if span[0].is_ascii else span.text
        key = " ".join(key.split())
        today = self.today()
        year, month = _shift_month(today.year, today.month, _RELATIVE_MONTHS[key])
        return self._month_entity(span, year, month)

    def _date_entity(self, span: Span, value: dt.date | None) -> dict[str, Any] | None:
        return self._entity("date", value.isoformat(), span) if value else None

    def _date_number(self, span: Span) -> dict[str, Any] | None:
        numbers = [int(t.text) for t in span if re.fullmatch(r"\d+", t.text)]
        names = [_EN_MONTHS[t.lower_] for t in span if t.lower_ in _EN_MONTHS]
        try:
            if names:  # March 5 / 5th of March
                return self._date_entity(span, _recent(self.today(), names[0], numbers[0]))
            if len(numbers) == 3:  # 2024年3月5日 / 2024-03-05
                return self._date_entity(span, dt.date(numbers[0], numbers[1], numbers[2]))
            return self._date_entity(span, _recent(self.today(), numbers[0], numbers[1]))
        except (ValueError, IndexError):
            return None

    def _date_relative(self, span: Span) -> dict[str, Any] | None:
        key = " ".join(span.text.lower().split())
        return self._date_entity(span, self.today() + dt.timedelta(days=_RELATIVE_DAYS[key]))


def _labelled(doc: Doc, match_id: int, start: int, end: int) -> Span:
    from spacy.tokens import Span

    return Span(doc, start, end, label=match_id)


@cache
def _blank_zh_with_script_tokens() -> Language:
    import spacy

    nlp = spacy.blank("zh")  # default char segmenter, replaced just below
    nlp.tokenizer = ScriptRunTokenizer(nlp.vocab)
    return nlp


# --------------------------------------------------------------------------- component


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class BankEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Rasa component: adds the entities of :class:`BankEntityMatcher`."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """``entities``: the entity names to emit (default: all of them)."""
        return {"entities": ["amount", "month", "date", "card_last4", "phone"]}

    @staticmethod
    def required_packages() -> list[str]:
        """SpaCy for the matcher."""
        return ["spacy"]

    def __init__(self, config: dict[str, Any], today: Today | None = None) -> None:
        """``today`` is injectable for tests (default: the real date)."""
        self._config = config
        self._wanted = set(config.get("entities") or [])
        self._matcher = BankEntityMatcher(today=today, extractor=self.__class__.__name__)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> BankEntityExtractor:
        """Creates the component (nothing to train or load)."""
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        """Adds the entities found in each message's text."""
        for message in messages:
            found = [
                e
                for e in self._matcher.extract(message.get(TEXT) or "")
                if e["entity"] in self._wanted
            ]
            if found:
                message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages
