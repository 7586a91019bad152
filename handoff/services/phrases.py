"""The gateway's own words, in the banks' standard phrasings (SERVICE-RULES.md).

Only what the gateway must say without the engine lives here; everything the
assistant says is in the Rasa domain.
"""

from __future__ import annotations

from typing import Any

_PHRASES: dict[str, dict[str, str]] = {
    "greeting": {
        "zh": "您好，海港银行智能客服为您服务，请问有什么可以帮您？",
        "en": "Hello, this is Harbour Bank's virtual assistant. How can I help you?",
    },
    "system_failure": {
        "zh": "非常抱歉，系统正在升级，请您稍后再试，或致电{hotline}。"
        "您也可以转人工客服，我们会尽快为您处理。",
        "en": "We're very sorry, the system is being upgraded; please try again shortly "
        "or call {hotline}. You can also talk to one of our agents and we'll handle it "
        "as quickly as we can.",
    },
    "button_human": {"zh": "转人工客服", "en": "Talk to an agent"},
    "queued": {
        "zh": "已为您转接人工客服，您前面还有{ahead}位客户，预计等待约{minutes}分钟。"
        "请稍候，我们不会忘记您。",
        "en": "I've passed you to a human agent. There are {ahead} customers ahead of you; "
        "the estimated wait is about {minutes} min. Please stay here, we haven't forgotten you.",
    },
    "queued_next": {
        "zh": "已为您转接人工客服，下一位就是您，预计等待约{minutes}分钟。请稍候，我们不会忘记您。",
        "en": "I've passed you to a human agent. You are next in line; the estimated wait is "
        "about {minutes} min. Please stay here, we haven't forgotten you.",
    },
    "still_queued_next": {
        "zh": "您的消息已收到，下一位就为您服务，请稍候。",
        "en": "Your message has been received. You are next in line; "
        "an agent will be with you shortly.",
    },
    "still_queued": {
        "zh": "您的消息已收到，正在为您转接人工客服，您前面还有{ahead}位客户。",
        "en": "Your message has been received. An agent will be with you shortly; "
        "{ahead} customers are ahead of you.",
    },
    "closed": {
        "zh": "本次会话已结束，感谢您的咨询，再见！",
        "en": "This conversation has ended. Thank you for contacting us, goodbye!",
    },
}

BILINGUAL_SEPARATOR = "\n"


def phrase(key: str, language: str | None, **values: Any) -> str:
    """The phrase in `language`; both languages when the language is not known yet."""
    variants = _PHRASES[key]
    if language in variants:
        return variants[language].format(**values)
    return BILINGUAL_SEPARATOR.join(variants[lang].format(**values) for lang in ("zh", "en"))
