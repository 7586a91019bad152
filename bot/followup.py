"""Follow-ups read against the topic just discussed ("那境外呢", "then what?").

After the bot answered a FAQ, customers go on in few words: "怎么办", "那境外
呢", "what now?", "and abroad?". On its own such a message is a miss: out of
scope, or a FAQ ranking too flat to answer, so the customer gets "please
rephrase" — and a second miss a person. ``FollowUpReader`` (in ``config.yml``
after the classifier, before ``FallbackClassifier``) reads it in context.
It sees the conversation's tracker (Rasa passes it to NLU components that ask
for it; ``/model/parse`` gives an empty one, so a lone message is never
changed) and acts only when

* the bot's previous turn answered a FAQ (the slot ``last_faq`` was set in
  it: that key is the *topic*), and
* the message would not be answered on its own: the intent is ``faq`` with no
  answer confident enough for the FAQ reply (common/faq.py), ``out_of_scope``,
  or any intent (``faq`` included) below the fallback threshold (the engine
  would say ``nlu_fallback``), or any other intent below :data:`UNSURE` that
  is not one the dialogue must honour (a request for a person, fraud,
  thanks...); an out-of-scope message must also point back
  (:func:`points_back`: "那…呢", "怎么办", "and …?", "then what?", or at most
  :data:`SHORT` words), or it is a new subject, not a follow-up; a message
  the prevention head alone made the prevention question, less sure than the
  classifier's own bar (``bot.prevention_reading.HEAD_READING``), is read too;
* or the message points back, asks about something an FAQ answers (its own
  FAQ ranking reaches :data:`ASKS`), and its intent is only a small-talk
  reading the classifier is not sure of (:data:`REREAD`, below
  :data:`REREAD_SURE`): "补一张要钱不" is no "不", "do they expire?" no greeting,
  "and to my sister in Canada?" no request for someone's details. A bare "no"
  or "hi" asks about nothing and keeps its intent.

Then every FAQ answer ``k`` is scored

    log(λ/N + (1-λ)·p(k | message)) + α·log(ε + prior(k)),
    prior = w·[k = topic] + (1-w)·p(k | previous message)

where ``p(k | ·)`` is the classifier's FAQ ranking: the message's own words,
smoothed (λ) so a message with no content ("怎么办") leans on the topic, and
the previous question's ranking, which also holds the topics next to it
("转账手续费" → the remittance FAQ for "那境外呢"). When the best answer's
share reaches ``threshold``, the message becomes that FAQ question: intent
``faq`` with that confidence, the new FAQ ranking, and ``followup`` =
``{"topic", "key", "confidence"}`` in the parse data (the escalation tracking
reads it: a follow-up on the topic just answered is not the same need asked
again). An answer the message's own words also rank first, confidently
enough for the FAQ reply, is taken below ``threshold`` too ("and if I need
more cash than that?" after the ATM limit, which the classifier was unsure
was a question at all). A customer who says it is the same thing in other
words ("就是…", "basically…") is never given the answer just given again on
the strength of the context: the message keeps its own reading (a miss: the
customer is asked what they meant) and only ``followup`` =
``{"topic", "reworded": true}``, which the escalation tracking counts as that
need asked again. Otherwise nothing changes. The parameters were
chosen on the development set's follow-ups (``python -m bankbot.dialogue_eval``).
"""

from __future__ import annotations

import logging
import math
import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.faq_reading import RETRIEVAL_INTENT, faq_ranking, set_faq
from bot.prevention_reading import HEAD_READING, SURE
from common.text import count_cjk

logger = logging.getLogger(__name__)

FOLLOWUP = "followup"
TOPIC_SLOT = "last_faq"

UNSURE = 0.5
"""Below this confidence an intent other than ``faq`` may be a follow-up misread."""

FALLBACK = 0.35
"""config.yml's FallbackClassifier threshold: an intent below it is no reading at all."""

ANSWER_THRESHOLD = 0.6
"""The FAQ reply answers a FAQ at this confidence (common/faq.py): such a
message is understood on its own and left alone."""

