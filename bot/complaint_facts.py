"""When and where a complaint happened, read from what the customer wrote.

Service rule 19 logs every complaint with its time; the complaint dialogue
asks "when and where did it happen?" only when the customer has not said it
(actions/complaints.py). This module finds those phrases in Chinese, English
and mixed text, so "昨天下午三点左右在人民路支行" or "yesterday around 3pm at
your Binjiang branch" is not asked again.

It is a small grammar, not a list of examples: a *time* is any combination of
a relative day or week ("前天", "上周六", "last Saturday", "the evening before
last"), a date or month ("3月5号", "本月10号", "the 12th", "5 March", "last
November"), a span back from now ("半个月前", "最近一个月", "two days ago",
"for about a month now"), a part of the day ("下午", "at lunchtime") and a
clock time ("三点左右", "9点半", "8:50", "around 8pm"); a *place* is a name in
front of a kind of place ("人民路支行", "东门营业部", "the Jiefang Road branch",
"Wanda Plaza"), a place in the bank ("柜台", "3号窗口", "the counter", "the
lobby", an ATM) or a channel ("手机银行", "95-000", "公众号", "the app", "the
hotline", "online chat", an SMS). Adjacent pieces join into one phrase
("昨天" + "下午" + "三点左右"). Text is normalised first (full-width forms,
traditional characters), offsets unchanged, so phrases are returned as typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.normalise import normalise

_NUM = r"[0-9零〇一二两三四五六七八九十百半几]+"
_WEEKDAY_ZH = r"(?:周|週|星期|礼拜)[一二三四五六日天1-7]"

_TIME_ZH = [
    r"大前天|前天|昨天|昨日|今天|今日|当天|那天|这两天|前两天|前几天|今早|今晨|昨晚|昨夜|前晚|刚才|刚刚",
    rf"(?:上上|上个|上|本|这个|这|下)?{_WEEKDAY_ZH}",
    r"(?:上上|上个|上|本|这个|这)(?:周|週|星期|礼拜)",
    rf"(?:去年|今年|前年|\d{{4}}年)?{_NUM}月(?:份)?(?:初|中旬|中|底|末|上旬|下旬)?(?:{_NUM}[号日])?",
    rf"(?:上个|上|本|这个|这)月(?:初|中旬|中|底|末)?(?:{_NUM}[号日])?",
    rf"{_NUM}[号日](?:那天|当天)?",
    r"去年|前年|年初|年底",
    rf"(?:最近|近|过去|这)(?:{_NUM})?个?(?:天|周|星期|礼拜|月|年)",
    rf"{_NUM}个?(?:多)?(?:天|周|星期|礼拜|月|年|小时|分钟)(?:多)?(?:前|以前|之前)",
    r"最近|近来|近期",
    r"凌晨|早上|早晨|上午|中午|午饭时|下午|傍晚|晚上|夜里|半夜|白天",
    rf"{_NUM}(?:点|點|时)(?:半|钟|{_NUM}分?|多)?(?:左右|前后|多)?",
    r"\d{1,2}:\d{2}(?:左右)?",
]

_MONTH_EN = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DAY_EN = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_COUNT_EN = r"(?:a|an|one|two|three|four|five|six|few|couple of|several|\d+)"
_TIME_EN = [
    r"today|yesterday|tonight|this (?:morning|afternoon|evening|week|month|year)",
    rf"last (?:night|week|month|year|{_DAY_EN}|{_MONTH_EN})",
    r"the (?:day|morning|afternoon|evening|night) before (?:yesterday|last)",
    rf"(?:on )?{_DAY_EN}s?",
    r"(?:early|late|mid)[- ]?(?:this |last |next )?(?:month|week|year)",
    rf"(?:the )?\d{{1,2}}(?:st|nd|rd|th)(?: of (?:this|last) month| of {_MONTH_EN})?",
    rf"\d{{1,2}} {_MONTH_EN}|{_MONTH_EN} \d{{1,2}}(?:st|nd|rd|th)?",
    rf"{_MONTH_EN} (?:last|this) year|(?:last|this) {_MONTH_EN}",
    rf"{_COUNT_EN} (?:days?|weeks?|months?|years?) ago",
    rf"(?:for )?(?:about |around |over |nearly )?{_COUNT_EN} (?:days?|weeks?|months?) now",
    r"(?:earlier|later) (?:today|this week)|recently|the other day",
    r"(?:in the )?(?:morning|afternoon|evening)|at (?:lunchtime|noon|midnight|night)|lunchtime",
    r"(?:at |around |about |just after |before |after |~)?\d{1,2}(?::\d{2})? ?(?:am|pm)\b",
    r"(?:at |around |about |just after |~)\d{1,2}(?::\d{2})?\b(?! ?(?:yuan|rmb|cny|%|minutes))",
    r"\d{1,2}:\d{2}",
]

_PLACE_KIND_ZH = (
    r"(?:支行|分行|总行|网点|营业部|营业厅|营业所|分理处|储蓄所|理财室|柜台|柜面|窗口|大堂|"
    r"自助银行|自助机|取款机|存款机|柜员机|ATM|atm|摊位|广场|商场|火车站|地铁站|门口)"
)
_NAME_ZH = (
    r"[^\s，。,.、；;！!？?：:“”\"'（）()"
    r"在到去从于的了我你们他她是跟把被给说让才就都也还又很不没有个那这台]"
)
"""A character of a place's name: not punctuation, nor a word that usually precedes one."""
_PLACE_ZH = [
    rf"{_NAME_ZH}{{1,8}}?{_PLACE_KIND_ZH}",
    r"柜台|柜面|大堂(?!经理)|ATM|atm|自助银行|取款机|网点|支行|分行|营业厅|营业部",
    rf"{_NUM}号(?:窗口|柜台)",
    r"手机银行|网上银行|网银|(?<![A-Za-z])[Aa][Pp][Pp](?![A-Za-z])|客服热线|热线|95-?000|在线客服|人工客服|公众号|微信|小程序|官网|"
    r"短信|电话|信用卡中心",
]
_PLACE_KIND_EN = r"(?i:sub-branch|branch|office|outlet|plaza|mall|station|centre|center)"
_PLACE_EN = [
    rf"(?:[A-Z][\w'-]*\s){{1,3}}{_PLACE_KIND_EN}\b",
    rf"\b(?:the|your|this|that|a|our|my) (?:local |nearest |main )?{_PLACE_KIND_EN}\b",
    r"\b(?:counter|lobby|window \d+|atm|cash machine|reception)\b",
    r"\b(?:your |the |mobile |banking )*app\b|online banking|internet banking|mobile banking|"
    r"(?:the |your )?hotline|95-?000|online chat|live chat|wechat|website|"
    r"\bsms\b|text message|(?:on |by )?(?:the )?phone\b|(?:my )?mobile\b|e-?mail",
]

