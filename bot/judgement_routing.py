"""Where the engine sends a labelled message: the detectors' figures as a customer meets them.

A detector's flag is not yet a handoff. What the customer gets is decided
by the escalation tracking (``common.escalation.track``: doubtful flags,
complaints, despair) and the rules (``report_fraud``, ``request_human``,
``complain``). Each message of a labelled set is routed here as the first
message of a conversation, through the same functions the engine runs, so
that ``make eval`` also prints what issue 11's targets are about: upset
customers queued for a person, victims queued urgently, prevention questions
left to the FAQ, calm customers left with the bot.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from bot.judgement_figures import Outcome
from common.escalation import CALM_FRAUD_REPORT, felt, track
from common.parse import faq_ranking, intent_name

URGENT = "urgent"
PERSON = "person"
COMPLAINT_THEN_PERSON = "complaint_then_person"
COMPLAINT = "complaint"
ASKED_FOR = "asked_for_person"
BOT = "bot"

FOR_FEELINGS = frozenset({URGENT, PERSON, COMPLAINT_THEN_PERSON})
"""Routes the judgement chose that end with a person, at high or urgent priority
(an angry complaint is registered first). A request for a person or a
specialist topic reaches one too, but by the rules, at normal priority."""

HANDOFF_INTENTS = frozenset({"request_human", "complex_topic"})


def route(parse: Mapping[str, Any], known: Collection[str]) -> str:
    """Where this message, the first of a conversation, is sent."""
    due = dict(track(parse, {}, [], None, known)).get("escalation")
    if due == "fraud_risk":
        return URGENT
    if due:
        return PERSON
    intent = intent_name(parse)
    if intent == "report_fraud":  # the rule: the detector did not read the words
        return URGENT
    if intent in HANDOFF_INTENTS:
        return ASKED_FOR
    if intent == "complain":
        return COMPLAINT_THEN_PERSON if felt(parse) else COMPLAINT
    return BOT


def known_faqs(parses: Sequence[Mapping[str, Any]]) -> set[str]:
    """The FAQ keys the model ranks (the live model's answers)."""
    return {c.key for parse in parses for c in faq_ranking(parse)}


def routed_outcomes(
    examples: Sequence[Any], parses: Sequence[Mapping[str, Any]], name: str
) -> list[Outcome]:
    """Outcomes whose flag is the route the detector's question is about.

    ``upset``: sent to a person for their feelings (:data:`FOR_FEELINGS`), except
    a calm fraud report sent urgently: that is the fraud rule, right for a
    victim, and no flag on the customer's mood;
    ``fraud_victim``: sent to a person urgently, with the warning.
    """
    known = known_faqs(parses)
    out = []
    for example, parse in zip(examples, parses, strict=True):
        where = route(parse, known)
        if name == "fraud_victim":
            flag = where == URGENT
        else:
            calm_victim = example.kind == CALM_FRAUD_REPORT and where == URGENT
            flag = where in FOR_FEELINGS and not calm_victim
        verdict = (parse.get("judgement") or {}).get(name) or {}
        out.append(Outcome(example, float(verdict.get("score") or 0.0), flag, verdict.get("kind")))
    return out