HONOURED: frozenset[str] = frozenset(
    {
        "greet", "goodbye", "thank", "affirm", "deny", "cancel", "bot_challenge",
        "change_language", "request_human", "complex_topic", "report_fraud",
        "choose_faq", "submit_code", "resend_code", "choose_complaint_category",
        "check_balance", "check_transactions", "check_card_status", "report_lost_card",
        "freeze_card", "third_party_info", "share_credentials", "ask_password",
    }
)  # fmt: skip
"""Intents the dialogue must act on as they are, however unsure (a person, fraud...).
``out_of_scope`` is not among them: it is what a bare follow-up looks like; nor
is ``more``, which "那周末呢" resembles: it is read in context, but a bare "还有呢"
only gives way to a *different* answer (the same one again tells nothing more).
Nor is ``complain``: an unsure one right after an answer is more often a
follow-up ("and if I've already tapped the link?") than a complaint, which
customers state plainly."""

REREAD: frozenset[str] = frozenset(
    {
        "greet", "goodbye", "affirm", "deny", "cancel", "bot_challenge", "resend_code",
        "third_party_info", "share_credentials",
    }
)  # fmt: skip
"""Honoured intents a follow-up is often mistaken for ("要钱不" for ``deny``, "do they
expire?" for ``greet``): re-read when the message asks about an FAQ. A request for
a person, a specialist topic, fraud, thanks, a language switch, a code or the
customer's own accounts stay as they are whatever the context."""

REREAD_SURE = 0.9
"""At or above this the classifier's reading of a :data:`REREAD` intent stands."""

ASKS = 0.3
"""A message whose own best FAQ answer has this share asks about something an FAQ
answers; "no", "hi" or "ok" spread their FAQ ranking thin."""

MORE = "more"

CUES = re.compile(
    r"那么|那|呢|吗|还有|其他|别的|的|呀|啊|and|what|about|else|more|then|how|so|ok|is|the|there",
    re.IGNORECASE,
)
"""Words of a bare "and what else?" (``more``): what is left besides them is content."""


FOLLOW_UP = re.compile(
    r"^\s*(那么?|那如果|如果|要是)(?![个边些里])|呢\s*[?？]?\s*$|怎么办|咋办|然后呢"
    r"|^\s*(and|so|then|what about|how about|ok so|but)\b|\bthen\b|what now"
    r"|what should i do|what do i do|\btoo\b|\balso\b|\bsame\b",
    re.IGNORECASE,
)
"""How a follow-up points back: "那…呢", "怎么办", "and …?", "then what?", "… too"."""

REWORDED = re.compile(
    r"^\s*(就是|我是说|我的意思是|意思是|换句话说"
    r"|i mean|basically|in other words|what i'?m asking)",
    re.IGNORECASE,
)
"""How a customer says the same thing again in other words ("就是…", "basically…")."""

SHORT = 8
"""Words (a Chinese character counts as one) of a message short enough to lean on
the topic without pointing back to it ("保本吗", "credit cards?")."""


def points_back(text: str) -> bool:
    """Whether the message reads as a follow-up: a pointer back, or very short."""
    words = count_cjk(text) + len(re.findall(r"[A-Za-z]+", text))
    return words <= SHORT or bool(FOLLOW_UP.search(text))


def says_more_than_more(text: str) -> bool:
    """Whether a ``more`` message names something ("那周末呢") or only asks for more ("还有呢")."""
    rest = CUES.sub(" ", text)
    return count_cjk(rest) >= 2 or bool(re.search(r"[A-Za-z]{3,}", rest))


def previous_turn(tracker: DialogueStateTracker | None) -> tuple[str | None, dict[str, Any]]:
    """The FAQ the bot's last turn answered (if any) and the customer message it answered.

    Called before the new message is logged: the tracker ends with the bot's
    answer to the previous message.
    """
    if tracker is None:
        return None, {}
    topic: str | None = None
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return topic, dict(event.parse_data or {})
        if isinstance(event, SlotSet) and event.key == TOPIC_SLOT and topic is None:
            topic = str(event.value) if event.value else None
    return None, {}


def would_miss(intent: dict[str, Any], ranking: dict[str, float]) -> bool:
    """Whether the message, read alone, would not be answered (see the module docs)."""
    name = str(intent.get("name") or "")
    confidence = float(intent.get("confidence") or 0.0)
    if name == RETRIEVAL_INTENT:  # below FALLBACK the engine would not answer it either
        return confidence < FALLBACK or max(ranking.values(), default=0.0) < ANSWER_THRESHOLD
    if name in ("out_of_scope", MORE) or not name or confidence < FALLBACK:
        return True  # below FALLBACK the engine would say nlu_fallback, whatever the name
    return confidence < UNSURE and name not in HONOURED