_TIME_RE = re.compile("|".join(f"(?:{p})" for p in _TIME_ZH + _TIME_EN), re.IGNORECASE)
_PLACE_RE = re.compile("|".join(f"(?:{p})" for p in _PLACE_ZH + _PLACE_EN))
_PLACE_RE_I = re.compile("|".join(f"(?:{p})" for p in _PLACE_EN[1:]), re.IGNORECASE)
_TIME_JOINERS = frozenset(" 的,、左右~-")
"""Characters that may sit between two pieces of one time phrase ("昨天 下午")."""
_PLACE_JOINERS = frozenset(" 的")
"""... and of one place ("星海支行的ATM")."""


@dataclass(frozen=True)
class Facts:
    """The time and place phrases of one text, as the customer typed them."""

    when: list[str] = field(default_factory=list)
    where: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[str]]:
        """The parse-data shape (``when``, ``where``)."""
        return {"when": list(self.when), "where": list(self.where)}


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in pattern.finditer(text) if m.end() > m.start()]


def _merge(
    spans: list[tuple[int, int]], text: str, gap: int, joiners: frozenset[str]
) -> list[tuple[int, int]]:
    """Overlapping spans, and spans only ``gap`` joiner characters apart, become one."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged:
            last_start, last_end = merged[-1]
            between = text[last_end:start]
            if start <= last_end or (len(between) <= gap and set(between) <= joiners):
                merged[-1] = (last_start, max(end, last_end))
                continue
        merged.append((start, end))
    return merged


def _phrases(text: str, spans: list[tuple[int, int]]) -> list[str]:
    out: list[str] = []
    for start, end in spans:
        phrase = text[start:end].strip(" ,、~-")
        if phrase and phrase.lower() not in (p.lower() for p in out):
            out.append(phrase)
    return out


def read_facts(text: str) -> Facts:
    """The time and place phrases in ``text`` (empty lists when none)."""
    if not text or text.lstrip().startswith("/"):
        return Facts()
    plain = normalise(text)
    when = _merge(_spans(_TIME_RE, plain), plain, 2, _TIME_JOINERS)
    where = _merge(_spans(_PLACE_RE, plain) + _spans(_PLACE_RE_I, plain), plain, 1, _PLACE_JOINERS)
    return Facts(_phrases(text, when), _phrases(text, where))
