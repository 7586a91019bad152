"""What the benchmark's customers say: every FAQ's own question, in both languages.

A question asked a third time in one conversation rightly goes to a person
(rule 12), so no conversation repeats one: a short conversation asks distinct
FAQs in one language, and the long one asks each FAQ once per language.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from faqs.files import load_faqs

GREETINGS = {"zh": "你好", "en": "hello"}
TURNS_PER_CONVERSATION = 8


@dataclass(frozen=True)
class Script:
    """Messages of one conversation, in order, and the language they are in."""

    language: str
    messages: tuple[str, ...]


def faq_questions(language: str) -> list[str]:
    """Each FAQ's canonical question in `language`, in the content's order."""
    return [faq.question[language] for faq in load_faqs() if faq.question.get(language)]


def short_scripts(count: int, seed: int = 13) -> list[Script]:
    """`count` conversations: a greeting, then distinct FAQ questions in one language."""
    rng = random.Random(seed)
    questions = {language: faq_questions(language) for language in GREETINGS}
    scripts = []
    for index in range(count):
        language = "zh" if index % 2 == 0 else "en"
        asked = rng.sample(questions[language], TURNS_PER_CONVERSATION - 1)
        scripts.append(Script(language, (GREETINGS[language], *asked)))
    return scripts


def long_script(turns: int = 64) -> Script:
    """One long conversation: every FAQ in Chinese, then every FAQ in English (cut to `turns`)."""
    messages = faq_questions("zh") + faq_questions("en")
    while len(messages) < turns:  # more turns than FAQs: greet and thank in between
        messages += ["谢谢", "thank you"]
    return Script("zh", tuple(messages[:turns]))
