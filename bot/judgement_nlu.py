"""The assistant's own NLU examples as extra labelled messages for the judgement detectors.

Most of what customers send is a plain question ("what are your opening
hours", "怎么挂失"). The labelled sets in ``data/judgement/`` are mostly
hard cases, so on their own they leave the detectors unsure about the plain
ones. The NLU training data already holds thousands of them: the examples of
intents that are calm by nature (every FAQ, greetings, balance and card
questions, ...) become ``calm`` (upset detector) and ``other`` (fraud
detector); the fraud-prevention FAQ's become ``prevention`` and
``report_fraud``'s become ``victim`` (both as the guidelines define them).
Intents that may carry feelings (``deny``, ``request_human``, ``complain``)
are left out. Their kind is ``nlu:<intent>``, so the figures can leave them
out of the cross-validated rates, which are about the hard cases, and they
count a tenth of a labelled example (``nlu_weight``): measured on the
development set, at full weight they taught the model that plain wording is
calm so well that angry messages without strong words were missed.
"""

from __future__ import annotations

from collections.abc import Iterable

from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.judgement_data import FRAUD, UPSET, Example
from common.text import CJK_RE

NLU_KIND = "nlu:"


def _matches(intent: str, names: Iterable[str]) -> bool:
    """``faq`` matches every ``faq/<key>``; a full name matches itself."""
    return any(intent == n or intent.split("/", 1)[0] == n for n in names)


def nlu_examples(
    training_data: TrainingData,
    calm: Iterable[str],
    prevention: Iterable[str],
    victim: Iterable[str],
    weight: float = 1.0,
) -> dict[str, list[Example]]:
    """Extra examples per detector from the NLU training data, counting ``weight`` each."""
    calm, prevention, victim = list(calm), list(prevention), list(victim)
    out: dict[str, list[Example]] = {UPSET: [], FRAUD: []}
    for message in training_data.intent_examples:
        text = message.get(TEXT)
        intent = str(message.get(INTENT_RESPONSE_KEY) or message.get(INTENT) or "")
        if not text or not intent:
            continue
        language = "zh" if CJK_RE.search(text) else "en"
        kind = NLU_KIND + intent
        if _matches(intent, calm) and not _matches(intent, victim):
            out[UPSET].append(Example(text, language, "calm", kind, UPSET, weight))
        if _matches(intent, prevention):
            out[FRAUD].append(Example(text, language, "prevention", kind, FRAUD, weight))
        elif _matches(intent, victim):
            out[FRAUD].append(Example(text, language, "victim", kind, FRAUD, weight))
        elif _matches(intent, calm):
            out[FRAUD].append(Example(text, language, "other", kind, FRAUD, weight))
    return out
