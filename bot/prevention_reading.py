"""A ``report_fraud`` reading the fraud detector contradicts is a prevention question.

The classifier's ``report_fraud`` and the prevention FAQ are near twins, and
who is a victim is the learned fraud-victim detector's call
(``common.escalation.victim_signal``). A message the classifier ranked
``report_fraud`` but the detector read and did not flag still met the rules'
``report_fraud`` → fraud warning and urgent handoff: on the development set
that sent 8 of 72 (zh) and 9 of 70 (en) prevention questions to a person,
and, inside the complaint form, short answers ("forced add-on") got the
warning instead of being taken as the answer. With this reading, 2 of 72
and 6 of 70, and no victim lost (every victim the intent alone would have
caught, the detector flagged too).

So, after ``JudgementDetector`` in ``config.yml``, such a message becomes the
prevention FAQ question, at the confidence the classifier gave fraud either
way round (``report_fraud`` plus the prevention answer's share of ``faq``).
Left alone: a flagged message, a button payload (``/report_fraud``), and a
message the detector did not read (it fell back to the rules, whose flag is
that intent).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.faq_reading import set_faq
from bot.judgement import FRAUD_VICTIM, JUDGEMENT
from common.escalation import FRAUD_FAQ, fraud_context

logger = logging.getLogger(__name__)

REPORT_FRAUD = "report_fraud"


def contradicted(parse: dict[str, Any]) -> bool:
    """The classifier says ``report_fraud``; the detector read the words and says no victim."""
    if (parse.get(INTENT) or {}).get("name") != REPORT_FRAUD:
        return False
    if str(parse.get(TEXT) or "").lstrip().startswith("/"):
        return False
    victim = (parse.get(JUDGEMENT) or {}).get(FRAUD_VICTIM) or {}
    return victim.get("source") == "model" and not victim.get("flag")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class PreventionReading(GraphComponent):
    """Turns a contradicted ``report_fraud`` into the prevention question (module docs)."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PreventionReading:
        """Nothing to train or load."""
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        """Re-reads each contradicted message; any failure leaves it as it was."""
        for message in messages:
            try:
                parse = message.as_dict()
                if contradicted(parse):
                    set_faq(message, FRAUD_FAQ, min(1.0, fraud_context(parse)))
            except Exception:  # noqa: BLE001 - a second reading must never fail a turn
                logger.exception(f"{type(self).__name__}: could not re-read a message.")
        return messages
