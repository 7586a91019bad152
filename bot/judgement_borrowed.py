"""Messages labelled for one detector that also teach the other one.

The fraud sets hold victims, prevention questions and a thin ``other``: lost
cards, own mistakes, known purchases. Measured on the development set, the
detector took calm grievances told with a date, a place and an amount ("今天
早上8点50到青年路网点，门口写9点开门，结果9点半才开", "last Thursday I applied
for a limit increase, it's been a week") for victims' stories, and sent those
customers the fraud warning and an urgent handoff. The repository already
holds hundreds of such messages, labelled by people for other models:

* the complaint stories of ``data/complaints/categories.yml`` (the complaint
  reader's data), except the ``information_security`` ones, which may tell of
  a changed phone number or a login the customer did not make (a victim, by
  the guidelines);
* the calm messages of the upset sets whose kind is an everyday problem or
  question (:data:`CALM_KINDS`): a failed transfer, a fee, a locked card,
  mild dissatisfaction, a calm order in strong words ("kill the standing
  order", "freeze everything while I travel"). Not ``relief_thanks`` (often
  after a scare), nor ``wrong_charge`` (a charge the customer does not
  recognise is a victim's, by the guidelines) or ``product_question`` (it
  holds questions about staying safe). The kinds are the first writers'
  names and those of ``docs/judgement/writers-format.md``. With the latter left out, the fraud
  detector never saw a calm app error and flagged "iPad上的APP显示不全，字都
  挤在一起" at 0.46 once test23-28 were training data; with them, 0.04, and on
  the seen sets test29-33 (in-process, as the engine routes each message)
  calm customers sent to a person 16 -> 17 (zh) and 12 -> 9 (en) of about
  630, prevention questions queued urgently 4 -> 6 and 7 -> 6 of about 410,
  victims unchanged. Tried before with nineteen writers' data and not kept
  (a seen set's floor, since become training data, fell by a message).
  ``strong_words`` was left out at first, for fear that "block my card now"
  might be a victim's; none of its 730 training messages tells of anything
  that left the customer's control, and the detector flagged such orders as
  victims' at 0.2-0.8 ("Terminate the direct debit to the old phone company",
  "把我的理财全部赎回，一分不留"). Borrowed, on test29-35 (in-process, as the
  engine routes each message) calm customers sent to a person went 17 -> 16
  (zh) and 17 -> 11 (en) of about 890, victims queued urgently 965 -> 966 and
  964 -> 964 of about 975, prevention questions queued urgently 11 -> 12 and
  10 -> 11 of about 580.

Both become fraud ``other`` examples of kind ``borrowed:<origin>``, counting
:data:`WEIGHT` of a labelled fraud example each (the component's
``borrowed_weight``, left at this default in ``config.yml``), so they teach the
boundary without drowning the fraud sets; like the NLU snapshot they are left
out of the cross-validated rates, which are about the fraud sets themselves.

The other way round, the upset detector took matter-of-fact accounts of a
scam attempt the customer turned down ("a 'prosecutor' called my mum, she
hung up, should she report it?") for distress, and sent customers who only
asked the prevention question to a person. The fraud sets' ``prevention``
messages (a scam refused, a contact to check, how to stay safe) become upset
``calm`` examples of kind ``borrowed:prevention``, at the same weight. The
guidelines make a message upset whatever else it holds, so one written in
fear stays upset: the few prevention messages that say they are afraid
(:data:`FEELING_WORDS`) are not borrowed.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.judgement_data import FRAUD, UPSET, Example
from common.text import CJK_RE

BORROWED_KIND = "borrowed:"
COMPLAINTS_FILE = "categories.yml"
NOT_FROM_CATEGORIES = frozenset({"information_security"})
CALM_KINDS = frozenset(
    {"failure", "fees", "locked_card", "mild_dissatisfaction", "ordinary", "urgency",
     "others_feelings", "positive",
     "failed_transfer", "lost_card", "app_error", "forgotten_password", "rejected_payment",
     "calm_urgency", "positive_excitement", "small_talk", "strong_words"}
)  # fmt: skip
WEIGHT = 0.75
FEELING_WORDS = re.compile(
    r"怕|吓|慌|急死|崩溃|哭|担心|害怕|气死|scared|terrified|panic|worried|afraid|freak|[!！]{2}|😭|😱",
    re.IGNORECASE,
)
"""A prevention message saying this may be upset too: not borrowed as calm."""
MIN_CHARACTERS = 6
"""Category answers like "服务态度" are no story: only messages at least this long."""


def complaint_path(folder: Path) -> Path:
    """The complaint reader's labelled stories."""
    return folder / COMPLAINTS_FILE


def from_complaints(folder: Path, weight: float = WEIGHT) -> list[Example]:
    """Complaint stories (see the module docs) as fraud ``other``."""
    path = complaint_path(folder)
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = []
    for category, texts in (data.get("categories") or {}).items():
        if category in NOT_FROM_CATEGORIES:
            continue
        for text in texts or []:
            text = str(text).strip()
            if len(text) >= MIN_CHARACTERS:
                language = "zh" if CJK_RE.search(text) else "en"
                kind = f"{BORROWED_KIND}complaint"
                out.append(Example(text, language, "other", kind, FRAUD, weight))
    return out


def from_calm(upset_examples: list[Example], weight: float = WEIGHT) -> list[Example]:
    """Calm everyday messages of the upset sets (see the module docs) as fraud ``other``."""
    return [
        Example(e.text, e.language, "other", f"{BORROWED_KIND}calm", FRAUD, weight)
        for e in upset_examples
        if e.detector == UPSET and e.label == "calm" and e.kind in CALM_KINDS
    ]


def from_prevention(fraud_examples: list[Example], weight: float = WEIGHT) -> list[Example]:
    """Prevention messages of the fraud sets (see the module docs) as upset ``calm``.

    ``fraud_examples``: the labelled sets only, before any NLU or borrowed examples.
    """
    return [
        Example(e.text, e.language, "calm", f"{BORROWED_KIND}prevention", UPSET, weight)
        for e in fraud_examples
        if e.detector == FRAUD and e.label == "prevention" and not FEELING_WORDS.search(e.text)
    ]