def misread(text: str, intent: dict[str, Any], ranking: dict[str, float]) -> bool:
    """Whether an honoured intent is a follow-up the classifier mistook (see module docs)."""
    name = str(intent.get("name") or "")
    return (
        name in REREAD
        and float(intent.get("confidence") or 0.0) < REREAD_SURE
        and max(ranking.values(), default=0.0) >= ASKS
        and points_back(text)
    )


def read_in_context(
    own: dict[str, float],
    previous: dict[str, float],
    topic: str,
    config: dict[str, Any],
) -> tuple[str, float]:
    """The best FAQ answer for the follow-up in context, and its share (0..1)."""
    alpha, smoothing = float(config["alpha"]), float(config["smoothing"])
    topic_weight, floor = float(config["topic_weight"]), float(config["floor"])
    labels = int(config["labels"])
    spread = sum(previous.values()) or 1.0
    scores: dict[str, float] = {}
    for key in set(own) | set(previous) | {topic}:
        prior = topic_weight * (key == topic) + (1 - topic_weight) * previous.get(key, 0) / spread
        mine = smoothing / labels + (1 - smoothing) * own.get(key, 0.0)
        scores[key] = math.log(mine) + alpha * math.log(floor + prior)
    best = max(scores, key=lambda k: scores[k])
    top = scores[best]
    return best, 1.0 / sum(math.exp(s - top) for s in scores.values())


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class FollowUpReader(GraphComponent):
    """Reads a short follow-up against the FAQ just answered (see module docs)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Chosen on the development set's follow-ups (tests/judgement/sets/dev)."""
        return {
            # weight of the context against the message's own words
            "alpha": 1.0,
            # share of the message's own ranking spread evenly over `labels`
            "smoothing": 0.5,
            "labels": 40,
            # prior: the topic itself vs the previous question's whole ranking
            "topic_weight": 0.5,
            "floor": 0.01,
            # the answer chosen in context must have at least this share (at
            # least the FAQ reply's threshold, so that it is answered)
            "threshold": 0.6,
            # how many FAQ answers the new ranking keeps
            "ranking_length": 10,
        }

    def __init__(self, config: dict[str, Any]) -> None:
        """Keeps the configuration (defaults filled in)."""
        self.config = {**self.get_default_config(), **config}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> FollowUpReader:
        """Nothing to train or load."""
        return cls(config)

    def process(
        self, messages: list[Message], tracker: DialogueStateTracker | None = None
    ) -> list[Message]:
        """Re-reads each message that would miss, when the bot just answered a FAQ."""
        topic, previous = previous_turn(tracker)
        if topic is None:
            return messages
        for message in messages:
            try:
                self._read(message, topic, previous)
            except Exception:  # noqa: BLE001 - context is a help, never a reason to fail a turn
                logger.exception(f"{type(self).__name__}: could not read a follow-up.")
        return messages

    def _read(self, message: Message, topic: str, previous: dict[str, Any]) -> None:
        text = str(message.get(TEXT) or "")
        intent = message.get(INTENT) or {}
        own = faq_ranking(message.as_dict())
        if not text.strip() or text.lstrip().startswith("/"):
            return
        unsure_head = float(message.get(HEAD_READING) or 1.0) < SURE
        if not would_miss(intent, own) and not misread(text, intent, own) and not unsure_head:
            return
        if intent.get("name") == "out_of_scope" and not points_back(text):
            return  # a new subject the bot cannot help with ("那个黄色的东西是什么")
        key, share = read_in_context(own, faq_ranking(previous), topic, self.config)
        bare_more = intent.get("name") == MORE and not says_more_than_more(text)
        agrees = own.get(key, 0.0) >= ANSWER_THRESHOLD  # the message's own first answer
        unsure = share < float(self.config["threshold"]) and not agrees
        if unsure or (bare_more and key == topic):
            return
        if key == topic and REWORDED.search(text):
            # "就是…": the answer just given was not it, so not a second time; the
            # need is still the same one asked again (common/escalation.py counts it)
            message.set(FOLLOWUP, {"topic": topic, "reworded": True}, add_to_output=True)
            return
        self._set_faq(message, key, max(share, own.get(key, 0.0)), topic)

    def _set_faq(self, message: Message, key: str, share: float, topic: str) -> None:
        """The message becomes the FAQ question ``key``, read as a follow-up on ``topic``."""
        set_faq(message, key, share, int(self.config["ranking_length"]))
        reading = {"topic": topic, "key": key, "confidence": round(share, 4)}
        message.set(FOLLOWUP, reading, add_to_output=True)
