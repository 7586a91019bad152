"""The whole conversation counts: frustration that rises, a bot that misunderstands.

One message may be calm enough for the upset detector and still be the third
sharp one in a row; a customer may be misunderstood twice without the two
misses being next to each other. The engine (``bot/escalation.py``, through
:func:`common.escalation.track`) keeps the last :data:`WINDOW` customer
messages in the slot ``recent_turns`` (what each said about the customer: how
upset, relative to the detector's threshold, and whether the bot would not
understand it) and asks :func:`due_from_history` what they add up to:

* **rising frustration** (``emotion``): the latest message reaches
  :data:`SOFT_UPSET` of the upset threshold and another one of the window
  :data:`EARLIER_UPSET` of it. Chosen on the conversations of the sets dev,
  test, test2 and test3: in their calm conversations at most one message per
  conversation passes 0.13 of the threshold; a mildly annoyed "有点烦了"
  scores about a quarter of it, and the sharper complaint after it over half.
  Messages that only steer the dialogue ("never mind") do not count;
* **misunderstood twice** (``low_confidence``): the bot would not understand
  the latest message (out of scope, an unsure FAQ, no intent confident
  enough) and did not understand another one of the window either.

The window starts afresh after a handoff and in a new session, like the need
counts. The single-message rules (an upset or fraud flag, the third asking of
a need) come first; this only adds what a single message cannot show.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from common.parse import RETRIEVAL_INTENT, answered_faq
from common.text import has_words, word_count

WINDOW = 3
"""How many customer messages the conversation-level rules look back over."""

SOFT_UPSET = 0.5
"""The latest message at this share of the upset threshold may complete a rise."""

EARLIER_UPSET = 0.2
"""An earlier message of the window at this share of the threshold starts the rise."""

STEERING = frozenset(
    {"greet", "goodbye", "thank", "affirm", "deny", "cancel", "more", "change_language"}
)
"""Intents of messages that steer the dialogue ("yes", "never mind", "算了", "please
answer in English": the widget's language toggle sends that one)."""

UPSET_DOUBTED_INTENTS = frozenset({"greet", "goodbye", "affirm", "request_human"})
"""Intents whose upset reading is doubtful when the classifier is sure of them
(at least :data:`DOUBTED_INTENT_SURE`) and the score is under
:data:`DOUBTED_UPSET_SURE`: such a message is neither upset on its own nor
the start of a rise. A friendly hello that wished the bank a good day was
read as upset at 0.65 (sarcastic wishes of a nice day are how angry
customers often sign off) and sent to a person. A plain request for a person
("我要转人工", read as upset at 0.63 once test21-22 were training data) is
handed over as asked, not for the customer's mood. Thanks are not among them:
"thanks for nothing" is an upset customer's thanks."""
DOUBTED_INTENT_SURE = 0.9
DOUBTED_UPSET_SURE = 0.8

CUE_INTENTS = frozenset({"complain"})
"""Intents whose bare cue, at most :data:`CUE_WORDS` words, is doubtful as upset in the
same way: "我要投诉" alone scored 0.59-0.62 against a threshold of 0.62 across
models trained on the same data, so whether a customer who only asked to complain
got the complaint form or, after it, a person turned on the third decimal.
On the seen labelled sets no upset message is a sure complaint that short
with a score under :data:`DOUBTED_UPSET_SURE`; "服务太烂了 我要投诉" is longer and
stays upset."""
CUE_WORDS = 6

MISSED = frozenset({"out_of_scope", "nlu_fallback"})
"""Intents that mean the bot did not understand the message."""

FALLBACK_CONFIDENCE = 0.35
"""config.yml's FallbackClassifier threshold: below it the engine says ``nlu_fallback``."""


def upset_share(message: Mapping[str, Any]) -> float:
    """The upset score as a share of its threshold (0 without a judgement)."""
    upset = (message.get("judgement") or {}).get("upset") or {}
    threshold = float(upset.get("threshold") or 0.0)
    if threshold <= 0:
        return 0.0
    return round(float(upset.get("score") or 0.0) / threshold, 3)


def misunderstood(message: Mapping[str, Any], known: Collection[str]) -> bool:
    """Whether the bot will not understand the message; ``known``: the model's FAQ keys."""
    if not has_words(str(message.get("text") or "")):
        return False  # "please say that again" to an emoji is no misunderstanding
    intent = message.get("intent") or {}
    name = str(intent.get("name") or "")
    if name in MISSED or float(intent.get("confidence") or 0.0) < FALLBACK_CONFIDENCE:
        return True
    if name == RETRIEVAL_INTENT:
        return answered_faq(message, known) is None
    return False


def doubtful_upset(message: Mapping[str, Any]) -> bool:
    """An upset reading not to be believed (:data:`UPSET_DOUBTED_INTENTS`, :data:`CUE_INTENTS`)."""
    intent = message.get("intent") or {}
    name = intent.get("name")
    cue = name in CUE_INTENTS and word_count(str(message.get("text") or "")) <= CUE_WORDS
    if name not in UPSET_DOUBTED_INTENTS and not cue:
        return False
    if float(intent.get("confidence") or 0.0) < DOUBTED_INTENT_SURE:
        return False
    upset = (message.get("judgement") or {}).get("upset") or {}
    return upset.get("source") == "model" and float(upset.get("score") or 0.0) < (
        DOUBTED_UPSET_SURE
    )


def reading(message: Mapping[str, Any], known: Collection[str]) -> dict[str, Any]:
    """What one message adds to the history: ``{"upset": share, "miss": bool}``.

    A message that only steers the dialogue (:data:`STEERING`) adds no upset
    share: its few words say little about the customer's mood, and the
    detector's score on them is noise ("never mind" at a quarter of the
    threshold, "not now" at over half). Flagged, it is upset all the same:
    that is the single-message rule, unless the flag is a doubtful one on a
    greeting, a yes or a plain request for a person (:func:`doubtful_upset`).
    """
    share = upset_share(message)
    name = str((message.get("intent") or {}).get("name") or "")
    if (name in STEERING and share < 1.0) or doubtful_upset(message):
        share = 0.0
    return {"upset": share, "miss": misunderstood(message, known)}


def due_from_history(history: Sequence[Mapping[str, Any]]) -> str | None:
    """``emotion``, ``low_confidence`` or ``None`` for a window ending with the latest."""
    if not history:
        return None
    latest, earlier = history[-1], history[:-1]
    if float(latest.get("upset") or 0) >= SOFT_UPSET and any(
        float(h.get("upset") or 0) >= EARLIER_UPSET for h in earlier
    ):
        return "emotion"
    if latest.get("miss") and any(h.get("miss") for h in earlier):
        return "low_confidence"
    return None
