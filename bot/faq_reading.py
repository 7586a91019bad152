"""Making a message read as one FAQ question (or as none), for the components that re-read messages.

The follow-up reader (a short follow-up read against the topic just answered)
and the prevention reading (a ``report_fraud`` the fraud detector contradicts)
both turn a message into the FAQ question ``key``: intent ``faq`` at the
given confidence, the other intents scaled into what is left, and the
response selector's ranking headed by ``key``, exactly as the classifier
would have put it, so the rules, the FAQ turn (``common.faq``) and the escalation
tracking see an ordinary FAQ question.
"""

from __future__ import annotations

from typing import Any

from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

from common.parse import faq_ranking as parse_ranking

RESPONSE_SELECTOR = "response_selector"
RETRIEVAL_INTENT = "faq"


def faq_ranking(parse: dict[str, Any]) -> dict[str, float]:
    """``{faq key: confidence}``: the response selector's ranking as a mapping."""
    return {c.key: c.confidence for c in parse_ranking(parse)}


def set_faq(message: Message, key: str, share: float, ranking_length: int = 10) -> None:
    """The message becomes the FAQ question ``key``, with confidence ``share``."""
    label = f"{RETRIEVAL_INTENT}/{key}"
    others = [i for i in message.get(INTENT_RANKING_KEY) or [] if i.get("name") != "faq"]
    rest = sum(float(i.get("confidence") or 0.0) for i in others) or 1.0
    ranking = [{"name": RETRIEVAL_INTENT, "confidence": share}] + [
        {**i, "confidence": float(i.get("confidence") or 0.0) * (1 - share) / rest} for i in others
    ]
    intent = {"name": RETRIEVAL_INTENT, "confidence": share, "full_retrieval_intent_name": label}
    message.set(INTENT, intent, add_to_output=True)
    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
    own = faq_ranking(message.as_dict())
    own.pop(key, None)
    rest_share = sum(own.values()) or 1.0
    answers = [(key, share)] + sorted(
        ((k, c * (1 - share) / rest_share) for k, c in own.items()), key=lambda kv: -kv[1]
    )
    _set_answers(message, answers[:ranking_length])


FALLBACK_INTENT = "nlu_fallback"


def withdraw_faq(message: Message, key: str) -> None:
    """The classifier's answer ``key`` is withdrawn: the message reads as not understood.

    The intent becomes ``nlu_fallback`` at the confidence ``faq`` had, so the
    FAQ turn asks "did you mean…" or "please rephrase" and never answers. The
    other answers keep their own confidences (not scaled up into the share
    ``key`` held): only those the classifier itself found plausible are
    offered, and a message it read as nothing else gets "please rephrase".
    """
    intent = message.get(INTENT) or {}
    confidence = float(intent.get("confidence") or 0.0)
    own = faq_ranking(message.as_dict())
    own.pop(key, None)
    answers = sorted(own.items(), key=lambda kv: -kv[1])
    message.set(
        INTENT, {INTENT_NAME_KEY: FALLBACK_INTENT, "confidence": confidence}, add_to_output=True
    )
    _set_answers(message, answers)


def _set_answers(message: Message, answers: list[tuple[str, float]]) -> None:
    """The FAQ ranking (best first) and top answer, as the classifier sets them."""
    faq: dict[str, Any] = {
        "ranking": [
            {"intent_response_key": f"{RETRIEVAL_INTENT}/{k}", "confidence": c} for k, c in answers
        ]
    }
    if answers:
        label = f"{RETRIEVAL_INTENT}/{answers[0][0]}"
        utter = f"utter_{label}"
        faq["response"] = {
            "responses": [],
            "confidence": answers[0][1],
            "intent_response_key": label,
            "utter_action": utter,
            "template_name": utter,
        }
    selector = {"all_retrieval_intents": [RETRIEVAL_INTENT], RETRIEVAL_INTENT: faq}
    message.set(RESPONSE_SELECTOR, selector, add_to_output=True)
